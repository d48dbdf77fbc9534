"""The command line, `python -m bot`: run, demo, staff, unit, audit and programs
(`main.py`), with the staff and unit commands in their own modules. Changes go through the
same audited rules as chat (bot/care/).
"""
