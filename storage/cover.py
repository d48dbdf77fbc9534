"""Absence cover: deputies for an absent therapist's patients, for a period."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage import dialect
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Cover:
    id: int
    staff_id: int
    deputy_id: int
    starts_at: datetime
    ends_at: datetime


def _cover(row: sqlite3.Row) -> Cover:
    return Cover(
        id=row["id"],
        staff_id=row["staff_id"],
        deputy_id=row["deputy_id"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
    )


def add(
    conn: sqlite3.Connection,
    *,
    staff_id: int,
    deputy_id: int,
    starts_at: datetime,
    ends_at: datetime,
    created_by: int | None,
    now: datetime,
) -> int:
    cursor = conn.execute(
        "INSERT INTO deputies (staff_id, deputy_id, starts_at, ends_at, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (staff_id, deputy_id, to_db(starts_at), to_db(ends_at), created_by, to_db(now)),
    )
    return cursor.fetchone()[0]


def end(conn: sqlite3.Connection, cover_id: int, now: datetime) -> None:
    """End a cover now (or cancel one that has not started)."""
    conn.execute(
        f"UPDATE deputies SET ends_at = {dialect.least(conn)}(ends_at, ?),"
        f" starts_at = {dialect.least(conn)}(starts_at, ?) WHERE id = ?",
        (to_db(now), to_db(now), cover_id),
    )


def deputies_of(conn: sqlite3.Connection, staff_id: int, now: datetime) -> list[int]:
    """Who covers for this therapist right now."""
    rows = conn.execute(
        "SELECT deputy_id FROM deputies WHERE staff_id = ? AND starts_at <= ? AND ends_at > ?",
        (staff_id, to_db(now), to_db(now)),
    )
    return [row["deputy_id"] for row in rows]


def covered_by(conn: sqlite3.Connection, deputy_id: int, now: datetime) -> list[int]:
    """Whose patients this staff member covers right now."""
    rows = conn.execute(
        "SELECT staff_id FROM deputies WHERE deputy_id = ? AND starts_at <= ? AND ends_at > ?",
        (deputy_id, to_db(now), to_db(now)),
    )
    return [row["staff_id"] for row in rows]


def of_unit(conn: sqlite3.Connection, unit_id: int, now: datetime) -> list[Cover]:
    """Current and coming covers in a unit."""
    rows = conn.execute(
        "SELECT d.* FROM deputies d JOIN staff s ON s.id = d.staff_id"
        " WHERE s.unit_id = ? AND d.ends_at > ? ORDER BY d.starts_at",
        (unit_id, to_db(now)),
    )
    return [_cover(row) for row in rows]


def get(conn: sqlite3.Connection, cover_id: int) -> Cover | None:
    row = conn.execute("SELECT * FROM deputies WHERE id = ?", (cover_id,)).fetchone()
    return _cover(row) if row is not None else None
