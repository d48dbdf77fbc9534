"""Schedules: when a patient is reminded of what. One row per schedule, with an indexed
`next_due_at` that the tick selects on."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache

from storage import dialect
from storage.timefmt import from_db, to_db

# A batch of due schedules repeats a few texts thousands of times (the same times, start
# dates, next occurrences): the parsers below keep what they parsed (immutable values).


class UnknownKind(ValueError):
    """A schedule of a kind the code does not know. The kinds are a registry in the code
    (bot/reminders/kinds/), not a CHECK in the table, so storage is told which exist."""

    def __init__(self, kind: str, known: Collection[str]):
        super().__init__(f"unknown reminder kind {kind!r} (known: {', '.join(sorted(known))})")
        self.kind = kind


@lru_cache(maxsize=1024)
def parse_times(text: str) -> tuple[time, ...]:
    return tuple(time.fromisoformat(part) for part in text.split(",") if part)


def format_times(times: tuple[time, ...]) -> str:
    return ",".join(sorted(at.strftime("%H:%M") for at in times))


@lru_cache(maxsize=256)
def _weekdays(text: str | None) -> frozenset[int] | None:
    return frozenset(int(day) for day in text.split(",")) if text else None


def format_weekdays(days: frozenset[int] | None) -> str | None:
    return ",".join(str(day) for day in sorted(days)) if days else None


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@lru_cache(maxsize=1024)
def _optional_time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


@lru_cache(maxsize=4096)
def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@lru_cache(maxsize=4096)
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


# The columns a Schedule is read from, in the order _schedule takes them (named, not `*`,
# so rows can be read by position: a name lookup in sqlite3.Row is a search).
_COLUMNS = (
    "id, patient_id, kind, times, weekdays, every_days, start_date, end_date, grace_minutes,"
    " resend_after_minutes, earliest, latest, custom_text, source, active, questionnaire,"
    " next_occurrence, next_due_at"
)
_WIDTH = 18
_SELECT = f"SELECT {_COLUMNS} FROM schedules"


def _schedule(row: tuple | sqlite3.Row) -> Schedule:
    (
        schedule_id,
        patient_id,
        kind,
        times,
        weekdays,
        every_days,
        start_date,
        end_date,
        grace_minutes,
        resend_after_minutes,
        earliest,
        latest,
        custom_text,
        source,
        active,
        questionnaire,
        next_occurrence,
        next_due_at,
    ) = row[:_WIDTH]
    return Schedule(
        schedule_id,
        patient_id,
        kind,
        parse_times(times),
        _weekdays(weekdays),
        every_days,
        _date(start_date),
        _date(end_date),
        grace_minutes,
        resend_after_minutes,
        _optional_time(earliest),
        _optional_time(latest),
        custom_text,
        source,
        bool(active),
        questionnaire,
        _utc(next_occurrence),
        _utc(next_due_at),
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
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
    return cursor.fetchone()[0]


def get(conn: sqlite3.Connection, schedule_id: int) -> Schedule | None:
    row = conn.execute(_SELECT + " WHERE id = ?", (schedule_id,)).fetchone()
    return _schedule(row) if row else None


def any_active_from(conn: sqlite3.Connection, patient_id: int, source: str) -> bool:
    """Whether the patient has an active schedule set up by `source` ('staff', ...)."""
    row = conn.execute(
        "SELECT 1 FROM schedules WHERE patient_id = ? AND source = ? AND active = 1 LIMIT 1",
        (patient_id, source),
    ).fetchone()
    return row is not None


def of_patient(conn: sqlite3.Connection, patient_id: int) -> list[Schedule]:
    rows = conn.execute(_SELECT + " WHERE patient_id = ? ORDER BY id", (patient_id,))
    return [_schedule(row) for row in rows]


_DUE_SQL = (
    "SELECT "
    + ", ".join(f"s.{column.strip()}" for column in _COLUMNS.split(","))
    + """, p.chat_id, p.language, COALESCE(p.timezone, u.timezone),
       COALESCE(p.quiet_start, u.quiet_start), COALESCE(p.quiet_end, u.quiet_end),
       p.paused_until, p.unreachable_since
FROM schedules s
JOIN patients p ON p.id = s.patient_id
JOIN units u ON u.id = p.unit_id
WHERE {where}
ORDER BY s.next_due_at, s.id
LIMIT ?
"""
)


def _due(row: tuple) -> DueSchedule:
    chat_id, language, timezone, quiet_start, quiet_end, paused_until, unreachable = row[_WIDTH:]
    return DueSchedule(
        _schedule(row),
        chat_id,
        language,
        timezone,
        _optional_time(quiet_start),
        _optional_time(quiet_end),
        _utc(paused_until),
        unreachable is not None,
    )


def _plain_rows(conn: sqlite3.Connection, sql: str, parameters: tuple) -> sqlite3.Cursor:
    """Rows as plain tuples, read by position (the connection's rows are sqlite3.Row)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, parameters)


def due(conn: sqlite3.Connection, now: datetime, limit: int) -> list[DueSchedule]:
    """Schedules due at `now`, oldest first, selected by the next_due_at index."""
    sql = _DUE_SQL.format(where="s.next_due_at IS NOT NULL AND s.next_due_at <= ?")
    return [_due(row) for row in _plain_rows(conn, sql, (to_db(now), limit))]


def of_patients_due_by(
    conn: sqlite3.Connection,
    patient_ids: Collection[int],
    until: datetime,
    besides: Collection[int],
) -> list[DueSchedule]:
    """These patients' schedules due by `until`, other than `besides`, soonest first: the
    tick's look for reminders that go in the same message (bot/reminders/merging.py). Found
    through the patient index (`+` keeps the planner off the next_due_at index, whose range
    up to `until` holds every other patient due as well)."""
    if not patient_ids:
        return []
    # SQLite's unary `+` keeps its planner off the index; PostgreSQL plans by statistics.
    due = dialect.pick(conn, sqlite="+s.next_due_at", postgres="s.next_due_at")
    ids = dialect.ids_in_json(conn)
    sql = _DUE_SQL.format(where=f"s.patient_id IN ({ids}) AND {due} <= ? AND s.id NOT IN ({ids})")
    everything = dialect.pick_value(conn, sqlite=-1, postgres=None)  # LIMIT without a limit
    parameters = (
        json.dumps(list(patient_ids)),
        to_db(until),
        json.dumps(list(besides)),
        everything,
    )
    return [_due(row) for row in _plain_rows(conn, sql, parameters)]


def with_patient(conn: sqlite3.Connection, schedule_id: int) -> DueSchedule | None:
    """One schedule with its patient's settings (to plan it after a change)."""
    row = _plain_rows(conn, _DUE_SQL.format(where="s.id = ?"), (schedule_id, 1)).fetchone()
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


# UPDATE ... FROM needs SQLite 3.33 or later, which binds up to 32,766 values a statement.
_ADVANCES_PER_UPDATE = 500


def set_next_many(
    conn: sqlite3.Connection, advances: list[tuple[int, datetime | None, datetime | None]]
) -> None:
    """set_next for many schedules at once: (schedule id, occurrence, due at); one UPDATE
    ... FROM (VALUES ...) per 500 schedules (cheaper than a statement run per row)."""
    for start in range(0, len(advances), _ADVANCES_PER_UPDATE):
        part = advances[start : start + _ADVANCES_PER_UPDATE]
        row = f"(?, {dialect.time_param(conn)}, {dialect.time_param(conn)})"
        conn.execute(
            "UPDATE schedules SET next_occurrence = v.column2, next_due_at = v.column3"
            " FROM (VALUES " + ", ".join([row] * len(part)) + ") AS v"
            " WHERE schedules.id = v.column1",
            [
                value
                for schedule_id, occurrence, due in part
                for value in (
                    schedule_id,
                    to_db(occurrence) if occurrence else None,
                    to_db(due) if due else None,
                )
            ],
        )


def update(conn: sqlite3.Connection, schedule_id: int, now: datetime, **fields: object) -> None:
    """Change a schedule's rule: times, weekdays, every_days, active, end_date; and who set
    it (source: a staff member's change makes it 'staff')."""
    encoders = {
        "source": str,
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
