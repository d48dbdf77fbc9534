"""Raising a flag, in the same transaction as the answer or text that caused it.

A red flag: a flag row, an alert in the unit's channel through the safety lane, and a
safety message for the patient (crisis contacts, that their therapist is told, and honestly
when a therapist can be expected to see it). Outside office hours the on-call list is told
at once and the acknowledgement deadline starts when office hours begin. A new trigger
while the patient already has an open red flag is added to it, with an update in the
channel, rather than a second flag. Amber flags go to the channel without the chain.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.escalation.alerts import post_to_channel, tell_privately
from bot.escalation.office_hours import OfficeHours
from bot.escalation.triggers import FlagTrigger, declared
from bot.i18n import Translator
from dialogues.crisis import crisis_text
from dialogues.types import Reply
from storage import flags, units
from storage.patients import Patient
from storage.units import SafetySettings


@dataclass(frozen=True)
class TriggerInfo:
    trigger: FlagTrigger  # why: one of escalation/triggers.py
    summary: str  # for staff, in the unit's language, e.g. "PHQ-9, fråga 9: Nästan varje dag (3)"
    details: dict
    free_text: str | None = None  # crisis terms: the patient's words, shown only via "Visa"

    @property
    def kind(self) -> str:
        return self.trigger.kind


def office_hours(settings: SafetySettings) -> OfficeHours:
    return OfficeHours(
        weekdays=settings.office_days,
        start=time.fromisoformat(settings.office_start),
        end=time.fromisoformat(settings.office_end),
        zone=settings.timezone,
    )


def raise_flag(
    conn: sqlite3.Connection,
    patient: Patient,
    trigger: TriggerInfo,
    now: datetime,
    language: str,
    *,
    severity: str | None = None,
) -> Reply | None:
    """Raise (or add to) a flag with its trigger's severity (or `severity`, when the trigger
    allows more than one); returns the patient's safety message when the trigger tells the
    patient (a risk answer or crisis terms: the patient sees the crisis contacts at once)."""
    severity = declared(trigger.trigger, severity)
    tell_patient = trigger.trigger.tells_patient
    settings = units.safety_settings(conn, patient.unit_id)
    hours = office_hours(settings)
    existing = (
        flags.open_red_of(conn, patient.id)
        if severity == "red"
        else flags.open_amber_of(conn, patient.id, trigger.kind)
    )
    if existing is not None:
        _add_trigger(conn, existing.id, trigger, now)
        flags.record(conn, existing.id, "trigger_added", now, kind=trigger.kind)
        if severity == "red":
            post_to_channel(
                conn,
                flags.get(conn, existing.id),
                f"update-{_count(conn, existing.id)}",
                language,
                now,
                headline_key="flag.update",
                settings=settings,
            )
        return safety_message(patient, hours, now) if tell_patient else None
    deadline = None
    if severity == "red":
        start = now if hours.is_open(now) else hours.next_opening(now)
        deadline = hours.add_office_time(start, settings.ack_minutes)
    flag_id = flags.create(
        conn,
        patient_id=patient.id,
        unit_id=patient.unit_id,
        severity=severity,
        next_check_at=deadline,
        now=now,
    )
    _add_trigger(conn, flag_id, trigger, now)
    flags.record(conn, flag_id, "raised", now, severity=severity, kind=trigger.kind)
    flag = flags.get(conn, flag_id)
    post_to_channel(conn, flag, "alert", language, now, settings=settings)
    if severity == "red" and not hours.is_open(now):
        tell_privately(conn, flag, units.on_call_chats(conn, patient.unit_id), "oncall-now", now)
    return safety_message(patient, hours, now) if tell_patient else None


def _add_trigger(
    conn: sqlite3.Connection, flag_id: int, trigger: TriggerInfo, now: datetime
) -> None:
    details = {**trigger.details, "summary": trigger.summary}
    flags.add_trigger(conn, flag_id, trigger.kind, details, trigger.free_text, now)


def _count(conn: sqlite3.Connection, flag_id: int) -> int:
    return len(flags.triggers(conn, flag_id))


def safety_message(patient: Patient, hours: OfficeHours, now: datetime) -> Reply:
    t = Translator(patient.language)
    if hours.is_open(now):
        timing = t("safety.in_office_hours")
    else:
        opening = hours.next_opening(now).astimezone(ZoneInfo(hours.zone))
        when = format_datetime(opening, "EEEE d MMMM HH:mm", locale=t.language)
        timing = t("safety.outside_office_hours", when=when)
    return Reply("\n\n".join([t("safety.told"), timing, crisis_text(t)]), safety=True)
