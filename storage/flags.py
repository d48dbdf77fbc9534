"""Flags: red and amber, their triggers, and the events of their escalation."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Flag:
    id: int
    patient_id: int
    unit_id: int
    severity: str
    status: str
    hidden: bool
    level: int
    told_anyone: bool
    alert_outbox_id: int | None
    created_at: datetime
    handled_by: int | None
    handled_at: datetime | None
    handled_comment: str | None


@dataclass(frozen=True)
class Trigger:
    kind: str
    details: dict
    free_text: str | None
    created_at: datetime


def _flag(row: sqlite3.Row | None) -> Flag | None:
    if row is None:
        return None
    return Flag(
        id=row["id"],
        patient_id=row["patient_id"],
        unit_id=row["unit_id"],
        severity=row["severity"],
        status=row["status"],
        hidden=bool(row["hidden"]),
        level=row["level"],
        told_anyone=bool(row["told_anyone"]),
        alert_outbox_id=row["alert_outbox_id"],
        created_at=from_db(row["created_at"]),
        handled_by=row["handled_by"],
        handled_at=from_db(row["handled_at"]) if row["handled_at"] else None,
        handled_comment=row["handled_comment"],
    )


def create(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    unit_id: int,
    severity: str,
    next_check_at: datetime | None,
    now: datetime,
) -> int:
    cursor = conn.execute(
        "INSERT INTO flags (patient_id, unit_id, severity, next_check_at, created_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        (
            patient_id,
            unit_id,
            severity,
            to_db(next_check_at) if next_check_at else None,
            to_db(now),
        ),
    )
    return cursor.fetchone()[0]


def get(conn: sqlite3.Connection, flag_id: int) -> Flag | None:
    return _flag(conn.execute("SELECT * FROM flags WHERE id = ?", (flag_id,)).fetchone())


def open_red_of(conn: sqlite3.Connection, patient_id: int) -> Flag | None:
    row = conn.execute(
        "SELECT * FROM flags WHERE patient_id = ? AND status = 'open' AND severity = 'red'"
        " ORDER BY id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    return _flag(row)


def open_amber_of(conn: sqlite3.Connection, patient_id: int, kind: str) -> Flag | None:
    """An open amber flag of the patient with a trigger of this kind (not raised twice)."""
    row = conn.execute(
        "SELECT f.* FROM flags f JOIN flag_triggers t ON t.flag_id = f.id"
        " WHERE f.patient_id = ? AND f.status = 'open' AND f.hidden = 0"
        " AND f.severity = 'amber' AND t.kind = ? ORDER BY f.id DESC LIMIT 1",
        (patient_id, kind),
    ).fetchone()
    return _flag(row)


def add_trigger(
    conn: sqlite3.Connection,
    flag_id: int,
    kind: str,
    details: dict,
    free_text: str | None,
    now: datetime,
) -> int:
    cursor = conn.execute(
        "INSERT INTO flag_triggers (flag_id, kind, details_json, free_text, created_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        (flag_id, kind, json.dumps(details, sort_keys=True), free_text, to_db(now)),
    )
    return cursor.fetchone()[0]


def triggers(conn: sqlite3.Connection, flag_id: int) -> list[Trigger]:
    rows = conn.execute("SELECT * FROM flag_triggers WHERE flag_id = ? ORDER BY id", (flag_id,))
    return [
        Trigger(
            row["kind"],
            json.loads(row["details_json"]),
            row["free_text"],
            from_db(row["created_at"]),
        )
        for row in rows
    ]


def record(
    conn: sqlite3.Connection, flag_id: int, event_type: str, now: datetime, **details: object
) -> None:
    conn.execute(
        "INSERT INTO flag_events (flag_id, type, details_json, created_at) VALUES (?, ?, ?, ?)",
        (flag_id, event_type, json.dumps(details, sort_keys=True), to_db(now)),
    )


def event_types(conn: sqlite3.Connection, flag_id: int) -> list[str]:
    rows = conn.execute("SELECT type FROM flag_events WHERE flag_id = ? ORDER BY id", (flag_id,))
    return [row[0] for row in rows]


def set_alert(conn: sqlite3.Connection, flag_id: int, outbox_id: int | None) -> None:
    conn.execute("UPDATE flags SET alert_outbox_id = ? WHERE id = ?", (outbox_id, flag_id))


def set_next_check(
    conn: sqlite3.Connection, flag_id: int, level: int, next_check_at: datetime | None
) -> None:
    conn.execute(
        "UPDATE flags SET level = ?, next_check_at = ? WHERE id = ?",
        (level, to_db(next_check_at) if next_check_at else None, flag_id),
    )


def due_checks(conn: sqlite3.Connection, now: datetime, limit: int) -> list[Flag]:
    rows = conn.execute(
        "SELECT * FROM flags WHERE next_check_at IS NOT NULL AND next_check_at <= ?"
        " ORDER BY next_check_at LIMIT ?",
        (to_db(now), limit),
    )
    return [_flag(row) for row in rows]


def handle(
    conn: sqlite3.Connection, flag_id: int, staff_id: int, comment: str, now: datetime
) -> bool:
    return (
        conn.execute(
            "UPDATE flags SET status = 'handled', handled_at = ?, handled_by = ?,"
            " handled_comment = ?, next_check_at = NULL WHERE id = ? AND status = 'open'",
            (to_db(now), staff_id, comment, flag_id),
        ).rowcount
        == 1
    )


def hide(conn: sqlite3.Connection, flag_id: int) -> None:
    conn.execute("UPDATE flags SET hidden = 1 WHERE id = ?", (flag_id,))


def mark_told(conn: sqlite3.Connection, flag_id: int) -> None:
    conn.execute("UPDATE flags SET told_anyone = 1 WHERE id = ?", (flag_id,))


def listed(conn: sqlite3.Connection, unit_id: int) -> list[Flag]:
    """The unit's flags still in the lists: not hidden and not handled, plus handled red
    flags not yet hidden; flags no one could be told about first, then red, then newest."""
    rows = conn.execute(
        "SELECT * FROM flags WHERE unit_id = ? AND hidden = 0 AND status = 'open'"
        " ORDER BY told_anyone, CASE severity WHEN 'red' THEN 0 ELSE 1 END, id DESC",
        (unit_id,),
    )
    return [_flag(row) for row in rows]


def open_counts(conn: sqlite3.Connection, patient_id: int) -> tuple[int, int]:
    """(red, amber) flags of a patient that are neither handled nor hidden."""
    rows = conn.execute(
        "SELECT severity, COUNT(*) AS n FROM flags WHERE patient_id = ? AND status = 'open'"
        " AND hidden = 0 GROUP BY severity",
        (patient_id,),
    )
    counts = {row["severity"]: row["n"] for row in rows}
    return counts.get("red", 0), counts.get("amber", 0)


def of_patient(conn: sqlite3.Connection, patient_id: int) -> list[Flag]:
    rows = conn.execute(
        "SELECT * FROM flags WHERE patient_id = ? ORDER BY created_at DESC", (patient_id,)
    )
    return [_flag(row) for row in rows]
