"""Form requests, their answers item by item, and the measurements of submitted forms."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class FormRequest:
    id: int
    patient_id: int
    questionnaire: str
    reason: str
    module: int | None
    schedule_id: int | None
    due_at: datetime
    status: str


@dataclass(frozen=True)
class Measurement:
    request_id: int
    questionnaire: str
    total: int
    max_total: int
    submitted_at: datetime
    answers: dict[str, int]
    reason: str = ""  # its request's: 'final' is the final measurement (eftermätning)


def _request(row: sqlite3.Row | None) -> FormRequest | None:
    if row is None:
        return None
    return FormRequest(
        id=row["id"],
        patient_id=row["patient_id"],
        questionnaire=row["questionnaire"],
        reason=row["reason"],
        module=row["module"],
        schedule_id=row["schedule_id"],
        due_at=from_db(row["due_at"]),
        status=row["status"],
    )


def create_request(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    questionnaire: str,
    reason: str,
    due_at: datetime,
    window_ends_at: datetime | None,
    now: datetime,
    module: int | None = None,
    schedule_id: int | None = None,
) -> int | None:
    """A form due for a patient; None when the same one was requested before."""
    cursor = conn.execute(
        "INSERT INTO form_requests (patient_id, questionnaire, reason, module, schedule_id,"
        " due_at, window_ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (patient_id, questionnaire, due_at) DO NOTHING RETURNING id",
        (
            patient_id,
            questionnaire,
            reason,
            module,
            schedule_id,
            to_db(due_at),
            to_db(window_ends_at) if window_ends_at else None,
            to_db(now),
        ),
    )
    row = cursor.fetchone()  # none when the row was there before
    return row[0] if row else None


def get(conn: sqlite3.Connection, request_id: int) -> FormRequest | None:
    return _request(
        conn.execute("SELECT * FROM form_requests WHERE id = ?", (request_id,)).fetchone()
    )


def open_requests(conn: sqlite3.Connection, patient_id: int, now: datetime) -> list[FormRequest]:
    rows = conn.execute(
        "SELECT * FROM form_requests WHERE patient_id = ? AND status = 'open' AND due_at <= ?"
        " ORDER BY due_at, id",
        (patient_id, to_db(now)),
    )
    return [_request(row) for row in rows]


def open_module_request(
    conn: sqlite3.Connection, patient_id: int, module: int
) -> FormRequest | None:
    row = conn.execute(
        "SELECT * FROM form_requests WHERE patient_id = ? AND reason = 'module' AND module = ?"
        " AND status = 'open' ORDER BY id LIMIT 1",
        (patient_id, module),
    ).fetchone()
    return _request(row)


def final_requests(conn: sqlite3.Connection, patient_id: int) -> list[FormRequest]:
    """The patient's final measurement (eftermätning): its requests in the order made."""
    rows = conn.execute(
        "SELECT * FROM form_requests WHERE patient_id = ? AND reason = 'final' ORDER BY id",
        (patient_id,),
    )
    return [_request(row) for row in rows]


def answers(conn: sqlite3.Connection, request_id: int) -> dict[str, int]:
    rows = conn.execute("SELECT item, value FROM form_answers WHERE request_id = ?", (request_id,))
    return {row["item"]: row["value"] for row in rows}


def save_answer(
    conn: sqlite3.Connection, request_id: int, item: str, value: int, now: datetime
) -> None:
    conn.execute(
        "INSERT INTO form_answers (request_id, item, value, answered_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (request_id, item) DO UPDATE SET value = excluded.value,"
        " answered_at = excluded.answered_at",
        (request_id, item, value, to_db(now)),
    )


def submit(
    conn: sqlite3.Connection, request: FormRequest, total: int, max_total: int, now: datetime
) -> bool:
    """Close the request as submitted and store its measurement; False if it was not open
    (a late or repeated press never records twice)."""
    closed = conn.execute(
        "UPDATE form_requests SET status = 'submitted', closed_at = ?"
        " WHERE id = ? AND status = 'open'",
        (to_db(now), request.id),
    ).rowcount
    if not closed:
        return False
    conn.execute(
        "INSERT INTO measurements (request_id, patient_id, questionnaire, total, max_total,"
        " submitted_at) VALUES (?, ?, ?, ?, ?, ?)",
        (request.id, request.patient_id, request.questionnaire, total, max_total, to_db(now)),
    )
    return True


def close(conn: sqlite3.Connection, request_id: int, status: str, now: datetime) -> bool:
    return (
        conn.execute(
            "UPDATE form_requests SET status = ?, closed_at = ? WHERE id = ? AND status = 'open'",
            (status, to_db(now), request_id),
        ).rowcount
        == 1
    )


def stop_open(conn: sqlite3.Connection, patient_id: int, questionnaire: str, now: datetime) -> int:
    return conn.execute(
        "UPDATE form_requests SET status = 'stopped', closed_at = ?"
        " WHERE patient_id = ? AND questionnaire = ? AND status = 'open'",
        (to_db(now), patient_id, questionnaire),
    ).rowcount


def any_open_extra(conn: sqlite3.Connection, patient_id: int) -> bool:
    """Whether a questionnaire staff sent now (`/measure`) is still open."""
    row = conn.execute(
        "SELECT 1 FROM form_requests WHERE patient_id = ? AND status = 'open'"
        " AND reason = 'extra' LIMIT 1",
        (patient_id,),
    ).fetchone()
    return row is not None


def expired(conn: sqlite3.Connection, now: datetime, limit: int) -> list[FormRequest]:
    rows = conn.execute(
        "SELECT * FROM form_requests WHERE status = 'open' AND window_ends_at IS NOT NULL"
        " AND window_ends_at <= ? ORDER BY window_ends_at LIMIT ?",
        (to_db(now), limit),
    )
    return [_request(row) for row in rows]


def measurements(conn: sqlite3.Connection, patient_id: int) -> list[Measurement]:
    """Every submitted form of a patient with its answers, oldest first."""
    rows = conn.execute(
        "SELECT m.*, r.reason FROM measurements m JOIN form_requests r ON r.id = m.request_id"
        " WHERE m.patient_id = ? ORDER BY m.submitted_at, m.id",
        (patient_id,),
    ).fetchall()
    by_request: dict[int, dict[str, int]] = {}
    for answer in conn.execute(  # every measurement's answers in one query, not one each
        "SELECT a.request_id, a.item, a.value FROM form_answers a"
        " JOIN measurements m ON m.request_id = a.request_id WHERE m.patient_id = ?",
        (patient_id,),
    ):
        by_request.setdefault(answer["request_id"], {})[answer["item"]] = answer["value"]
    return [
        Measurement(
            request_id=row["request_id"],
            questionnaire=row["questionnaire"],
            total=row["total"],
            max_total=row["max_total"],
            submitted_at=from_db(row["submitted_at"]),
            answers=by_request.get(row["request_id"], {}),
            reason=row["reason"],
        )
        for row in rows
    ]


def latest_totals(conn: sqlite3.Connection, patient_id: int) -> list[tuple[str, int, int]]:
    """The patient's latest measurement and the one before it of the same questionnaire, as
    (questionnaire, total, max_total), newest first; without the answers (the overview)."""
    latest = conn.execute(
        "SELECT questionnaire, total, max_total FROM measurements WHERE patient_id = ?"
        " ORDER BY submitted_at DESC, id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    if latest is None:
        return []
    rows = conn.execute(
        "SELECT questionnaire, total, max_total FROM measurements"
        " WHERE patient_id = ? AND questionnaire = ? ORDER BY submitted_at DESC, id DESC LIMIT 2",
        (patient_id, latest["questionnaire"]),
    )
    return [(row["questionnaire"], row["total"], row["max_total"]) for row in rows]
