"""The weekly diary: entries per patient, local day and part of the day."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from storage.timefmt import to_db


@dataclass(frozen=True)
class DiaryEntry:
    part: str
    activity: str | None
    mood: int | None
    activity_type: str | None
    skipped: bool


def of_day(conn: sqlite3.Connection, patient_id: int, day: date) -> dict[str, DiaryEntry]:
    rows = conn.execute(
        "SELECT * FROM diary_entries WHERE patient_id = ? AND day = ?",
        (patient_id, day.isoformat()),
    )
    return {
        row["part"]: DiaryEntry(
            part=row["part"],
            activity=row["activity"],
            mood=row["mood"],
            activity_type=row["activity_type"],
            skipped=bool(row["skipped"]),
        )
        for row in rows
    }


def save_activity(
    conn: sqlite3.Connection, patient_id: int, day: date, part: str, activity: str, now: datetime
) -> None:
    """A new or changed activity; its mood and type are asked again."""
    conn.execute(
        "INSERT INTO diary_entries (patient_id, day, part, activity, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (patient_id, day, part) DO UPDATE SET"
        " activity = excluded.activity, mood = NULL, activity_type = NULL, skipped = 0,"
        " updated_at = excluded.updated_at",
        (patient_id, day.isoformat(), part, activity, to_db(now)),
    )


def save_detail(
    conn: sqlite3.Connection, patient_id: int, day: date, part: str, now: datetime, **fields: object
) -> None:
    """Set mood or activity_type on an existing entry."""
    assignments = ", ".join(f"{name} = ?" for name in fields)
    conn.execute(
        f"UPDATE diary_entries SET {assignments}, updated_at = ?"
        " WHERE patient_id = ? AND day = ? AND part = ?",
        (*fields.values(), to_db(now), patient_id, day.isoformat(), part),
    )


def skip(conn: sqlite3.Connection, patient_id: int, day: date, part: str, now: datetime) -> None:
    conn.execute(
        "INSERT INTO diary_entries (patient_id, day, part, skipped, updated_at)"
        " VALUES (?, ?, ?, 1, ?) ON CONFLICT (patient_id, day, part) DO UPDATE SET"
        " activity = NULL, mood = NULL, activity_type = NULL, skipped = 1,"
        " updated_at = excluded.updated_at",
        (patient_id, day.isoformat(), part, to_db(now)),
    )


def clear(conn: sqlite3.Connection, patient_id: int, day: date, part: str) -> None:
    conn.execute(
        "DELETE FROM diary_entries WHERE patient_id = ? AND day = ? AND part = ?",
        (patient_id, day.isoformat(), part),
    )


def of_days(
    conn: sqlite3.Connection, patient_id: int, first: date, last: date
) -> dict[date, dict[str, DiaryEntry]]:
    """Every entry from `first` to `last` (inclusive), by day and part."""
    rows = conn.execute(
        "SELECT * FROM diary_entries WHERE patient_id = ? AND day BETWEEN ? AND ?",
        (patient_id, first.isoformat(), last.isoformat()),
    )
    found: dict[date, dict[str, DiaryEntry]] = {}
    for row in rows:
        found.setdefault(date.fromisoformat(row["day"]), {})[row["part"]] = DiaryEntry(
            part=row["part"],
            activity=row["activity"],
            mood=row["mood"],
            activity_type=row["activity_type"],
            skipped=bool(row["skipped"]),
        )
    return found


def types_and_moods(
    conn: sqlite3.Connection, patient_id: int, first: date, last: date
) -> list[tuple[date, str | None, int | None]]:
    """(day, activity type, mood) of every entry from `first` to `last` (inclusive) that was
    not skipped; not what was written, which the balance never needs."""
    rows = conn.execute(
        "SELECT day, activity_type, mood FROM diary_entries"
        " WHERE patient_id = ? AND day BETWEEN ? AND ? AND skipped = 0 ORDER BY day",
        (patient_id, first.isoformat(), last.isoformat()),
    )
    return [(date.fromisoformat(row["day"]), row["activity_type"], row["mood"]) for row in rows]
