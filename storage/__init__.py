"""Storage: SQLite and its migrations (`migrations/`), one repository module per table
group. Repositories are plain functions over a `sqlite3.Connection`, run inside the caller's
transaction on the database thread (`database.py`).
"""
