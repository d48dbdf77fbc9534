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
