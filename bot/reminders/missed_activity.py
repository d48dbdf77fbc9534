"""A planned activity whose follow-up went unanswered past its grace: when the therapist
asked for it (a staff plan with "flagga vid missad"), an amber flag. The flag says which plan
and when, never the activity's words (the channel sees pseudonymous labels only)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.escalation.flags import TriggerInfo, raise_flag
from bot.escalation.triggers import ACTIVITY_MISSED
from bot.i18n import Translator
from storage import activities, patients, units
from storage.reminders import Reminder


def on_missed(conn: sqlite3.Connection, reminder: Reminder, now: datetime, language: str) -> None:
    plan = activities.plan_of_schedule(conn, reminder.schedule_id)
    if plan is None or not plan.flag_when_missed:
        return
    patient = patients.get(conn, reminder.patient_id)
    zone = ZoneInfo(units.get(conn, patient.unit_id).timezone)
    when = format_datetime(reminder.occurrence.astimezone(zone), "EEE d MMM HH:mm", locale=language)
    t = Translator(language)
    trigger = TriggerInfo(
        ACTIVITY_MISSED,
        t("flag.trigger.activity_missed", plan=plan.id, when=when),
        {"plan": plan.id, "reminder": reminder.id},
    )
    raise_flag(conn, patient, trigger, now, language)
