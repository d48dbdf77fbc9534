"""Units (clinics) and their settings."""

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    timezone: str
    therapist_chat_id: int | None


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(row["id"], row["name"], row["timezone"], row["therapist_chat_id"])


def get_or_create(
    conn: sqlite3.Connection, name: str, now: datetime, *, timezone: str | None = None
) -> Unit:
    """The unit called ``name``; a new one gets ``timezone`` (None: the table's default,
    Europe/Stockholm). An existing unit keeps its own zone."""
    if timezone is None:
        conn.execute(
            "INSERT INTO units (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
            (name, to_db(now)),
        )
    else:
        conn.execute(
            "INSERT INTO units (name, timezone, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT(name) DO NOTHING",
            (name, timezone, to_db(now)),
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


QUIET_DAYS_RANGE = (1, 90)  # the quiet-patient flag: days without activity (0017)


def quiet_days(conn: sqlite3.Connection, unit_id: int) -> int:
    """After how many days without activity a patient raises the quiet-patient flag."""
    return conn.execute("SELECT quiet_days FROM units WHERE id = ?", (unit_id,)).fetchone()[0]


def set_quiet_days(conn: sqlite3.Connection, unit_id: int, days: int) -> None:
    first, last = QUIET_DAYS_RANGE
    if not first <= days <= last:
        raise ValueError(f"quiet days {days} outside {first}..{last}")
    conn.execute("UPDATE units SET quiet_days = ? WHERE id = ?", (days, unit_id))


PURGE_AFTER_DAYS_RANGE = (1, 730)  # purge (gallring): days after a treatment's end (0022)


def purge_after_days(conn: sqlite3.Connection, unit_id: int) -> int:
    """How many days after a treatment's end its personal data is purged (bot/care/purge.py)."""
    row = conn.execute("SELECT purge_after_days FROM units WHERE id = ?", (unit_id,)).fetchone()
    return row[0]


def set_purge_after_days(conn: sqlite3.Connection, unit_id: int, days: int) -> None:
    first, last = PURGE_AFTER_DAYS_RANGE
    if not first <= days <= last:
        raise ValueError(f"purge days {days} outside {first}..{last}")
    conn.execute("UPDATE units SET purge_after_days = ? WHERE id = ?", (days, unit_id))


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


@dataclass(frozen=True)
class SafetySettings:
    timezone: str
    office_days: frozenset[int]
    office_start: str
    office_end: str
    ack_minutes: int
    therapist_chat_id: int | None
    channel_broken: bool


def safety_settings(conn: sqlite3.Connection, unit_id: int) -> SafetySettings:
    row = conn.execute("SELECT * FROM units WHERE id = ?", (unit_id,)).fetchone()
    return SafetySettings(
        timezone=row["timezone"],
        office_days=frozenset(int(day) for day in row["office_days"].split(",") if day),
        office_start=row["office_start"],
        office_end=row["office_end"],
        ack_minutes=row["ack_minutes"],
        therapist_chat_id=row["therapist_chat_id"],
        channel_broken=row["channel_broken_since"] is not None,
    )


def by_channel(conn: sqlite3.Connection, chat_id: int) -> Unit | None:
    row = conn.execute("SELECT * FROM units WHERE therapist_chat_id = ?", (chat_id,)).fetchone()
    return _unit(row) if row else None


def set_channel(conn: sqlite3.Connection, unit_id: int, chat_id: int | None) -> None:
    """Register the unit's therapist channel (None: none). A new registration starts out
    reachable: an earlier "unreachable" mark belonged to the old chat."""
    conn.execute(
        "UPDATE units SET therapist_chat_id = ?, channel_broken_since = NULL WHERE id = ?",
        (chat_id, unit_id),
    )


def set_channel_broken(conn: sqlite3.Connection, unit_id: int, since: datetime | None) -> bool:
    """Mark the therapist channel unreachable (or working again); False if nothing changed."""
    if since is None:
        sql = (
            "UPDATE units SET channel_broken_since = NULL"
            " WHERE id = ? AND channel_broken_since IS NOT NULL"
        )
        return conn.execute(sql, (unit_id,)).rowcount == 1
    sql = "UPDATE units SET channel_broken_since = ? WHERE id = ? AND channel_broken_since IS NULL"
    return conn.execute(sql, (to_db(since), unit_id)).rowcount == 1


def staff_chats_with_role(
    conn: sqlite3.Connection, unit_id: int, *roles: str
) -> list[tuple[int, int]]:
    """(staff id, private chat id) of active, bound staff of the unit with any of the roles."""
    marks = ",".join("?" for _ in roles)
    rows = conn.execute(
        "SELECT DISTINCT s.id, s.telegram_user_id FROM staff s"
        " JOIN staff_roles r ON r.staff_id = s.id WHERE s.unit_id = ? AND s.active = 1"
        f" AND s.telegram_user_id IS NOT NULL AND r.role IN ({marks})"
        " ORDER BY s.id",
        (unit_id, *roles),
    )
    return [(row[0], row[1]) for row in rows]


def on_call_chats(conn: sqlite3.Connection, unit_id: int) -> list[tuple[int, int]]:
    rows = conn.execute(
        "SELECT s.id, s.telegram_user_id FROM unit_on_call o JOIN staff s ON s.id = o.staff_id"
        " WHERE o.unit_id = ? AND s.active = 1 AND s.telegram_user_id IS NOT NULL ORDER BY s.id",
        (unit_id,),
    )
    return [(row[0], row[1]) for row in rows]


def is_on_call(conn: sqlite3.Connection, unit_id: int, staff_id: int) -> bool:
    row = conn.execute(
        "SELECT 1 FROM unit_on_call WHERE unit_id = ? AND staff_id = ?", (unit_id, staff_id)
    ).fetchone()
    return row is not None


def set_on_call(conn: sqlite3.Connection, unit_id: int, staff_id: int, on: bool) -> None:
    if on:
        conn.execute(
            "INSERT INTO unit_on_call (unit_id, staff_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (unit_id, staff_id),
        )
    else:
        conn.execute(
            "DELETE FROM unit_on_call WHERE unit_id = ? AND staff_id = ?", (unit_id, staff_id)
        )


def staff_of(conn: sqlite3.Connection, unit_id: int) -> list[tuple[int, str, bool]]:
    """(staff id, name, on call) of the unit's active staff."""
    rows = conn.execute(
        "SELECT s.id, s.name, o.staff_id IS NOT NULL AS on_call FROM staff s"
        " LEFT JOIN unit_on_call o ON o.staff_id = s.id AND o.unit_id = s.unit_id"
        " WHERE s.unit_id = ? AND s.active = 1 ORDER BY s.name, s.id",
        (unit_id,),
    )
    return [(row[0], row[1], bool(row[2])) for row in rows]


def by_name(conn: sqlite3.Connection, name: str) -> Unit | None:
    row = conn.execute("SELECT * FROM units WHERE name = ?", (name,)).fetchone()
    return _unit(row) if row is not None else None


# The weekly on-call check (bot/escalation/on_call_note.py) is due for a unit with an active,
# bound admin (someone to tell) whose check is not planned yet or has come.
_ON_CALL_CHECK_DUE = (
    " FROM units u WHERE (u.on_call_check_at IS NULL OR u.on_call_check_at <= :now)"
    " AND EXISTS (SELECT 1 FROM staff s JOIN staff_roles r ON r.staff_id = s.id"
    " WHERE s.unit_id = u.id AND s.active = 1 AND s.telegram_user_id IS NOT NULL"
    " AND r.role = 'admin')"
)


def on_call_checks_due(
    conn: sqlite3.Connection, now: datetime, limit: int
) -> list[tuple[int, datetime | None]]:
    """(unit id, planned check or None) of the units whose on-call check is due."""
    rows = conn.execute(
        "SELECT u.id, u.on_call_check_at" + _ON_CALL_CHECK_DUE + " ORDER BY u.id LIMIT :limit",
        {"now": to_db(now), "limit": limit},
    )
    return [(row[0], from_db(row[1]) if row[1] else None) for row in rows]


def count_on_call_checks_due(conn: sqlite3.Connection, now: datetime) -> int:
    return conn.execute("SELECT COUNT(*)" + _ON_CALL_CHECK_DUE, {"now": to_db(now)}).fetchone()[0]


def plan_on_call_check(conn: sqlite3.Connection, unit_id: int, at: datetime) -> None:
    conn.execute("UPDATE units SET on_call_check_at = ? WHERE id = ?", (to_db(at), unit_id))


def module_opening(conn: sqlite3.Connection, unit_id: int) -> str | None:
    """Who opens the next module for the unit's patients ('therapist' | 'weekly'); None: as
    each patient's program says."""
    row = conn.execute("SELECT module_opening FROM units WHERE id = ?", (unit_id,)).fetchone()
    return row["module_opening"] if row else None


def set_module_opening(conn: sqlite3.Connection, unit_id: int, opening: str | None) -> None:
    conn.execute("UPDATE units SET module_opening = ? WHERE id = ?", (opening, unit_id))


IDENTITY_CHECKS = ("therapist", "verifier")


def identity_check(conn: sqlite3.Connection, unit_id: int) -> str:
    """How the unit confirms who a new patient is: 'therapist' (default) or 'verifier'."""
    row = conn.execute("SELECT identity_check FROM units WHERE id = ?", (unit_id,)).fetchone()
    return row["identity_check"] if row else "therapist"


def set_identity_check(conn: sqlite3.Connection, unit_id: int, check: str) -> None:
    conn.execute("UPDATE units SET identity_check = ? WHERE id = ?", (check, unit_id))
