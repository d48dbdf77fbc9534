"""A patient who blocked the bot (403, or a my_chat_member 'kicked') cannot be reminded:
their schedules pause and their therapist is told privately. Unblocking resumes them.

After the treatment has ended a block is expected (Telegram's Stop button, after /withdraw):
nothing is paused and no flag is raised (an open flag would hold up the purge for nothing),
but the care team hears of it once, since the closing message may not have arrived."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.care.ended import ended_treatment
from bot.care.notify import tell_therapist
from bot.escalation.flags import TriggerInfo, raise_flag
from bot.escalation.triggers import UNREACHABLE
from bot.i18n import Translator
from bot.reminders.planning import replan_patient
from storage import events, patients, schedules


def mark_unreachable(
    conn: sqlite3.Connection, chat_id: int, now: datetime, language: str = "sv"
) -> bool:
    patient = patients.by_chat(conn, chat_id)
    if patient is None or not patients.set_unreachable(conn, patient.id, now):
        return False
    for schedule_id in schedules.ids_of_patient(conn, patient.id):
        schedules.set_next(conn, schedule_id, None, None)
    events.record(conn, "patient_unreachable", now, patient_id=patient.id)
    if ended_treatment(conn, patient) is not None:
        tell_therapist(conn, patient, "reachability.unreachable_after_end", now)
        return True
    tell_therapist(conn, patient, "reachability.unreachable", now)
    summary = Translator(language)("flag.trigger.unreachable")
    raise_flag(conn, patient, TriggerInfo(UNREACHABLE, summary, {}), now, language)
    return True


def mark_reachable(conn: sqlite3.Connection, chat_id: int, now: datetime) -> bool:
    patient = patients.by_chat(conn, chat_id)
    if patient is None or not patients.set_unreachable(conn, patient.id, None):
        return False
    replan_patient(conn, patient.id, now)
    events.record(conn, "patient_reachable", now, patient_id=patient.id)
    if ended_treatment(conn, patient) is not None:
        return True  # nothing resumes after the end: nothing to tell
    tell_therapist(conn, patient, "reachability.reachable", now)
    return True
