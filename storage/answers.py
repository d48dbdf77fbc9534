"""Exercise answers: the latest answer per item wins; `version` counts how often it changed."""

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Answer:
    id: int
    enrollment_id: int
    patient_id: int
    item_key: str
    value: str
    updated_at: datetime


_SELECT = (
    "SELECT a.id, a.enrollment_id, e.patient_id, a.item_key, a.value, a.updated_at"
    " FROM answers a JOIN enrollments e ON e.id = a.enrollment_id"
)


def _answer(row: sqlite3.Row) -> Answer:
    return Answer(
        id=row["id"],
        enrollment_id=row["enrollment_id"],
        patient_id=row["patient_id"],
        item_key=row["item_key"],
        value=row["value"],
        updated_at=from_db(row["updated_at"]),
    )


def save(
    conn: sqlite3.Connection, enrollment_id: int, item_key: str, value: str, now: datetime
) -> None:
    conn.execute(
        "INSERT INTO answers (enrollment_id, item_key, value, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (enrollment_id, item_key) DO UPDATE SET"
        " value = excluded.value, version = answers.version + 1, updated_at = excluded.updated_at",
        (enrollment_id, item_key, value, to_db(now), to_db(now)),
    )


def for_prefix(conn: sqlite3.Connection, enrollment_id: int, prefix: str) -> dict[str, str]:
    """The answers whose item key starts with `prefix` (e.g. 'module-1/')."""
    rows = conn.execute(
        "SELECT item_key, value FROM answers WHERE enrollment_id = ? AND item_key LIKE ?",
        (enrollment_id, prefix.replace("%", r"\%") + "%"),
    )
    return {row["item_key"]: row["value"] for row in rows}


def get(conn: sqlite3.Connection, answer_id: int) -> Answer | None:
    """One answer with its patient, for a staff button that names it by id."""
    row = conn.execute(_SELECT + " WHERE a.id = ?", (answer_id,)).fetchone()
    return _answer(row) if row else None


def of_enrollment(conn: sqlite3.Connection, enrollment_id: int) -> list[Answer]:
    rows = conn.execute(_SELECT + " WHERE a.enrollment_id = ? ORDER BY a.id", (enrollment_id,))
    return [_answer(row) for row in rows]
