"""Messages between a patient and their care team: messages both ways, comments on exercise
answers and module feedback (which waits for the next module); and how fast staff reply."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from storage.timefmt import from_db, to_db

FROM_PATIENT = "from_patient"
TO_PATIENT = "to_patient"
# What counts as staff answering a patient: a message or a comment (feedback is about the
# module, written whenever it suits, so it is not a reply).
REPLY_KINDS = ("message", "comment")


@dataclass(frozen=True)
class Message:
    id: int
    patient_id: int
    direction: str
    kind: str
    staff_id: int | None
    reply_to: int | None
    item_key: str | None
    module: int | None
    text: str
    created_at: datetime
    delivered_at: datetime | None
    read_at: datetime | None
    answered_at: datetime | None


def _optional(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        patient_id=row["patient_id"],
        direction=row["direction"],
        kind=row["kind"],
        staff_id=row["staff_id"],
        reply_to=row["reply_to"],
        item_key=row["item_key"],
        module=row["module"],
        text=row["text"],
        created_at=from_db(row["created_at"]),
        delivered_at=_optional(row["delivered_at"]),
        read_at=_optional(row["read_at"]),
        answered_at=_optional(row["answered_at"]),
    )


def add_from_patient(conn: sqlite3.Connection, patient_id: int, text: str, now: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO messages (patient_id, direction, text, created_at, delivered_at)"
        " VALUES (?, 'from_patient', ?, ?, ?) RETURNING id",
        (patient_id, text, to_db(now), to_db(now)),
    )
    return cursor.fetchone()[0]


def add_to_patient(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    staff_id: int,
    kind: str,
    text: str,
    now: datetime,
    reply_to: int | None = None,
    item_key: str | None = None,
    module: int | None = None,
    delivered: bool = True,
) -> int:
    """A staff member's message, comment or feedback. A reply (message or comment) answers
    every patient message still open before it."""
    cursor = conn.execute(
        "INSERT INTO messages (patient_id, direction, kind, staff_id, reply_to, item_key, module,"
        " text, created_at, delivered_at) VALUES (?, 'to_patient', ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (
            patient_id,
            kind,
            staff_id,
            reply_to,
            item_key,
            module,
            text,
            to_db(now),
            to_db(now) if delivered else None,
        ),
    )
    if kind in REPLY_KINDS:
        conn.execute(
            "UPDATE messages SET answered_at = ?, read_at = COALESCE(read_at, ?)"
            " WHERE patient_id = ? AND direction = 'from_patient' AND answered_at IS NULL"
            " AND created_at <= ?",
            (to_db(now), to_db(now), patient_id, to_db(now)),
        )
    return cursor.fetchone()[0]


def get(conn: sqlite3.Connection, message_id: int) -> Message | None:
    row = conn.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
    return _message(row) if row else None


def of_patient(conn: sqlite3.Connection, patient_id: int, limit: int = 10) -> list[Message]:
    """The patient's latest messages (all kinds, both ways), oldest first. Feedback still
    waiting for the next module is included: staff see it; the patient's view leaves it out."""
    rows = conn.execute(
        "SELECT * FROM (SELECT * FROM messages WHERE patient_id = ?"
        " ORDER BY created_at DESC, id DESC LIMIT ?) AS latest ORDER BY created_at, id",
        (patient_id, limit),
    )
    return [_message(row) for row in rows]


def mark_read(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    """Staff have seen the patient's messages (listed them, or pressed Svara)."""
    conn.execute(
        "UPDATE messages SET read_at = ? WHERE patient_id = ? AND direction = 'from_patient'"
        " AND read_at IS NULL",
        (to_db(now), patient_id),
    )


def waiting_feedback(conn: sqlite3.Connection, patient_id: int, before: int) -> list[Message]:
    """Feedback on modules before `before`, written but not yet given to the patient."""
    rows = conn.execute(
        "SELECT * FROM messages WHERE patient_id = ? AND direction = 'to_patient'"
        " AND delivered_at IS NULL AND module < ? ORDER BY created_at, id",
        (patient_id, before),
    )
    return [_message(row) for row in rows]


def mark_delivered(conn: sqlite3.Connection, message_id: int, now: datetime) -> None:
    conn.execute(
        "UPDATE messages SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
        (to_db(now), message_id),
    )


# ---- reply times, for the therapist's overview ------------------------------------------


@dataclass(frozen=True)
class ReplyTimes:
    """How fast staff answer one patient (or one staff member answers their patients).

    A reply is a staff message or comment; its reply time runs from the earliest patient
    message it answers (the first not yet answered) to the reply, in wall-clock minutes
    (nights and weekends included). `unanswered_since` is the earliest patient message with
    no reply yet."""

    last_minutes: int | None
    median_minutes: int | None
    replies: int
    unanswered_since: datetime | None


def _reply_times(rows) -> ReplyTimes:
    """`rows`: (patient_id, direction, kind, created_at) in time order."""
    waiting: dict[int, datetime] = {}  # patient -> their earliest unanswered message
    minutes: list[int] = []
    for row in rows:
        at = from_db(row["created_at"])
        patient = row["patient_id"]
        if row["direction"] == FROM_PATIENT:
            waiting.setdefault(patient, at)
        elif row["kind"] in REPLY_KINDS and patient in waiting:
            minutes.append(int((at - waiting.pop(patient)).total_seconds() // 60))
    return ReplyTimes(
        last_minutes=minutes[-1] if minutes else None,
        median_minutes=int(median(minutes)) if minutes else None,
        replies=len(minutes),
        unanswered_since=min(waiting.values()) if waiting else None,
    )


def reply_times(conn: sqlite3.Connection, patient_id: int) -> ReplyTimes:
    """Reply times for one patient's messages, whoever of their care team answered."""
    rows = conn.execute(
        "SELECT patient_id, direction, kind, created_at FROM messages WHERE patient_id = ?"
        " ORDER BY created_at, id",
        (patient_id,),
    )
    return _reply_times(rows)
