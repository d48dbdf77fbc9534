"""Behavioural activation: the patient's activity lists, planned activities and the
follow-up of each planned occurrence. A plan's times live in its schedule (kind 'activity')."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import from_db, to_db

TYPES = ("vill", "maste", "kan_vara_utan")
OUTCOMES = ("ja", "delvis", "nej")


@dataclass(frozen=True)
class Activity:
    id: int
    text: str
    activity_type: str


@dataclass(frozen=True)
class Plan:
    id: int
    patient_id: int
    schedule_id: int
    text: str
    activity_type: str | None
    source: str
    item: str | None
    flag_when_missed: bool
    comments_allowed: bool


@dataclass(frozen=True)
class Outcome:
    plan_id: int
    reminder_id: int
    outcome: str
    mood: int | None
    comment: str | None
    answered_at: datetime


# ---- the lists ------------------------------------------------------------------------------


def add(
    conn: sqlite3.Connection, patient_id: int, text: str, activity_type: str, now: datetime
) -> int:
    cursor = conn.execute(
        "INSERT INTO activities (patient_id, text, activity_type, created_at)"
        " VALUES (?, ?, ?, ?) RETURNING id",
        (patient_id, text, activity_type, to_db(now)),
    )
    return cursor.fetchone()[0]


def listed(conn: sqlite3.Connection, patient_id: int) -> list[Activity]:
    rows = conn.execute(
        "SELECT id, text, activity_type FROM activities WHERE patient_id = ? AND removed_at IS NULL"
        " ORDER BY id",
        (patient_id,),
    )
    return [Activity(row["id"], row["text"], row["activity_type"]) for row in rows]


def remove(conn: sqlite3.Connection, patient_id: int, activity_id: int, now: datetime) -> bool:
    cursor = conn.execute(
        "UPDATE activities SET removed_at = ?"
        " WHERE id = ? AND patient_id = ? AND removed_at IS NULL",
        (to_db(now), activity_id, patient_id),
    )
    return cursor.rowcount == 1


# ---- plans ----------------------------------------------------------------------------------


def _plan(row: sqlite3.Row) -> Plan:
    return Plan(
        id=row["id"],
        patient_id=row["patient_id"],
        schedule_id=row["schedule_id"],
        text=row["text"],
        activity_type=row["activity_type"],
        source=row["source"],
        item=row["item"],
        flag_when_missed=bool(row["flag_when_missed"]),
        comments_allowed=bool(row["comments_allowed"]),
    )


def create_plan(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    schedule_id: int,
    text: str,
    activity_type: str | None,
    source: str,
    now: datetime,
    item: str | None = None,
    flag_when_missed: bool = False,
    comments_allowed: bool = True,
    created_by: int | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO activity_plans (patient_id, schedule_id, text, activity_type, source, item,"
        " flag_when_missed, comments_allowed, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            patient_id,
            schedule_id,
            text,
            activity_type,
            source,
            item,
            int(flag_when_missed),
            int(comments_allowed),
            created_by,
            to_db(now),
        ),
    )
    return cursor.fetchone()[0]


def plan_of_schedule(conn: sqlite3.Connection, schedule_id: int) -> Plan | None:
    row = conn.execute(
        "SELECT * FROM activity_plans WHERE schedule_id = ?", (schedule_id,)
    ).fetchone()
    return _plan(row) if row else None


def get_plan(conn: sqlite3.Connection, plan_id: int) -> Plan | None:
    row = conn.execute("SELECT * FROM activity_plans WHERE id = ?", (plan_id,)).fetchone()
    return _plan(row) if row else None


def plans_of(conn: sqlite3.Connection, patient_id: int, *, source: str | None = None) -> list[Plan]:
    query = "SELECT * FROM activity_plans WHERE patient_id = ?"
    params: tuple = (patient_id,)
    if source is not None:
        query += " AND source = ?"
        params += (source,)
    return [_plan(row) for row in conn.execute(query + " ORDER BY id", params)]


# ---- follow-up ------------------------------------------------------------------------------


def _outcome(row: sqlite3.Row) -> Outcome:
    return Outcome(
        plan_id=row["plan_id"],
        reminder_id=row["reminder_id"],
        outcome=row["outcome"],
        mood=row["mood"],
        comment=row["comment"],
        answered_at=from_db(row["answered_at"]),
    )


def record_outcome(
    conn: sqlite3.Connection,
    plan_id: int,
    reminder_id: int,
    outcome: str,
    mood: int | None,
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO activity_outcomes (plan_id, reminder_id, outcome, mood, answered_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (plan_id, reminder_id, outcome, mood, to_db(now)),
    )


def set_comment(conn: sqlite3.Connection, reminder_id: int, comment: str) -> None:
    conn.execute(
        "UPDATE activity_outcomes SET comment = ? WHERE reminder_id = ?", (comment, reminder_id)
    )


def outcome_of(conn: sqlite3.Connection, reminder_id: int) -> Outcome | None:
    row = conn.execute(
        "SELECT * FROM activity_outcomes WHERE reminder_id = ?", (reminder_id,)
    ).fetchone()
    return _outcome(row) if row else None


@dataclass(frozen=True)
class Occurrence:
    """One planned occurrence that has come (a reminders row) and what became of it."""

    plan: Plan
    reminder_id: int
    occurrence: datetime
    status: str  # the reminder's: open | answered | missed
    outcome: Outcome | None


def occurrences(
    conn: sqlite3.Connection, patient_id: int, since: datetime, until: datetime
) -> list[Occurrence]:
    """Planned occurrences from `since` to `until` (UTC), oldest first, each with its plan
    and its answer (one query)."""
    rows = conn.execute(
        "SELECT p.*, r.id AS reminder_row, r.occurrence AS reminder_occurrence,"
        " r.status AS reminder_status, o.plan_id, o.reminder_id, o.outcome, o.mood, o.comment,"
        " o.answered_at"
        " FROM reminders r JOIN activity_plans p ON p.schedule_id = r.schedule_id"
        " LEFT JOIN activity_outcomes o ON o.reminder_id = r.id"
        " WHERE r.patient_id = ? AND r.occurrence >= ? AND r.occurrence < ?"
        " ORDER BY r.occurrence",
        (patient_id, to_db(since), to_db(until)),
    )
    return [
        Occurrence(
            plan=_plan(row),
            reminder_id=row["reminder_row"],
            occurrence=from_db(row["reminder_occurrence"]),
            status=row["reminder_status"],
            outcome=_outcome(row) if row["outcome"] is not None else None,
        )
        for row in rows
    ]
