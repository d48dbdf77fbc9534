"""The patient's own notes: their therapist may read them, nobody replies to them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Note:
    id: int
    text: str
    created_at: datetime


def add(conn: sqlite3.Connection, patient_id: int, text: str, now: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO notes (patient_id, text, created_at) VALUES (?, ?, ?) RETURNING id",
        (patient_id, text, to_db(now)),
    )
    return cursor.fetchone()[0]


def of_patient(conn: sqlite3.Connection, patient_id: int, limit: int = 10) -> list[Note]:
    """The patient's latest notes, oldest first."""
    rows = conn.execute(
        "SELECT * FROM (SELECT * FROM notes WHERE patient_id = ?"
        " ORDER BY created_at DESC, id DESC LIMIT ?) AS latest ORDER BY created_at, id",
        (patient_id, limit),
    )
    return [Note(row["id"], row["text"], from_db(row["created_at"])) for row in rows]
