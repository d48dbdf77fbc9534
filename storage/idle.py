"""What the bot still has to do at a given time: used by the script runner to wait for idle
and to stop the clock at each instant something falls due."""

import sqlite3
from datetime import datetime

from storage.timefmt import from_db, to_db


def pending_work(conn: sqlite3.Connection, now: datetime) -> int:
    """How many things the bot still has to do at `now` (0: idle)."""
    unprocessed = conn.execute("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL").fetchone()[
        0
    ]
    due_messages = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND not_before <= ?",
        (to_db(now),),
    ).fetchone()[0]
    return unprocessed + due_messages


def next_due_at(conn: sqlite3.Connection, after: datetime, until: datetime) -> datetime | None:
    """The earliest instant in (after, until] at which something falls due, if any."""
    row = conn.execute(
        "SELECT MIN(not_before) FROM outbox WHERE status = 'pending'"
        " AND not_before > ? AND not_before <= ?",
        (to_db(after), to_db(until)),
    ).fetchone()
    return from_db(row[0]) if row[0] else None
