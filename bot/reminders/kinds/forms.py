"""A questionnaire due (a `forms` schedule names it): each reminder opens a form request
whose window is the schedule's grace; a request left past it is missed, with an amber flag
(reminders/missed_forms.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.reminders.kinds.base import ReminderKind
from dialogues import forms as form_dialogue
from storage import forms
from storage.schedules import Schedule


def open_request(
    conn: sqlite3.Connection, schedule: Schedule, occurrence: datetime, now: datetime
) -> None:
    if not schedule.questionnaire:
        return
    forms.create_request(
        conn,
        patient_id=schedule.patient_id,
        questionnaire=schedule.questionnaire,
        reason="repeat",
        schedule_id=schedule.id,
        due_at=occurrence,
        window_ends_at=occurrence + timedelta(minutes=schedule.grace_minutes),
        now=now,
    )


FORMS = ReminderKind(
    name="forms",
    opens=form_dialogue.DIALOGUE,
    # joins_early stays off: its form request opens at the occurrence, and a press before
    # that would find no form to fill in.
    program_default=True,
    in_self_help=False,  # self-help: only a repeating `/measure` (bot/care/self_help.py)
    on_queued=open_request,
)
