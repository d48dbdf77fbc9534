"""A new patient's schedules: the program's defaults, in the patient's local dates.

A self-help patient (bot/care/self_help.py) gets no repeating questionnaire: neither the
program's `measures` with `every_days` nor a schedule of a kind not `in_self_help`. Staff
may still order one with `/measure <label> <questionnaire> every N`. Module questionnaires
(`with_modules`) open with their module as for everyone."""

from __future__ import annotations

import sqlite3
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.reminders.kinds.forms import FORMS
from bot.reminders.kinds.registry import KINDS, kind_of
from bot.reminders.planning import replan
from programs.models import WEEKDAYS, ProgramMeta
from storage import patients, schedules, units


def give_program_schedules(
    conn: sqlite3.Connection,
    patient_id: int,
    meta: ProgramMeta,
    now: datetime,
    *,
    self_help: bool = False,
) -> None:
    zone = ZoneInfo(patients.reminder_settings(conn, patient_id).timezone)
    today = now.astimezone(zone).date()
    unit_times = units.default_times(conn, patients.get(conn, patient_id).unit_id, meta.id)
    for default in meta.schedules:
        if self_help and not kind_of(default.kind).in_self_help:
            continue
        times = unit_times.get(default.kind, ",".join(default.times))
        start = today + timedelta(days=default.start_after_days)
        end = start + timedelta(days=default.duration_days - 1) if default.duration_days else None
        weekdays = (
            frozenset(WEEKDAYS.index(day) for day in default.weekdays) if default.weekdays else None
        )
        schedule_id = schedules.create(
            conn,
            patient_id=patient_id,
            kind=default.kind,
            known_kinds=KINDS,
            times=schedules.parse_times(times),
            start_date=start,
            end_date=end,
            weekdays=weekdays,
            every_days=default.every_days,
            grace_minutes=default.grace_minutes,
            resend_after_minutes=default.resend_after_minutes,
            earliest=time.fromisoformat(default.earliest) if default.earliest else None,
            latest=time.fromisoformat(default.latest) if default.latest else None,
            now=now,
        )
        replan(conn, schedule_id, now)
        on_start = kind_of(default.kind).on_start
        if on_start is not None:
            on_start(conn, patient_id, now)  # e.g. the diary's weekly "diary missed" check
    for measure in meta.measures:
        if measure.every_days is None:
            continue  # module questionnaires open with their module (module_routes)
        if self_help:
            continue  # no weekly questionnaire in self-help mode unless staff order one
        schedule_id = schedules.create(
            conn,
            patient_id=patient_id,
            kind=FORMS.name,
            known_kinds=KINDS,
            questionnaire=measure.questionnaire,
            times=(time.fromisoformat(measure.time),),
            start_date=today + timedelta(days=measure.start_after_days),
            every_days=measure.every_days,
            grace_minutes=measure.window_hours * 60,
            resend_after_minutes=24 * 60 if measure.window_hours > 24 else None,
            now=now,
        )
        replan(conn, schedule_id, now)
