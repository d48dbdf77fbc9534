"""A planned activity as a schedule: one place that stores a plan (the patient's one-off plan
or a therapist's recurring one), so the tick reminds at its times and follows up after."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time

from bot.reminders.kinds.activity import ACTIVITY
from bot.reminders.kinds.registry import KINDS
from bot.reminders.planning import replan
from storage import activities, events, schedules

FOLLOW_UP_AFTER_MINUTES = 120  # the follow-up ("Blev det av?") two hours after the planned time


@dataclass(frozen=True)
class NewPlan:
    patient_id: int
    text: str
    activity_type: str | None
    times: tuple[time, ...]
    start: date
    grace_minutes: int  # unanswered this long after a planned time: missed
    source: str  # patient | staff
    end: date | None = None
    weekdays: frozenset[int] | None = None
    every_days: int | None = None
    item: str | None = None  # the module exercise it answers
    flag_when_missed: bool = False
    comments_allowed: bool = True
    created_by: int | None = None


def create(conn: sqlite3.Connection, plan: NewPlan, now: datetime) -> int:
    schedule_id = schedules.create(
        conn,
        patient_id=plan.patient_id,
        kind=ACTIVITY.name,
        known_kinds=KINDS,
        times=plan.times,
        weekdays=plan.weekdays,
        every_days=plan.every_days,
        start_date=plan.start,
        end_date=plan.end,
        grace_minutes=plan.grace_minutes,
        resend_after_minutes=FOLLOW_UP_AFTER_MINUTES,
        custom_text=plan.text,
        source=plan.source,
        now=now,
    )
    replan(conn, schedule_id, now)
    plan_id = activities.create_plan(
        conn,
        patient_id=plan.patient_id,
        schedule_id=schedule_id,
        text=plan.text,
        activity_type=plan.activity_type,
        source=plan.source,
        item=plan.item,
        flag_when_missed=plan.flag_when_missed,
        comments_allowed=plan.comments_allowed,
        created_by=plan.created_by,
        now=now,
    )
    events.record(conn, "activity_planned", now, patient_id=plan.patient_id, plan=plan_id)
    return plan_id
