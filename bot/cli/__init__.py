"""The command line, `python -m bot`: run, demo, staff, unit, audit and programs
(`main.py`), with the staff and unit commands in their own modules, and the Telegram sizes
of every program step for `programs check` (`message_sizes.py`). Changes go through the
same audited rules as chat (bot/care/). `migrate_db.py` moves a clinic's SQLite database
to PostgreSQL (storage/transfer.py does the copy).
"""
