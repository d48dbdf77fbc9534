"""How far the diary is filled in: done parts of a day (for the evening reminder), filled days
of a week, and the weekly "diary missed" check rows (one per patient, by next_check_at)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from storage import dialect
from storage.timefmt import from_db, to_db

# A part is done when skipped, or with both what the patient did and how they felt.
_DONE = "(d.skipped = 1 OR (d.activity IS NOT NULL AND d.mood IS NOT NULL))"


def done_parts(
    conn: sqlite3.Connection, days: list[tuple[int, date]]
) -> dict[tuple[int, date], tuple[str, int]]:
    """For (patient id, local day) pairs: the program of the patient's active enrollment and
    how many of that day's diary parts are done; pairs with no part done are left out.

    One query for a whole tick batch, by the primary key: the batch's patients times its
    days (one or two), so it stays fast with a long diary history."""
    if not days:
        return {}
    patient_ids = json.dumps(sorted({patient_id for patient_id, _ in days}))
    dates = json.dumps(sorted({day.isoformat() for _, day in days}))
    rows = conn.execute(
        "SELECT d.patient_id, d.day, COUNT(*) AS done,"
        " (SELECT e.program FROM enrollments e WHERE e.patient_id = d.patient_id"
        "  AND e.status = 'active' ORDER BY e.id DESC LIMIT 1) AS program"
        " FROM diary_entries d"
        f" WHERE d.patient_id IN ({dialect.ids_in_json(conn)})"
        f" AND d.day IN ({dialect.texts_in_json(conn)}) AND {_DONE}"
        " GROUP BY d.patient_id, d.day",
        (patient_ids, dates),
    )
    wanted = set(days)
    found = {}
    for row in rows:
        key = (row["patient_id"], date.fromisoformat(row["day"]))
        if key in wanted and row["program"] is not None:
            found[key] = (row["program"], row["done"])
    return found


def filled_days(conn: sqlite3.Connection, patient_id: int, first: date, last: date) -> set[date]:
    """Days from `first` to `last` (inclusive) with at least one part that has an activity."""
    rows = conn.execute(
        "SELECT DISTINCT day FROM diary_entries"
        " WHERE patient_id = ? AND day BETWEEN ? AND ? AND activity IS NOT NULL",
        (patient_id, first.isoformat(), last.isoformat()),
    )
    return {date.fromisoformat(row[0]) for row in rows}


@dataclass(frozen=True)
class WeekCheck:
    patient_id: int
    week: date  # the local Monday of the week to check
    since: datetime  # diary days before this are not expected


def start(
    conn: sqlite3.Connection, patient_id: int, week: date, since: datetime, check_at: datetime
) -> None:
    """Start checking a patient's diary weeks (at enrollment); a new enrollment starts over."""
    conn.execute(
        "INSERT INTO diary_weeks (patient_id, week, since, next_check_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (patient_id) DO UPDATE SET week = excluded.week, since = excluded.since,"
        " next_check_at = excluded.next_check_at",
        (patient_id, week.isoformat(), to_db(since), to_db(check_at)),
    )


def due(conn: sqlite3.Connection, now: datetime, limit: int) -> list[WeekCheck]:
    rows = conn.execute(
        "SELECT patient_id, week, since FROM diary_weeks"
        " WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?",
        (to_db(now), limit),
    )
    return [
        WeekCheck(row["patient_id"], date.fromisoformat(row["week"]), from_db(row["since"]))
        for row in rows
    ]


def advance(
    conn: sqlite3.Connection, patient_id: int, week: date, check_at: datetime | None
) -> None:
    """The next week to check, and when (None: no more checks)."""
    conn.execute(
        "UPDATE diary_weeks SET week = ?, next_check_at = ? WHERE patient_id = ?",
        (week.isoformat(), to_db(check_at) if check_at else None, patient_id),
    )
