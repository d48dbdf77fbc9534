"""Events: what happened, by type and ids. Never patient text."""

import json
import sqlite3
from datetime import datetime

from storage import dialect
from storage.timefmt import from_db, to_db


def record(
    conn: sqlite3.Connection,
    event_type: str,
    now: datetime,
    *,
    patient_id: int | None = None,
    **details: object,
) -> None:
    conn.execute(
        "INSERT INTO events (patient_id, type, details_json, created_at) VALUES (?, ?, ?, ?)",
        (patient_id, event_type, json.dumps(details, sort_keys=True), to_db(now)),
    )


def of_patient(conn: sqlite3.Connection, patient_id: int) -> list[tuple[str, dict]]:
    rows = conn.execute(
        "SELECT type, details_json FROM events WHERE patient_id = ? ORDER BY id", (patient_id,)
    )
    return [(row["type"], json.loads(row["details_json"])) for row in rows]


def timeline(conn: sqlite3.Connection, patient_id: int) -> list[tuple[str, dict, datetime]]:
    """A patient's events with their times, newest first."""
    rows = conn.execute(
        "SELECT type, details_json, created_at FROM events WHERE patient_id = ?"
        " ORDER BY created_at DESC, id DESC",
        (patient_id,),
    )
    return [
        (row["type"], json.loads(row["details_json"]), from_db(row["created_at"])) for row in rows
    ]


def exists(conn: sqlite3.Connection, patient_id: int, event_type: str, *, module: int) -> bool:
    """Whether the patient has an event of this type about `module`."""
    row = conn.execute(
        "SELECT 1 FROM events WHERE patient_id = ? AND type = ?"
        f" AND {dialect.json_field(conn, 'details_json', 'module')} = ? LIMIT 1",
        (patient_id, event_type, str(module)),
    ).fetchone()
    return row is not None
