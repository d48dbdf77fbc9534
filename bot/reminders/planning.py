"""Planning a schedule's next occurrence for its patient: time zone, quiet hours, pause."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.reminders.recurrence import (
    QuietHours,
    Rule,
    after_quiet_hours,
    latest_occurrence,
    next_occurrence,
    occurrences,
)
from storage import schedules
from storage.schedules import DueSchedule, Schedule


def rule_of(schedule: Schedule) -> Rule:
    return Rule(
        times=schedule.times,
        start=schedule.start_date,
        weekdays=schedule.weekdays,
        every_days=schedule.every_days,
        end=schedule.end_date,
    )


def send_time(occurrence: datetime, target: DueSchedule) -> datetime:
    """When an occurrence is sent: at its time, or at the end of the patient's quiet hours."""
    return local_send_time(occurrence, target.timezone, target.quiet_start, target.quiet_end)


def local_send_time(
    occurrence: datetime, zone: str, quiet_start: time, quiet_end: time
) -> datetime:
    """send_time from the patient's zone and quiet hours, in UTC."""
    # Keyed by the UTC moment: local times equal across a fold would share an entry.
    return _send_time(occurrence.astimezone(UTC), zone, quiet_start, quiet_end)


@lru_cache(maxsize=4096)
def _send_time(occurrence: datetime, zone: str, quiet_start: time, quiet_end: time) -> datetime:
    """Pure, and a tick's batch asks it the same few questions thousands of times (the same
    occurrence, zone and quiet hours for every patient on a program's default)."""
    moment = after_quiet_hours(occurrence, ZoneInfo(zone), QuietHours(quiet_start, quiet_end))
    return moment.astimezone(UTC)


def next_after(
    target: DueSchedule, after: datetime, following: datetime | None = None
) -> tuple[datetime, datetime] | None:
    """(occurrence, send time) of the first occurrence after `after` that is sent after any
    pause; None when the schedule has no more occurrences (or is switched off, or the
    patient cannot be reached). `following`: the first occurrence after `after`, when the
    caller already knows it."""
    schedule = target.schedule
    if not schedule.active or target.unreachable:
        return None
    if following is not None:
        due_at = send_time(following, target)
        if target.paused_until is None or due_at >= target.paused_until:
            return following, due_at
        after = following
    for occurrence in occurrences(rule_of(schedule), ZoneInfo(target.timezone), after):
        due_at = send_time(occurrence, target)
        if target.paused_until is None or due_at >= target.paused_until:
            return occurrence, due_at
    return None


def occurrence_to_send(target: DueSchedule, now: datetime) -> tuple[datetime, datetime | None]:
    """The occurrence a due schedule sends at `now`: the later of its planned occurrence and
    the latest occurrence at or before `now` (after downtime, at most one catch-up). With it,
    the occurrence that follows it when already known (for `next_after`), or None.

    Same result as `max(planned, latest_occurrence(rule, zone, now))`, but on time it skips
    latest_occurrence's walk from the rule's start: when the first occurrence after the
    planned one is later than `now`, every occurrence latest_occurrence walks past before
    it is at or before the planned one (occurrences on earlier local days fall before it,
    and `occurrences(after=planned)` yields the first one after it), so the planned one is
    the answer."""
    schedule = target.schedule
    planned = schedule.next_occurrence
    if planned is not None:
        following = _following(
            schedule.times,
            schedule.start_date,
            schedule.weekdays,
            schedule.every_days,
            schedule.end_date,
            target.timezone,
            planned,
        )
        if following is not None and following > now:
            return planned, following
    latest = latest_occurrence(rule_of(schedule), ZoneInfo(target.timezone), now)
    return max(filter(None, (planned, latest))), None


@lru_cache(maxsize=4096)
def _following(
    times: tuple[time, ...],
    start: date,
    weekdays: frozenset[int] | None,
    every_days: int | None,
    end: date | None,
    zone: str,
    after: datetime,
) -> datetime | None:
    """The first occurrence after `after`. Pure, and kept: a tick's batch asks it for
    thousands of patients on the same program default, planned for the same moment (keyed
    by the rule's fields, not a Rule, so that a hit builds nothing)."""
    rule = Rule(times=times, start=start, weekdays=weekdays, every_days=every_days, end=end)
    return next_occurrence(rule, ZoneInfo(zone), after)


def replan(conn: sqlite3.Connection, schedule_id: int, now: datetime) -> None:
    """Plan a schedule from `now` again, after its rule or its patient's settings changed."""
    target = schedules.with_patient(conn, schedule_id)
    if target is None:
        return
    planned = next_after(target, now)
    occurrence, due_at = planned if planned else (None, None)
    schedules.set_next(conn, schedule_id, occurrence, due_at)


def replan_patient(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    for schedule_id in schedules.ids_of_patient(conn, patient_id):
        replan(conn, schedule_id, now)
