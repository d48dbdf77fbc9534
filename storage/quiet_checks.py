"""The quiet-patient check: one planned look per patient (`patients.quiet_check_at`) and,
for a batch of due looks, what the check needs to know about each patient in one query."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class QuietCheck:
    patient_id: int
    unit_id: int
    quiet_days: int  # the unit's setting
    active_since: datetime  # the latest turn, or when the patient was created
    paused_until: datetime | None
    unreachable: bool
    enrollment_id: int | None  # None: no active enrollment
    program: str | None
    mode: str | None
    module_started_at: datetime | None
    module_finished: bool  # the current module is finished (the next one is not open yet)


# The due looks, oldest first, through the partial index on quiet_check_at, with what the
# check needs to know about each patient (tests/reminders/test_quiet_patients.py asks SQLite).
DUE = (
    "SELECT p.id, p.unit_id, u.quiet_days, COALESCE(p.last_active_at, p.created_at) AS since,"
    " p.paused_until, p.unreachable_since, e.id AS enrollment_id, e.program, e.mode,"
    " e.module_started_at, mp.finished_at"
    " FROM patients p JOIN units u ON u.id = p.unit_id"
    " LEFT JOIN enrollments e ON e.id = (SELECT MAX(id) FROM enrollments"
    "   WHERE patient_id = p.id AND status = 'active')"
    " LEFT JOIN module_progress mp ON mp.enrollment_id = e.id AND mp.module = e.current_module"
    " WHERE p.quiet_check_at IS NOT NULL AND p.quiet_check_at <= ?"
    " ORDER BY p.quiet_check_at LIMIT ?"
)


def due(conn: sqlite3.Connection, now: datetime, limit: int) -> list[QuietCheck]:
    """The patients whose planned look is due, oldest first (the partial index on
    quiet_check_at)."""
    rows = conn.execute(DUE, (to_db(now), limit)).fetchall()
    return [
        QuietCheck(
            patient_id=row["id"],
            unit_id=row["unit_id"],
            quiet_days=row["quiet_days"],
            active_since=from_db(row["since"]),
            paused_until=from_db(row["paused_until"]) if row["paused_until"] else None,
            unreachable=row["unreachable_since"] is not None,
            enrollment_id=row["enrollment_id"],
            program=row["program"],
            mode=row["mode"],
            module_started_at=(
                from_db(row["module_started_at"]) if row["module_started_at"] else None
            ),
            module_finished=row["finished_at"] is not None,
        )
        for row in rows
    ]


def plan(conn: sqlite3.Connection, patient_id: int, at: datetime | None) -> None:
    """The patient's next look (None: none until they are active again)."""
    conn.execute(
        "UPDATE patients SET quiet_check_at = ? WHERE id = ?",
        (to_db(at) if at else None, patient_id),
    )


def planned(conn: sqlite3.Connection, patient_id: int) -> datetime | None:
    row = conn.execute("SELECT quiet_check_at FROM patients WHERE id = ?", (patient_id,)).fetchone()
    return from_db(row[0]) if row and row[0] else None


def count_due(conn: sqlite3.Connection, now: datetime) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM patients WHERE quiet_check_at IS NOT NULL AND quiet_check_at <= ?",
        (to_db(now),),
    ).fetchone()[0]


def look_again_soon(conn: sqlite3.Connection, unit_id: int, now: datetime) -> None:
    """The unit's number of days changed: every planned look of its patients comes now (and
    is planned again by the new number); none is planned for a spell already flagged."""
    conn.execute(
        "UPDATE patients SET quiet_check_at = ? WHERE unit_id = ? AND quiet_check_at > ?",
        (to_db(now), unit_id, to_db(now)),
    )
