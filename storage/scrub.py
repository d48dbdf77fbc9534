"""After a purge, nothing of the removed text may be left in the database's files.

Three things make sure of it. `PRAGMA secure_delete=ON` on every connection
(storage/database.py `configure_sync`): SQLite overwrites a deleted row's bytes, and every
page it frees, with zeros. The free pages are then handed back (`PRAGMA incremental_vacuum`:
the database uses incremental auto-vacuum, so pages at the end of the file move into the
holes and the file is cut), and the write-ahead log, which still holds the pages as they were
before the purge, is copied into the database and cut to zero bytes
(`PRAGMA wal_checkpoint(TRUNCATE)`).

The truncating checkpoint needs a moment with no other reader in the log (the bot's periodic
PASSIVE checkpoint job, bot/app.py, or a backup running); it waits up to the connection's
busy timeout and otherwise reports that it must be tried again (the purge job does, at its
next run).
"""

from __future__ import annotations

import logging
import sqlite3

from storage import dialect

log = logging.getLogger(__name__)

INCREMENTAL = 2  # PRAGMA auto_vacuum


def ensure_incremental_vacuum(conn: sqlite3.Connection) -> bool:
    """Convert a database made before incremental auto-vacuum (one VACUUM, which rewrites
    the whole file: once, at start-up). True when it was converted now."""
    if conn.execute("PRAGMA auto_vacuum").fetchone()[0] == INCREMENTAL:
        return False
    conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
    conn.execute("VACUUM")
    log.info("database converted to incremental auto-vacuum (purge hands back free pages)")
    return True


def scrub(conn: sqlite3.Connection) -> bool:
    """Free pages handed back, the log copied in and cut to zero bytes. Outside any
    transaction. False when the checkpoint could not finish (a reader was in the log):
    try again later.

    On PostgreSQL: a plain VACUUM, which removes the purged rows' dead versions from every
    table without locking the workers out. The freed space is reused, not overwritten at
    once; `VACUUM FULL` in a maintenance window rewrites the files (docs/operations.md)."""
    if dialect.is_postgres(conn):
        conn.execute("VACUUM")
        return True
    conn.execute("PRAGMA incremental_vacuum").fetchall()
    busy, log_pages, copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy or log_pages != copied:
        log.warning("scrub: checkpoint incomplete (%s of %s pages); tried again", copied, log_pages)
        return False
    return True
