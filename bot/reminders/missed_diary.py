"""The weekly diary check: a week (Monday to Sunday, the patient's local time) with fewer days
filled in than the diary was expected records `diary_week_missed` and raises an amber flag.

Each patient has one diary_weeks row: the next week to check, due the Monday after it at
12:00 local (the patient may still fill in last week's days on Monday morning). A batch
checks the due rows and moves each on to the next week in the same transaction, so a week is
checked exactly once, also across a crash. Weeks when nothing was expected pass silently.

In self-help mode (bot/care/self_help.py) only diary days staff set with `/schedule` are
expected: the program's own diary is the patient's tool, and nobody is flagged about it.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.care.self_help import STAFF, patient_in_self_help
from bot.containment import each_contained
from bot.escalation.flags import TriggerInfo, raise_flag
from bot.escalation.triggers import DIARY_MISSED
from bot.i18n import Translator
from bot.reminders.planning import rule_of
from bot.reminders.recurrence import local_to_utc
from storage import diary_weeks, events, patients, schedules
from storage.diary_weeks import WeekCheck
from storage.schedules import Schedule

BATCH_SIZE = 200
CHECK_AT = time(12, 0)  # local time on the Monday after the week


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def check_time(week: date, zone: ZoneInfo) -> datetime:
    """When the week starting on Monday `week` is checked: the next Monday at 12:00 local."""
    return local_to_utc(week + timedelta(days=7), CHECK_AT, zone)


def start_checking(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    """At enrollment: check the diary from the current week on."""
    zone = ZoneInfo(patients.reminder_settings(conn, patient_id).timezone)
    week = monday_of(now.astimezone(zone).date())
    diary_weeks.start(conn, patient_id, week, now, check_time(week, zone))


def expected_days(
    diaries: list[Schedule],
    week: date,
    zone: ZoneInfo,
    since: datetime,
    paused_until: datetime | None,
) -> set[date]:
    """The days of the week from Monday `week` on which an active diary schedule had an
    occurrence: within its start and end date, on its weekdays or every N days, and with its
    last time that day after `since` (enrollment) and not before the end of a pause.

    The schedules are read as they are now: a rule changed during the week counts for the
    whole week. Only the latest pause is known, so days before its end are taken as paused."""
    days = set()
    for schedule in diaries:
        if not schedule.active:
            continue
        rule = rule_of(schedule)
        for offset in range(7):
            day = week + timedelta(days=offset)
            if not rule.on(day):
                continue
            last = local_to_utc(day, max(schedule.times), zone)
            paused = paused_until is not None and last < paused_until
            if last >= since and not paused:
                days.add(day)
    return days


def run_batch(
    conn: sqlite3.Connection,
    now: datetime,
    language: str,
    limit: int = BATCH_SIZE,
    self_help_programs: frozenset[str] = frozenset(),
) -> int:
    due = diary_weeks.due(conn, now, limit)
    t = Translator(language)
    each_contained(
        conn,
        due,
        lambda check: _check_week(conn, check, now, t, self_help_programs),
        set_aside=lambda check: _skip_week(conn, check),
        what="diary week: patient",
        id_of=lambda check: check.patient_id,
    )
    return len(due)


def _skip_week(conn: sqlite3.Connection, check: WeekCheck) -> None:
    """A week whose check failed is left unchecked; the next week is checked as usual."""
    zone = ZoneInfo(patients.reminder_settings(conn, check.patient_id).timezone)
    following = check.week + timedelta(days=7)
    diary_weeks.advance(conn, check.patient_id, following, check_time(following, zone))


def _check_week(
    conn: sqlite3.Connection,
    check: WeekCheck,
    now: datetime,
    t: Translator,
    self_help_programs: frozenset[str],
) -> None:
    settings = patients.reminder_settings(conn, check.patient_id)
    zone = ZoneInfo(settings.timezone)
    # This is the diary kind's own check (bot/reminders/kinds/diary.py starts it).
    diaries = [s for s in schedules.of_patient(conn, check.patient_id) if s.kind == "diary"]
    if patient_in_self_help(conn, check.patient_id, self_help_programs):
        diaries = [s for s in diaries if s.source == STAFF]  # only what staff ordered
    expected = expected_days(diaries, check.week, zone, check.since, settings.paused_until)
    sunday = check.week + timedelta(days=6)
    filled = len(diary_weeks.filled_days(conn, check.patient_id, check.week, sunday))
    if expected and filled < len(expected):
        _missed(conn, check, filled, len(expected), now, t)
    following = check.week + timedelta(days=7)
    enrolled = patients.active_enrollment(conn, check.patient_id) is not None
    diary_weeks.advance(
        conn, check.patient_id, following, check_time(following, zone) if enrolled else None
    )


def _missed(
    conn: sqlite3.Connection,
    check: WeekCheck,
    filled: int,
    expected: int,
    now: datetime,
    t: Translator,
) -> None:
    week_number = check.week.isocalendar().week
    events.record(
        conn,
        "diary_week_missed",
        now,
        patient_id=check.patient_id,
        week=check.week.isoformat(),
        filled=filled,
        expected=expected,
    )
    summary = t("flag.trigger.diary_missed", filled=filled, expected=expected, week=week_number)
    details = {"week": check.week.isoformat(), "filled": filled, "expected": expected}
    trigger = TriggerInfo(DIARY_MISSED, summary, details)
    raise_flag(conn, patients.get(conn, check.patient_id), trigger, now, t.language)
