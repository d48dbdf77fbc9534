"""WAL checkpoints off the writer's path.

By default SQLite checkpoints inside the COMMIT that takes the write-ahead log past 1,000
pages: it copies the log into the database file and syncs both, so every few megabytes one
transaction (a tick batch, a turn, a safety alert's write) waits for two fsyncs. A tick that
queues 10,000 reminders writes about 30 MB of log and paid that wait 7 times, 0.3-2 s in
all on a busy disk (bench/README.md). The bot's connection therefore does not checkpoint;
a periodic job does, from a connection of its own in a worker thread: in WAL mode a
PASSIVE checkpoint runs beside the writer and never blocks it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

CHECKPOINT_EVERY_SECONDS = 30.0


def leave_checkpoints_to_the_job(conn: sqlite3.Connection) -> None:
    """For the bot's own connection (the job must then run, see bot/app.py)."""
    conn.execute("PRAGMA wal_autocheckpoint=0")


def checkpoint(path: str | Path) -> tuple[int, int]:
    """One PASSIVE checkpoint from a new connection: (log pages, pages copied)."""
    conn = sqlite3.connect(str(path), timeout=10, isolation_level=None)
    try:
        _, log_pages, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return log_pages, copied
    finally:
        conn.close()
