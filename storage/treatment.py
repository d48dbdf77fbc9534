"""A therapist's control of one enrollment: hidden steps, opened add-on modules and the
welcome text; and when the patient was last active."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.timefmt import from_db, to_db


def hide_step(
    conn: sqlite3.Connection, enrollment_id: int, module: int, step_id: str, by: int, now: datetime
) -> None:
    conn.execute(
        "INSERT INTO hidden_steps (enrollment_id, module, step_id, hidden_by, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (enrollment_id, module, step_id, by, to_db(now)),
    )


def show_step(conn: sqlite3.Connection, enrollment_id: int, module: int, step_id: str) -> None:
    conn.execute(
        "DELETE FROM hidden_steps WHERE enrollment_id = ? AND module = ? AND step_id = ?",
        (enrollment_id, module, step_id),
    )


def hidden_steps(conn: sqlite3.Connection, enrollment_id: int, module: int) -> frozenset[str]:
    rows = conn.execute(
        "SELECT step_id FROM hidden_steps WHERE enrollment_id = ? AND module = ?",
        (enrollment_id, module),
    )
    return frozenset(row["step_id"] for row in rows)


def open_addon(
    conn: sqlite3.Connection, enrollment_id: int, module: int, by: int, now: datetime
) -> bool:
    """True when it was not open before."""
    cursor = conn.execute(
        "INSERT INTO opened_addons (enrollment_id, module, opened_by, opened_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (enrollment_id, module, by, to_db(now)),
    )
    return cursor.rowcount == 1


def opened_addons(conn: sqlite3.Connection, enrollment_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT module FROM opened_addons WHERE enrollment_id = ? ORDER BY opened_at",
        (enrollment_id,),
    )
    return [row["module"] for row in rows]


def set_welcome(conn: sqlite3.Connection, enrollment_id: int, text: str | None) -> None:
    conn.execute("UPDATE enrollments SET welcome_text = ? WHERE id = ?", (text, enrollment_id))


def welcome(conn: sqlite3.Connection, enrollment_id: int) -> str | None:
    row = conn.execute(
        "SELECT welcome_text FROM enrollments WHERE id = ?", (enrollment_id,)
    ).fetchone()
    return row["welcome_text"] if row else None


def touch(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    """The patient was active: "last active", and a quiet-patient look planned if none is
    (after a quiet spell's flag there is none; the tick moves it on to when they could next
    count as quiet)."""
    conn.execute(
        "UPDATE patients SET last_active_at = ?, quiet_check_at = COALESCE(quiet_check_at, ?)"
        " WHERE id = ?",
        (to_db(now), to_db(now), patient_id),
    )


def last_active(conn: sqlite3.Connection, patient_id: int) -> datetime | None:
    row = conn.execute("SELECT last_active_at FROM patients WHERE id = ?", (patient_id,)).fetchone()
    return from_db(row["last_active_at"]) if row and row["last_active_at"] else None
