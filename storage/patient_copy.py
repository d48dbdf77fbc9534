"""Everything stored about one patient, read whole and unpaged, for their copy and the staff
export (bot/care/export/). The other repositories read what a view needs (the latest ten
messages, the lists as they stand); these read every row, removed activities too."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from storage.messages import Message, _message
from storage.notes import Note
from storage.patients import Enrollment, _enrollment
from storage.timefmt import from_db


@dataclass(frozen=True)
class PatientRow:
    """The patient's own row beyond `Patient`: what their copy says about them."""

    language: str
    timezone: str  # theirs, or the unit's
    consented_at: datetime
    confirmed_at: datetime | None
    outreach_stopped_at: datetime | None


@dataclass(frozen=True)
class ModuleRow:
    module: int
    step_index: int
    finished_at: datetime | None


@dataclass(frozen=True)
class DiaryRow:
    day: date
    part: str
    activity: str | None
    mood: int | None
    activity_type: str | None
    skipped: bool


@dataclass(frozen=True)
class ActivityRow:
    text: str
    activity_type: str
    created_at: datetime
    removed_at: datetime | None


def _optional(text: str | None) -> datetime | None:
    return from_db(text) if text else None


def patient_row(conn: sqlite3.Connection, patient_id: int) -> PatientRow:
    row = conn.execute(
        "SELECT p.language, COALESCE(p.timezone, u.timezone) AS tz, p.consented_at,"
        " p.confirmed_at, p.outreach_stopped_at"
        " FROM patients p JOIN units u ON u.id = p.unit_id WHERE p.id = ?",
        (patient_id,),
    ).fetchone()
    return PatientRow(
        language=row["language"],
        timezone=row["tz"],
        consented_at=from_db(row["consented_at"]),
        confirmed_at=_optional(row["confirmed_at"]),
        outreach_stopped_at=_optional(row["outreach_stopped_at"]),
    )


def enrollments(conn: sqlite3.Connection, patient_id: int) -> list[Enrollment]:
    """Every treatment of the patient, whatever its status, oldest first."""
    rows = conn.execute("SELECT * FROM enrollments WHERE patient_id = ? ORDER BY id", (patient_id,))
    return [_enrollment(row) for row in rows]


def end_comment(conn: sqlite3.Connection, enrollment_id: int) -> str | None:
    row = conn.execute(
        "SELECT end_comment FROM enrollments WHERE id = ?", (enrollment_id,)
    ).fetchone()
    return row["end_comment"] if row else None


def modules(conn: sqlite3.Connection, enrollment_id: int) -> list[ModuleRow]:
    """The modules the patient has been in (a progress row each), in number order."""
    rows = conn.execute(
        "SELECT module, step_index, finished_at FROM module_progress WHERE enrollment_id = ?"
        " ORDER BY module",
        (enrollment_id,),
    )
    return [
        ModuleRow(row["module"], row["step_index"], _optional(row["finished_at"])) for row in rows
    ]


def diary(conn: sqlite3.Connection, patient_id: int) -> list[DiaryRow]:
    rows = conn.execute(
        "SELECT * FROM diary_entries WHERE patient_id = ? ORDER BY day, part", (patient_id,)
    )
    return [
        DiaryRow(
            day=date.fromisoformat(row["day"]),
            part=row["part"],
            activity=row["activity"],
            mood=row["mood"],
            activity_type=row["activity_type"],
            skipped=bool(row["skipped"]),
        )
        for row in rows
    ]


def activities(conn: sqlite3.Connection, patient_id: int) -> list[ActivityRow]:
    """The vill / måste / kan vara utan lists, removed entries too (still stored)."""
    rows = conn.execute("SELECT * FROM activities WHERE patient_id = ? ORDER BY id", (patient_id,))
    return [
        ActivityRow(
            row["text"],
            row["activity_type"],
            from_db(row["created_at"]),
            _optional(row["removed_at"]),
        )
        for row in rows
    ]


def messages(conn: sqlite3.Connection, patient_id: int) -> list[Message]:
    """Every message both ways (comments and feedback too), oldest first."""
    rows = conn.execute(
        "SELECT * FROM messages WHERE patient_id = ? ORDER BY created_at, id", (patient_id,)
    )
    return [_message(row) for row in rows]


def notes(conn: sqlite3.Connection, patient_id: int) -> list[Note]:
    rows = conn.execute(
        "SELECT * FROM notes WHERE patient_id = ? ORDER BY created_at, id", (patient_id,)
    )
    return [Note(row["id"], row["text"], from_db(row["created_at"])) for row in rows]
