"""The audit log: every staff action on patient data, and every change to staff and covers.
A row without staff_id was made on the command line."""

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


def record(
    conn: sqlite3.Connection,
    *,
    staff_id: int | None,
    action: str,
    now: datetime,
    patient_id: int | None = None,
    unit_id: int | None = None,
    **details: object,
) -> None:
    """`unit_id` defaults to the patient's unit, else the staff member's (the command line,
    which has neither, passes it)."""
    conn.execute(
        "INSERT INTO audit_log (staff_id, action, patient_id, details_json, created_at, unit_id)"
        " VALUES (?, ?, ?, ?, ?, COALESCE(?, (SELECT unit_id FROM patients WHERE id = ?),"
        " (SELECT unit_id FROM staff WHERE id = ?)))",
        (
            staff_id,
            action,
            patient_id,
            json.dumps(details, sort_keys=True),
            to_db(now),
            unit_id,
            patient_id,
            staff_id,
        ),
    )


@dataclass(frozen=True)
class Entry:
    at: datetime  # UTC
    staff_id: int | None
    staff_name: str | None
    action: str
    patient_label: str | None
    details_json: str


_ENTRY = (
    "SELECT a.created_at, a.staff_id, s.name AS staff_name, a.action, p.label AS patient_label,"
    " a.details_json FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id"
    " LEFT JOIN patients p ON p.id = a.patient_id"
)


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        at=from_db(row["created_at"]),
        staff_id=row["staff_id"],
        staff_name=row["staff_name"],
        action=row["action"],
        patient_label=row["patient_label"],
        details_json=row["details_json"],
    )


def of_patient(conn: sqlite3.Connection, patient_id: int, limit: int, offset: int) -> list[Entry]:
    """A patient's trail, newest first."""
    rows = conn.execute(
        _ENTRY + " WHERE a.patient_id = ? ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?",
        (patient_id, limit, offset),
    )
    return [_entry(row) for row in rows]


def count_of_patient(conn: sqlite3.Connection, patient_id: int) -> int:
    row = conn.execute("SELECT COUNT(*) FROM audit_log WHERE patient_id = ?", (patient_id,))
    return row.fetchone()[0]


def of_unit(conn: sqlite3.Connection, unit_id: int) -> list[Entry]:
    """A unit's whole trail, oldest first (the export)."""
    rows = conn.execute(_ENTRY + " WHERE a.unit_id = ? ORDER BY a.created_at, a.id", (unit_id,))
    return [_entry(row) for row in rows]
