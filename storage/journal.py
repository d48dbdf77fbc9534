"""Journal periods (0020): the therapist marks a summary as written into the patient record
(`/journal`); the next period starts where the recorded one ended. A purge waits for the last
period to be recorded."""

import sqlite3
from datetime import datetime

from storage.timefmt import from_db, to_db


def record(
    conn: sqlite3.Connection,
    patient_id: int,
    period_start: datetime,
    period_end: datetime,
    staff_id: int | None,
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO journal_notes (patient_id, period_start, period_end, recorded_by,"
        " recorded_at) VALUES (?, ?, ?, ?, ?)",
        (patient_id, to_db(period_start), to_db(period_end), staff_id, to_db(now)),
    )


def recorded_until(conn: sqlite3.Connection, patient_id: int) -> datetime | None:
    """The end of the last period marked as recorded; None when none has been."""
    row = conn.execute(
        "SELECT MAX(period_end) FROM journal_notes WHERE patient_id = ?", (patient_id,)
    ).fetchone()
    return from_db(row[0]) if row[0] else None
