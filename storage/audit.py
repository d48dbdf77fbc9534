"""The audit log: every staff action on patient data."""

import json
import sqlite3
from datetime import datetime

from storage.timefmt import to_db


def record(
    conn: sqlite3.Connection,
    *,
    staff_id: int,
    action: str,
    now: datetime,
    patient_id: int | None = None,
    **details: object,
) -> None:
    conn.execute(
        "INSERT INTO audit_log (staff_id, action, patient_id, details_json, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (staff_id, action, patient_id, json.dumps(details, sort_keys=True), to_db(now)),
    )
