"""A treatment's lifecycle: confirmed, maintenance, ended, withdrawn, purged (0020).

A treatment goes active -> maintenance -> ended, or active -> ended; never back. Each change
is one `lifecycle_events` row (ids, a code and a date, never free text), which `/patient`
shows with who made it.
"""

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db

# Why a treatment ended. The first four are the therapist's choice in /end.
END_REASONS = ("completed", "dropped_out", "referred", "other")
MAINTENANCE_OVER = "maintenance_over"  # "vidmakthållande slut": the days ran out
WITHDRAWN = "withdrawn"  # "återkallat samtycke": the patient withdrew
IDENTITY_REJECTED = "identity_rejected"  # the therapist answered "Nej" at first contact
INACTIVE = "inactive"  # no activity for the longest time the clinic may keep data


@dataclass(frozen=True)
class LifecycleEvent:
    change: str  # enrolled, confirmed, maintenance, ended, withdrawn, purged, ...
    at: datetime
    staff_id: int | None
    reason: str | None
    enrollment_id: int | None


def record(
    conn: sqlite3.Connection,
    patient_id: int,
    change: str,
    now: datetime,
    *,
    enrollment_id: int | None = None,
    reason: str | None = None,
    staff_id: int | None = None,
) -> None:
    conn.execute(
        "INSERT INTO lifecycle_events (patient_id, enrollment_id, change, reason, staff_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (patient_id, enrollment_id, change, reason, staff_id, to_db(now)),
    )


def history(conn: sqlite3.Connection, patient_id: int) -> list[LifecycleEvent]:
    rows = conn.execute(
        "SELECT change, at, staff_id, reason, enrollment_id FROM lifecycle_events"
        " WHERE patient_id = ? ORDER BY at, id",
        (patient_id,),
    )
    return [
        LifecycleEvent(row[0], from_db(row[1]), row[2], row[3], row[4]) for row in rows.fetchall()
    ]


def confirm(conn: sqlite3.Connection, patient_id: int, staff_id: int | None, now: datetime) -> bool:
    """Mark who the patient is as confirmed; False when it already was."""
    cursor = conn.execute(
        "UPDATE patients SET confirmed_at = ?, confirmed_by = ?"
        " WHERE id = ? AND confirmed_at IS NULL",
        (to_db(now), staff_id, patient_id),
    )
    return cursor.rowcount == 1


def stop_outreach(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    """From now on nothing the bot starts reaches the patient (storage/outbox.py checks it
    whenever a row is queued)."""
    conn.execute(
        "UPDATE patients SET outreach_stopped_at = ? WHERE id = ? AND outreach_stopped_at IS NULL",
        (to_db(now), patient_id),
    )


def start_maintenance(
    conn: sqlite3.Connection, enrollment_id: int, now: datetime, until: datetime
) -> bool:
    """An active treatment goes into maintenance until `until`; False if it was not active."""
    cursor = conn.execute(
        "UPDATE enrollments SET status = 'maintenance', maintenance_from = ?,"
        " maintenance_until = ? WHERE id = ? AND status = 'active'",
        (to_db(now), to_db(until), enrollment_id),
    )
    return cursor.rowcount == 1


def end(
    conn: sqlite3.Connection,
    enrollment_id: int,
    reason: str,
    now: datetime,
    *,
    staff_id: int | None = None,
    comment: str | None = None,
) -> bool:
    """End an active or maintained treatment for good; False if it had ended already."""
    cursor = conn.execute(
        "UPDATE enrollments SET status = 'ended', ended_at = ?, end_reason = ?,"
        " end_comment = ?, ended_by = ? WHERE id = ? AND status IN ('active', 'maintenance')",
        (to_db(now), reason, comment, staff_id, enrollment_id),
    )
    return cursor.rowcount == 1


@dataclass(frozen=True)
class MaintenanceDue:
    enrollment_id: int
    patient_id: int


def maintenance_run_out(
    conn: sqlite3.Connection, now: datetime, limit: int
) -> list[MaintenanceDue]:
    """Treatments whose maintenance days have run out (indexed, for the tick)."""
    rows = conn.execute(
        "SELECT id, patient_id FROM enrollments WHERE status = 'maintenance'"
        " AND maintenance_until <= ? ORDER BY maintenance_until LIMIT ?",
        (to_db(now), limit),
    )
    return [MaintenanceDue(row[0], row[1]) for row in rows.fetchall()]


def hide_module_in_maintenance(conn: sqlite3.Connection, enrollment_id: int, module: int) -> None:
    conn.execute(
        "INSERT INTO maintenance_hidden_modules (enrollment_id, module) VALUES (?, ?)"
        " ON CONFLICT DO NOTHING",
        (enrollment_id, module),
    )


def show_module_in_maintenance(conn: sqlite3.Connection, enrollment_id: int, module: int) -> None:
    conn.execute(
        "DELETE FROM maintenance_hidden_modules WHERE enrollment_id = ? AND module = ?",
        (enrollment_id, module),
    )


def hidden_in_maintenance(conn: sqlite3.Connection, enrollment_id: int) -> frozenset[int]:
    rows = conn.execute(
        "SELECT module FROM maintenance_hidden_modules WHERE enrollment_id = ?", (enrollment_id,)
    )
    return frozenset(row[0] for row in rows.fetchall())


def stop_scheduled_work(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    """Everything the tick would do for this patient stops at once: schedules (reminders,
    forms, planned activities), open reminders and their re-sends, open questionnaires, the
    weekly diary check and the quiet-patient check. A flag's escalation chain goes on: a risk
    signal still reaches a human."""
    stamp = to_db(now)
    conn.execute(
        "UPDATE schedules SET active = 0, next_due_at = NULL WHERE patient_id = ?", (patient_id,)
    )
    conn.execute(
        "UPDATE reminders SET status = 'missed', closed_at = ?, check_at = NULL"
        " WHERE patient_id = ? AND status = 'open'",
        (stamp, patient_id),
    )
    conn.execute(
        "UPDATE form_requests SET status = 'stopped', closed_at = ?"
        " WHERE patient_id = ? AND status = 'open'",
        (stamp, patient_id),
    )
    conn.execute("UPDATE diary_weeks SET next_check_at = NULL WHERE patient_id = ?", (patient_id,))
    conn.execute("UPDATE patients SET quiet_check_at = NULL WHERE id = ?", (patient_id,))
