"""Journal periods (0020): the therapist marks a summary as written into the patient record
(`/journal`); the next period starts where the recorded one ended. A purge waits for the last
period to be recorded."""

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage import dialect
from storage.timefmt import from_db, to_db


def record(
    conn: sqlite3.Connection,
    patient_id: int,
    period_start: datetime,
    period_end: datetime,
    staff_id: int | None,
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO journal_notes (patient_id, period_start, period_end, recorded_by,"
        " recorded_at) VALUES (?, ?, ?, ?, ?)",
        (patient_id, to_db(period_start), to_db(period_end), staff_id, to_db(now)),
    )


def recorded_until(conn: sqlite3.Connection, patient_id: int) -> datetime | None:
    """The end of the last period marked as recorded; None when none has been."""
    row = conn.execute(
        "SELECT MAX(period_end) FROM journal_notes WHERE patient_id = ?", (patient_id,)
    ).fetchone()
    return from_db(row[0]) if row[0] else None


# ---- what a period holds (the summary's facts: ids, codes, counts and dates, never text) --


@dataclass(frozen=True)
class Period:
    """What a journal summary covers, in UTC: after `start` (from it, for the first period,
    which starts with the enrollment) up to and including `end`."""

    start: datetime
    end: datetime
    first: bool  # no period recorded before: `start` itself belongs to this one

    def where(self, column: str) -> tuple[str, tuple[str, str]]:
        lower = ">=" if self.first else ">"
        return f"{column} {lower} ? AND {column} <= ?", (to_db(self.start), to_db(self.end))


def current_period(
    conn: sqlite3.Connection, patient_id: int, enrolled_at: datetime, now: datetime
) -> Period:
    """The period not yet recorded: since the last recorded one (or the enrollment) until now."""
    until = recorded_until(conn, patient_id)
    if until is None:
        return Period(enrolled_at, now, first=True)
    return Period(until, max(until, now), first=False)


@dataclass(frozen=True)
class MessageFact:
    direction: str  # from_patient | to_patient
    kind: str  # message | comment | feedback
    at: datetime
    module: int | None  # feedback: the module it is about


def messages_in(conn: sqlite3.Connection, patient_id: int, period: Period) -> list[MessageFact]:
    """Messages either way written in the period, without their text, oldest first."""
    where, bounds = period.where("created_at")
    rows = conn.execute(
        "SELECT direction, kind, created_at, module FROM messages"
        f" WHERE patient_id = ? AND {where} ORDER BY created_at, id",
        (patient_id, *bounds),
    )
    return [MessageFact(r[0], r[1], from_db(r[2]), r[3]) for r in rows.fetchall()]


def answered_in(conn: sqlite3.Connection, patient_id: int, period: Period) -> list[datetime]:
    """When the patient's messages were first answered by staff, for answers in the period."""
    where, bounds = period.where("answered_at")
    rows = conn.execute(
        "SELECT answered_at FROM messages WHERE patient_id = ? AND direction = 'from_patient'"
        f" AND {where} ORDER BY answered_at",
        (patient_id, *bounds),
    )
    return [from_db(r[0]) for r in rows.fetchall()]


def modules_opened_in(
    conn: sqlite3.Connection, patient_id: int, period: Period
) -> list[tuple[int, datetime]]:
    """(module, when) for modules and add-ons opened in the period (the events)."""
    where, bounds = period.where("created_at")
    rows = conn.execute(
        f"SELECT {dialect.json_field(conn, 'details_json', 'module')}, created_at FROM events"
        f" WHERE patient_id = ? AND type IN ('module_opened', 'addon_opened') AND {where}"
        " ORDER BY created_at, id",
        (patient_id, *bounds),
    )
    # the field as text on both databases: a module number is all digits
    return [(int(r[0]), from_db(r[1])) for r in rows.fetchall() if str(r[0]).isdigit()]


def modules_finished_in(
    conn: sqlite3.Connection, patient_id: int, period: Period
) -> list[tuple[int, datetime]]:
    where, bounds = period.where("m.finished_at")
    rows = conn.execute(
        "SELECT m.module, m.finished_at FROM module_progress m"
        " JOIN enrollments e ON e.id = m.enrollment_id"
        f" WHERE e.patient_id = ? AND {where} ORDER BY m.finished_at, m.module",
        (patient_id, *bounds),
    )
    return [(r[0], from_db(r[1])) for r in rows.fetchall()]


@dataclass(frozen=True)
class ScoreFact:
    questionnaire: str  # its id
    total: int
    max_total: int
    at: datetime


def scores_in(conn: sqlite3.Connection, patient_id: int, period: Period) -> list[ScoreFact]:
    where, bounds = period.where("submitted_at")
    rows = conn.execute(
        "SELECT questionnaire, total, max_total, submitted_at FROM measurements"
        f" WHERE patient_id = ? AND {where} ORDER BY submitted_at, id",
        (patient_id, *bounds),
    )
    return [ScoreFact(r[0], r[1], r[2], from_db(r[3])) for r in rows.fetchall()]


@dataclass(frozen=True)
class FlagFact:
    id: int
    severity: str
    kind: str | None  # its first trigger's kind (flag_triggers.kind)
    raised_at: datetime
    handled_at: datetime | None
    handled_by: str | None  # the staff member's name


def flags_in(conn: sqlite3.Connection, patient_id: int, period: Period) -> list[FlagFact]:
    """Flags raised or handled in the period (the handling comment is left out: free text)."""
    raised, raised_bounds = period.where("f.created_at")
    handled, handled_bounds = period.where("f.handled_at")
    rows = conn.execute(
        "SELECT f.id, f.severity, f.created_at, f.handled_at, s.name,"
        " (SELECT kind FROM flag_triggers t WHERE t.flag_id = f.id ORDER BY t.id LIMIT 1)"
        " FROM flags f LEFT JOIN staff s ON s.id = f.handled_by"
        f" WHERE f.patient_id = ? AND (({raised}) OR ({handled})) ORDER BY f.created_at, f.id",
        (patient_id, *raised_bounds, *handled_bounds),
    )
    return [
        FlagFact(r[0], r[1], r[5], from_db(r[2]), from_db(r[3]) if r[3] else None, r[4])
        for r in rows.fetchall()
    ]


@dataclass(frozen=True)
class ChangeFact:
    change: str  # enrolled, confirmed, maintenance, ended, withdrawn, ...
    reason: str | None
    by: str | None  # the staff member's name; None: the patient or the bot
    at: datetime


def lifecycle_in(conn: sqlite3.Connection, patient_id: int, period: Period) -> list[ChangeFact]:
    where, bounds = period.where("l.at")
    rows = conn.execute(
        "SELECT l.change, l.reason, s.name, l.at FROM lifecycle_events l"
        f" LEFT JOIN staff s ON s.id = l.staff_id WHERE l.patient_id = ? AND {where}"
        " ORDER BY l.at, l.id",
        (patient_id, *bounds),
    )
    return [ChangeFact(r[0], r[1], r[2], from_db(r[3])) for r in rows.fetchall()]


@dataclass(frozen=True)
class WrittenCounts:
    """How much the patient wrote in the period, by where staff read it."""

    answers: int  # exercise answers saved or changed (/answers)
    diary_days: int  # diary days filled in or changed (/diary)
    notes: int  # notes of their own (/notes)


def written_in(conn: sqlite3.Connection, patient_id: int, period: Period) -> WrittenCounts:
    answers_where, answers_bounds = period.where("a.updated_at")
    diary_where, diary_bounds = period.where("updated_at")
    notes_where, notes_bounds = period.where("created_at")
    answers = conn.execute(
        "SELECT COUNT(*) FROM answers a JOIN enrollments e ON e.id = a.enrollment_id"
        f" WHERE e.patient_id = ? AND {answers_where}",
        (patient_id, *answers_bounds),
    ).fetchone()[0]
    diary_days = conn.execute(
        "SELECT COUNT(DISTINCT day) FROM diary_entries"
        f" WHERE patient_id = ? AND skipped = 0 AND {diary_where}",
        (patient_id, *diary_bounds),
    ).fetchone()[0]
    notes = conn.execute(
        f"SELECT COUNT(*) FROM notes WHERE patient_id = ? AND {notes_where}",
        (patient_id, *notes_bounds),
    ).fetchone()[0]
    return WrittenCounts(answers, diary_days, notes)


def record_period(
    conn: sqlite3.Connection,
    patient_id: int,
    enrolled_at: datetime,
    end: datetime,
    staff_id: int | None,
    now: datetime,
) -> Period | None:
    """Mark the period up to `end` (the moment the summary was made) as recorded; None when
    it already was (a repeated or late press: nothing is recorded twice). A colleague may have
    recorded part of it meanwhile: this period then starts where theirs ended."""
    until = recorded_until(conn, patient_id)
    if until is not None and until >= end:
        return None
    period = Period(until or enrolled_at, end, first=until is None)
    record(conn, patient_id, period.start, period.end, staff_id, now)
    return period
