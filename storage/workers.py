"""The workers sharing one PostgreSQL database: a heartbeat row each, and taking over what a
dead one left 'sending'.

Each worker (one `python -m bot run` process) has a row with `last_seen`, renewed while it
sends (bot/telegram/send_workers.py). Times are the database server's clock, one for every
worker. A worker silent longer than the timeout is dead: another worker decides the rows it
left 'sending' by the crash rules (`outbox.decide_unsure`: a `repeat_if_unsure` alert is sent
again, anything else is not repeated) and deletes its row. A worker that finds its own row
gone was declared dead while it still ran (a long pause, a lost network): it must stop, since
its rows are someone else's decision now.

PostgreSQL only: on SQLite one process decides at its start what a crash left
(`outbox.recover_after_crash`).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage import outbox


def join(conn: sqlite3.Connection, worker_id: str) -> None:
    conn.execute(
        "INSERT INTO workers (worker_id, started_at, last_seen) VALUES (?, now(), now())"
        " ON CONFLICT (worker_id) DO UPDATE SET last_seen = now()",
        (worker_id,),
    )


def renew(conn: sqlite3.Connection, worker_id: str) -> bool:
    """Beat; False when this worker's row is gone (another declared it dead)."""
    renewed = conn.execute("UPDATE workers SET last_seen = now() WHERE worker_id = ?", (worker_id,))
    return renewed.rowcount == 1


def leave(conn: sqlite3.Connection, worker_id: str) -> None:
    """A clean stop: what this worker left (nothing, normally) is decided at once by another."""
    conn.execute("DELETE FROM workers WHERE worker_id = ?", (worker_id,))


def take_over(
    conn: sqlite3.Connection, now: datetime, timeout_seconds: float
) -> tuple[int, int, list[str]]:
    """Decide every row left 'sending' by a worker that is not alive (silent past the timeout,
    gone, or never named: a row from before workers were recorded), and forget the dead
    workers. Rows another worker holds right now are passed over (SKIP LOCKED) and decided
    next time if still left. Returns (repeated, not repeated, dead workers)."""
    rows = conn.execute(
        "SELECT * FROM outbox o WHERE status = 'sending' AND NOT EXISTS ("
        "  SELECT 1 FROM workers w WHERE w.worker_id = o.claimed_by"
        "  AND w.last_seen >= now() - make_interval(secs => ?))"
        " ORDER BY id FOR UPDATE SKIP LOCKED",
        (float(timeout_seconds),),
    ).fetchall()
    repeated, dropped = outbox.decide_unsure(conn, rows, now)
    dead = conn.execute(
        "DELETE FROM workers WHERE last_seen < now() - make_interval(secs => ?)"
        " RETURNING worker_id",
        (float(timeout_seconds),),
    ).fetchall()
    return repeated, dropped, sorted(row[0] for row in dead)
