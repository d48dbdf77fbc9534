"""What waits, for the operations endpoint (bot/ops/): outbox depth per lane, the oldest due
send and the oldest unhandled red flag. Counts and ages only, read by indexed queries so a
scrape stays cheap however many reminders wait."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db

LANES = (0, 1, 2, 3)


@dataclass(frozen=True)
class Backlog:
    outbox_depth: dict[int, int]  # lane -> rows pending or being sent
    oldest_pending_seconds: float  # the oldest due row's wait; 0 when none is due
    oldest_red_flag_seconds: float  # the oldest open red flag's age; 0 when none is open


def snapshot(conn: sqlite3.Connection, now: datetime) -> Backlog:
    depth = {lane: 0 for lane in LANES}
    # The partial index outbox_due holds only open rows: this counts those, never the sent.
    for lane, count in conn.execute(
        "SELECT lane, COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') GROUP BY lane"
    ):
        depth[lane] = count
    return Backlog(
        outbox_depth=depth,
        oldest_pending_seconds=_age(_oldest_due(conn, now), now),
        oldest_red_flag_seconds=_age(_oldest_open_red_flag(conn), now),
    )


def _oldest_due(conn: sqlite3.Connection, now: datetime) -> str | None:
    """The earliest not_before of a due row. One lookup per lane and status: each is the
    first entry of outbox_due(status, lane, not_before) after the equalities."""
    due = to_db(now)
    found = [
        conn.execute(
            "SELECT MIN(not_before) FROM outbox WHERE status IN ('pending', 'sending')"
            " AND status = ? AND lane = ? AND not_before <= ?",
            (status, lane, due),
        ).fetchone()[0]
        for status in ("pending", "sending")
        for lane in LANES
    ]
    return min((value for value in found if value is not None), default=None)


def _oldest_open_red_flag(conn: sqlite3.Connection) -> str | None:
    # flags_patient_open is a partial index of the open flags only (a handful at any time).
    return conn.execute(
        "SELECT MIN(created_at) FROM flags WHERE status = 'open' AND severity = 'red'"
    ).fetchone()[0]


def _age(stored: str | None, now: datetime) -> float:
    if stored is None:
        return 0.0
    return max(0.0, (now - from_db(stored)).total_seconds())
