"""Units (clinics) and their settings."""

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import to_db


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    timezone: str
    therapist_chat_id: int | None


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(row["id"], row["name"], row["timezone"], row["therapist_chat_id"])


def get_or_create(conn: sqlite3.Connection, name: str, now: datetime) -> Unit:
    conn.execute(
        "INSERT INTO units (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
        (name, to_db(now)),
    )
    return _unit(conn.execute("SELECT * FROM units WHERE name = ?", (name,)).fetchone())


def get(conn: sqlite3.Connection, unit_id: int) -> Unit:
    return _unit(conn.execute("SELECT * FROM units WHERE id = ?", (unit_id,)).fetchone())


def set_therapist_channel(
    conn: sqlite3.Connection, *, unit_name: str, chat_id: int, now: datetime
) -> None:
    unit = get_or_create(conn, unit_name, now)
    conn.execute("UPDATE units SET therapist_chat_id = ? WHERE id = ?", (chat_id, unit.id))


def quiet_hours(conn: sqlite3.Connection, unit_id: int) -> tuple[str, str]:
    row = conn.execute(
        "SELECT quiet_start, quiet_end FROM units WHERE id = ?", (unit_id,)
    ).fetchone()
    return row["quiet_start"], row["quiet_end"]


def set_quiet_hours(conn: sqlite3.Connection, unit_id: int, start: str, end: str) -> None:
    conn.execute(
        "UPDATE units SET quiet_start = ?, quiet_end = ? WHERE id = ?", (start, end, unit_id)
    )


def default_times(conn: sqlite3.Connection, unit_id: int, program: str) -> dict[str, str]:
    """kind -> 'HH:MM,...' for the unit's own defaults of a program."""
    rows = conn.execute(
        "SELECT kind, times FROM unit_schedule_defaults WHERE unit_id = ? AND program = ?",
        (unit_id, program),
    )
    return {row["kind"]: row["times"] for row in rows}


def set_default_times(
    conn: sqlite3.Connection, unit_id: int, program: str, kind: str, times: str, now: datetime
) -> None:
    conn.execute(
        "INSERT INTO unit_schedule_defaults (unit_id, program, kind, times, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (unit_id, program, kind) DO UPDATE SET"
        " times = excluded.times, updated_at = excluded.updated_at",
        (unit_id, program, kind, times, to_db(now)),
    )


def patient_ids_on_unit_quiet_hours(conn: sqlite3.Connection, unit_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM patients WHERE unit_id = ? AND quiet_start IS NULL", (unit_id,)
    )
    return [row[0] for row in rows]
