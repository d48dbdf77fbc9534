"""Patients and their enrollments in programs."""

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Patient:
    id: int
    unit_id: int
    therapist_id: int
    label: str
    telegram_user_id: int
    chat_id: int
    language: str
    last_active_at: datetime | None = None  # the latest turn, for the overview
    confirmed_at: datetime | None = None  # None: the therapist has not confirmed who this is
    outreach_stopped_at: datetime | None = None  # set: ended or withdrawn, the bot starts nothing

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass(frozen=True)
class Enrollment:
    id: int
    patient_id: int
    program: str
    current_module: int
    module_started_at: datetime
    started_at: datetime
    mode: str = "guided"  # or "self-help": no messaging with a therapist (0011)
    status: str = "active"  # or "maintenance" or "ended" (0020); never back
    maintenance_until: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None


def _patient(row: sqlite3.Row | None) -> Patient | None:
    if row is None:
        return None
    return Patient(
        id=row["id"],
        unit_id=row["unit_id"],
        therapist_id=row["therapist_id"],
        label=row["label"],
        telegram_user_id=row["telegram_user_id"],
        chat_id=row["chat_id"],
        language=row["language"],
        last_active_at=_optional_time(row["last_active_at"]),
        confirmed_at=_optional_time(row["confirmed_at"]),
        outreach_stopped_at=_optional_time(row["outreach_stopped_at"]),
    )


def _optional_time(text: str | None) -> datetime | None:
    return from_db(text) if text else None


def by_telegram_user(conn: sqlite3.Connection, telegram_user_id: int) -> Patient | None:
    row = conn.execute(
        "SELECT * FROM patients WHERE telegram_user_id = ?", (telegram_user_id,)
    ).fetchone()
    return _patient(row)


def create(
    conn: sqlite3.Connection,
    *,
    unit_id: int,
    therapist_id: int,
    label: str,
    telegram_user_id: int,
    chat_id: int,
    language: str,
    now: datetime,
) -> Patient:
    conn.execute(
        "INSERT INTO patients (unit_id, therapist_id, label, telegram_user_id, chat_id, language,"
        " consented_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (unit_id, therapist_id, label, telegram_user_id, chat_id, language, to_db(now), to_db(now)),
    )
    return by_telegram_user(conn, telegram_user_id)


def set_language(conn: sqlite3.Connection, patient_id: int, language: str) -> None:
    conn.execute("UPDATE patients SET language = ? WHERE id = ?", (language, patient_id))


def enroll(
    conn: sqlite3.Connection, patient_id: int, program: str, now: datetime, mode: str = "guided"
) -> Enrollment:
    conn.execute(
        "INSERT INTO enrollments (patient_id, program, started_at, module_started_at, mode)"
        " VALUES (?, ?, ?, ?, ?)",
        (patient_id, program, to_db(now), to_db(now), mode),
    )
    return active_enrollment(conn, patient_id)


def active_enrollment(conn: sqlite3.Connection, patient_id: int) -> Enrollment | None:
    """The treatment the patient works in now; None in maintenance or after the end."""
    row = conn.execute(
        "SELECT * FROM enrollments WHERE patient_id = ? AND status = 'active'"
        " ORDER BY id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    return _enrollment(row)


def latest_enrollment(conn: sqlite3.Connection, patient_id: int) -> Enrollment | None:
    """The patient's latest treatment whatever its status (active, maintenance, ended)."""
    row = conn.execute(
        "SELECT * FROM enrollments WHERE patient_id = ? ORDER BY id DESC LIMIT 1", (patient_id,)
    ).fetchone()
    return _enrollment(row)


def _enrollment(row: sqlite3.Row | None) -> Enrollment | None:
    if row is None:
        return None
    return Enrollment(
        id=row["id"],
        patient_id=row["patient_id"],
        program=row["program"],
        current_module=row["current_module"],
        module_started_at=from_db(row["module_started_at"]),
        started_at=from_db(row["started_at"]),
        mode=row["mode"],
        status=row["status"],
        maintenance_until=_optional_time(row["maintenance_until"]),
        ended_at=_optional_time(row["ended_at"]),
        end_reason=row["end_reason"],
    )


def by_chat(conn: sqlite3.Connection, chat_id: int) -> Patient | None:
    return _patient(conn.execute("SELECT * FROM patients WHERE chat_id = ?", (chat_id,)).fetchone())


def get(conn: sqlite3.Connection, patient_id: int) -> Patient | None:
    return _patient(conn.execute("SELECT * FROM patients WHERE id = ?", (patient_id,)).fetchone())


def set_unreachable(conn: sqlite3.Connection, patient_id: int, since: datetime | None) -> bool:
    """Mark a patient unreachable (or reachable again); False when nothing changed."""
    if since is None:
        sql = (
            "UPDATE patients SET unreachable_since = NULL"
            " WHERE id = ? AND unreachable_since IS NOT NULL"
        )
        return conn.execute(sql, (patient_id,)).rowcount == 1
    sql = "UPDATE patients SET unreachable_since = ? WHERE id = ? AND unreachable_since IS NULL"
    return conn.execute(sql, (to_db(since), patient_id)).rowcount == 1


def set_paused_until(conn: sqlite3.Connection, patient_id: int, until: datetime | None) -> None:
    conn.execute(
        "UPDATE patients SET paused_until = ? WHERE id = ?",
        (to_db(until) if until else None, patient_id),
    )


def set_timezone(conn: sqlite3.Connection, patient_id: int, timezone: str) -> None:
    conn.execute("UPDATE patients SET timezone = ? WHERE id = ?", (timezone, patient_id))


def set_quiet_hours(conn: sqlite3.Connection, patient_id: int, start: str, end: str) -> None:
    conn.execute(
        "UPDATE patients SET quiet_start = ?, quiet_end = ? WHERE id = ?", (start, end, patient_id)
    )


@dataclass(frozen=True)
class ReminderSettings:
    timezone: str
    quiet_start: str
    quiet_end: str
    paused_until: datetime | None
    unreachable: bool


def reminder_settings(conn: sqlite3.Connection, patient_id: int) -> ReminderSettings:
    row = conn.execute(
        "SELECT COALESCE(p.timezone, u.timezone) AS tz,"
        " COALESCE(p.quiet_start, u.quiet_start) AS qs, COALESCE(p.quiet_end, u.quiet_end) AS qe,"
        " p.paused_until, p.unreachable_since FROM patients p JOIN units u ON u.id = p.unit_id"
        " WHERE p.id = ?",
        (patient_id,),
    ).fetchone()
    return ReminderSettings(
        timezone=row["tz"],
        quiet_start=row["qs"],
        quiet_end=row["qe"],
        paused_until=from_db(row["paused_until"]) if row["paused_until"] else None,
        unreachable=row["unreachable_since"] is not None,
    )


def by_label(conn: sqlite3.Connection, unit_id: int, label: str) -> Patient | None:
    row = conn.execute(
        "SELECT * FROM patients WHERE unit_id = ? AND label = ?", (unit_id, label)
    ).fetchone()
    return _patient(row)


def set_current_module(
    conn: sqlite3.Connection, enrollment_id: int, module: int, now: datetime
) -> None:
    conn.execute(
        "UPDATE enrollments SET current_module = ?, module_started_at = ? WHERE id = ?",
        (module, to_db(now), enrollment_id),
    )


def of_unit(conn: sqlite3.Connection, unit_id: int) -> list[Patient]:
    """The unit's patients; a purged one is only ids and dates, nobody to list (0022)."""
    rows = conn.execute(
        "SELECT * FROM patients WHERE unit_id = ? AND purged_at IS NULL ORDER BY label",
        (unit_id,),
    )
    return [_patient(row) for row in rows]


def set_therapist(conn: sqlite3.Connection, patient_id: int, therapist_id: int) -> None:
    conn.execute("UPDATE patients SET therapist_id = ? WHERE id = ?", (therapist_id, patient_id))


def count_of_therapist(conn: sqlite3.Connection, therapist_id: int) -> int:
    row = conn.execute("SELECT COUNT(*) FROM patients WHERE therapist_id = ?", (therapist_id,))
    return row.fetchone()[0]
