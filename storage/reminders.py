"""Reminders: one row per occurrence that was queued, so re-sends, snoozes and "missed"
are decided from the database."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Reminder:
    id: int
    schedule_id: int
    patient_id: int
    occurrence: datetime
    status: str
    resent: bool
    snoozes: int
    kind: str


_SELECT = "SELECT r.*, s.kind AS kind FROM reminders r JOIN schedules s ON s.id = r.schedule_id"


def _reminder(row: sqlite3.Row) -> Reminder:
    return Reminder(
        id=row["id"],
        schedule_id=row["schedule_id"],
        patient_id=row["patient_id"],
        occurrence=from_db(row["occurrence"]),
        status=row["status"],
        resent=bool(row["resent"]),
        snoozes=row["snoozes"],
        kind=row["kind"],
    )


def open_occurrence(
    conn: sqlite3.Connection,
    *,
    schedule_id: int,
    patient_id: int,
    occurrence: datetime,
    check_at: datetime,
    now: datetime,
) -> int | None:
    """Record a queued occurrence; None when it was queued before (it is never sent twice)."""
    cursor = conn.execute(
        "INSERT INTO reminders (schedule_id, patient_id, occurrence, check_at, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (schedule_id, occurrence) DO NOTHING RETURNING id",
        (schedule_id, patient_id, to_db(occurrence), to_db(check_at), to_db(now)),
    )
    row = cursor.fetchone()  # none when the row was there before
    return row[0] if row else None


# RETURNING needs SQLite 3.35 or later, which binds up to 32,766 values a statement.
_ROWS_PER_INSERT = 500


def open_many(
    conn: sqlite3.Connection,
    occurrences: list[tuple[int, int, datetime, datetime]],
    now: datetime,
) -> dict[int, int]:
    """open_occurrence for many schedules at once, one occurrence each: (schedule id,
    patient id, occurrence, check at). Returns {schedule id: reminder id} for the ones not
    queued before; one INSERT ... RETURNING per 500 rows instead of one statement each."""
    created = to_db(now)
    opened: dict[int, int] = {}
    for start in range(0, len(occurrences), _ROWS_PER_INSERT):
        part = occurrences[start : start + _ROWS_PER_INSERT]
        values = [
            value
            for schedule_id, patient_id, occurrence, check_at in part
            for value in (schedule_id, patient_id, to_db(occurrence), to_db(check_at), created)
        ]
        rows = conn.execute(
            "INSERT INTO reminders (schedule_id, patient_id, occurrence, check_at, created_at)"
            " VALUES " + ", ".join(["(?, ?, ?, ?, ?)"] * len(part)) + " ON CONFLICT"
            " (schedule_id, occurrence) DO NOTHING RETURNING schedule_id, id",
            values,
        )
        opened.update((row[0], row[1]) for row in rows)
    return opened


def get(conn: sqlite3.Connection, reminder_id: int) -> Reminder | None:
    row = conn.execute(_SELECT + " WHERE r.id = ?", (reminder_id,)).fetchone()
    return _reminder(row) if row else None


def due_checks(conn: sqlite3.Connection, now: datetime, limit: int) -> list[Reminder]:
    rows = conn.execute(
        _SELECT + " WHERE r.check_at IS NOT NULL AND r.check_at <= ? ORDER BY r.check_at LIMIT ?",
        (to_db(now), limit),
    )
    return [_reminder(row) for row in rows]


def set_check(
    conn: sqlite3.Connection, reminder_id: int, check_at: datetime | None, **fields
) -> None:
    extra = "".join(f", {name} = ?" for name in fields)
    conn.execute(
        f"UPDATE reminders SET check_at = ?{extra} WHERE id = ?",
        (to_db(check_at) if check_at else None, *fields.values(), reminder_id),
    )


def close(conn: sqlite3.Connection, reminder_id: int, status: str, now: datetime) -> None:
    conn.execute(
        "UPDATE reminders SET status = ?, closed_at = ?, check_at = NULL WHERE id = ?",
        (status, to_db(now), reminder_id),
    )


def mark_answered(conn: sqlite3.Connection, patient_id: int, kind: str, now: datetime) -> int:
    """The patient did what their open reminders of this kind were about."""
    return conn.execute(
        "UPDATE reminders SET status = 'answered', closed_at = ?, check_at = NULL"
        " WHERE patient_id = ? AND status = 'open'"
        " AND schedule_id IN (SELECT id FROM schedules WHERE kind = ?)",
        (to_db(now), patient_id, kind),
    ).rowcount


def missed_counts(conn: sqlite3.Connection, patient_id: int, since: datetime) -> dict[int, int]:
    """Per schedule: how many occurrences since `since` were missed."""
    rows = conn.execute(
        "SELECT schedule_id, COUNT(*) FROM reminders WHERE patient_id = ? AND status = 'missed'"
        " AND occurrence >= ? GROUP BY schedule_id",
        (patient_id, to_db(since)),
    )
    return {row[0]: row[1] for row in rows}
