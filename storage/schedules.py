"""Schedules: when a patient is reminded of what. One row per schedule, with an indexed
`next_due_at` that the tick selects on."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from storage.timefmt import from_db, to_db


class UnknownKind(ValueError):
    """A schedule of a kind the code does not know. The kinds are a registry in the code
    (bot/reminders/kinds/), not a CHECK in the table, so storage is told which exist."""

    def __init__(self, kind: str, known: Collection[str]):
        super().__init__(f"unknown reminder kind {kind!r} (known: {', '.join(sorted(known))})")
        self.kind = kind


def parse_times(text: str) -> tuple[time, ...]:
    return tuple(time.fromisoformat(part) for part in text.split(",") if part)


def format_times(times: tuple[time, ...]) -> str:
    return ",".join(sorted(at.strftime("%H:%M") for at in times))


def _weekdays(text: str | None) -> frozenset[int] | None:
    return frozenset(int(day) for day in text.split(",")) if text else None


def format_weekdays(days: frozenset[int] | None) -> str | None:
    return ",".join(str(day) for day in sorted(days)) if days else None


@dataclass(frozen=True)
class Schedule:
    id: int
    patient_id: int
    kind: str
    times: tuple[time, ...]
    weekdays: frozenset[int] | None
    every_days: int | None
    start_date: date
    end_date: date | None
    grace_minutes: int
    resend_after_minutes: int | None
    earliest: time | None
    latest: time | None
    custom_text: str | None
    source: str
    active: bool
    questionnaire: str | None
    next_occurrence: datetime | None
    next_due_at: datetime | None


@dataclass(frozen=True)
class DueSchedule:
    """A due schedule with what the tick needs to know about its patient."""

    schedule: Schedule
    chat_id: int
    language: str
    timezone: str
    quiet_start: time
    quiet_end: time
    paused_until: datetime | None
    unreachable: bool


def _optional_time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def _utc(text: str | None) -> datetime | None:
    """`from_db`, without strptime on the tick's path (about 10x faster): our fixed-width
    'YYYY-MM-DDTHH:MM:SS.ffffffZ' read by fromisoformat; anything else goes to from_db."""
    if not text:
        return None
    if len(text) == 27 and text[10] == "T" and text[26] == "Z":
        try:
            return datetime.fromisoformat(text[:26]).replace(tzinfo=UTC)
        except ValueError:
            pass
    return from_db(text)


def _schedule(row: sqlite3.Row) -> Schedule:
    return Schedule(
        id=row["id"],
        patient_id=row["patient_id"],
        kind=row["kind"],
        times=parse_times(row["times"]),
        weekdays=_weekdays(row["weekdays"]),
        every_days=row["every_days"],
        start_date=date.fromisoformat(row["start_date"]),
        end_date=date.fromisoformat(row["end_date"]) if row["end_date"] else None,
        grace_minutes=row["grace_minutes"],
        resend_after_minutes=row["resend_after_minutes"],
        earliest=_optional_time(row["earliest"]),
        latest=_optional_time(row["latest"]),
        custom_text=row["custom_text"],
        source=row["source"],
        active=bool(row["active"]),
        questionnaire=row["questionnaire"],
        next_occurrence=_utc(row["next_occurrence"]),
        next_due_at=_utc(row["next_due_at"]),
    )


def create(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    kind: str,
    known_kinds: Collection[str],
    times: tuple[time, ...],
    start_date: date,
    now: datetime,
    weekdays: frozenset[int] | None = None,
    every_days: int | None = None,
    end_date: date | None = None,
    grace_minutes: int = 720,
    resend_after_minutes: int | None = None,
    earliest: time | None = None,
    latest: time | None = None,
    custom_text: str | None = None,
    source: str = "program",
    questionnaire: str | None = None,
) -> int:
    """A new schedule; `known_kinds` are the kinds the code knows (bot/reminders/kinds/), and
    any other kind is refused (UnknownKind) before anything is written."""
    if kind not in known_kinds:
        raise UnknownKind(kind, known_kinds)
    cursor = conn.execute(
        "INSERT INTO schedules (patient_id, kind, times, weekdays, every_days, start_date,"
        " end_date, grace_minutes, resend_after_minutes, earliest, latest, custom_text, source,"
        " questionnaire, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            patient_id,
            kind,
            format_times(times),
            format_weekdays(weekdays),
            every_days,
            start_date.isoformat(),
            end_date.isoformat() if end_date else None,
            grace_minutes,
            resend_after_minutes,
            earliest.strftime("%H:%M") if earliest else None,
            latest.strftime("%H:%M") if latest else None,
            custom_text,
            source,
            questionnaire,
            to_db(now),
            to_db(now),
        ),
    )
    return cursor.lastrowid


def get(conn: sqlite3.Connection, schedule_id: int) -> Schedule | None:
    row = conn.execute("SELECT * FROM schedules WHERE id = ?", (schedule_id,)).fetchone()
    return _schedule(row) if row else None


def of_patient(conn: sqlite3.Connection, patient_id: int) -> list[Schedule]:
    rows = conn.execute("SELECT * FROM schedules WHERE patient_id = ? ORDER BY id", (patient_id,))
    return [_schedule(row) for row in rows]


_DUE_SQL = """
SELECT s.*, p.chat_id AS p_chat_id, p.language AS p_language,
       COALESCE(p.timezone, u.timezone) AS p_timezone,
       COALESCE(p.quiet_start, u.quiet_start) AS p_quiet_start,
       COALESCE(p.quiet_end, u.quiet_end) AS p_quiet_end,
       p.paused_until AS p_paused_until, p.unreachable_since AS p_unreachable_since
FROM schedules s
JOIN patients p ON p.id = s.patient_id
JOIN units u ON u.id = p.unit_id
WHERE {where}
ORDER BY s.next_due_at
LIMIT ?
"""


def _due(row: sqlite3.Row) -> DueSchedule:
    return DueSchedule(
        schedule=_schedule(row),
        chat_id=row["p_chat_id"],
        language=row["p_language"],
        timezone=row["p_timezone"],
        quiet_start=time.fromisoformat(row["p_quiet_start"]),
        quiet_end=time.fromisoformat(row["p_quiet_end"]),
        paused_until=_utc(row["p_paused_until"]),
        unreachable=row["p_unreachable_since"] is not None,
    )


def due(conn: sqlite3.Connection, now: datetime, limit: int) -> list[DueSchedule]:
    """Schedules due at `now`, oldest first, selected by the next_due_at index."""
    sql = _DUE_SQL.format(where="s.next_due_at IS NOT NULL AND s.next_due_at <= ?")
    return [_due(row) for row in conn.execute(sql, (to_db(now), limit))]


def with_patient(conn: sqlite3.Connection, schedule_id: int) -> DueSchedule | None:
    """One schedule with its patient's settings (to plan it after a change)."""
    row = conn.execute(_DUE_SQL.format(where="s.id = ?"), (schedule_id, 1)).fetchone()
    return _due(row) if row else None


def set_next(
    conn: sqlite3.Connection,
    schedule_id: int,
    occurrence: datetime | None,
    due_at: datetime | None,
) -> None:
    conn.execute(
        "UPDATE schedules SET next_occurrence = ?, next_due_at = ? WHERE id = ?",
        (to_db(occurrence) if occurrence else None, to_db(due_at) if due_at else None, schedule_id),
    )


def set_next_many(
    conn: sqlite3.Connection, advances: list[tuple[int, datetime | None, datetime | None]]
) -> None:
    """set_next for many schedules at once: (schedule id, occurrence, due at)."""
    conn.executemany(
        "UPDATE schedules SET next_occurrence = ?, next_due_at = ? WHERE id = ?",
        [
            (to_db(occurrence) if occurrence else None, to_db(due) if due else None, schedule_id)
            for schedule_id, occurrence, due in advances
        ],
    )


def update(conn: sqlite3.Connection, schedule_id: int, now: datetime, **fields: object) -> None:
    """Change a schedule's rule: times, weekdays, every_days, active, end_date."""
    encoders = {
        "times": format_times,
        "weekdays": format_weekdays,
        "every_days": lambda value: value,
        "active": int,
        "end_date": lambda value: value.isoformat() if value else None,
    }
    assignments = ", ".join(f"{name} = ?" for name in fields)
    values = [encoders[name](value) for name, value in fields.items()]
    conn.execute(
        f"UPDATE schedules SET {assignments}, updated_at = ? WHERE id = ?",
        (*values, to_db(now), schedule_id),
    )


def ids_of_patient(conn: sqlite3.Connection, patient_id: int) -> list[int]:
    return [
        row[0]
        for row in conn.execute("SELECT id FROM schedules WHERE patient_id = ?", (patient_id,))
    ]
