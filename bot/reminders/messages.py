"""The reminder message: what it is about, one button that opens it, and a snooze."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.i18n import Translator
from bot.rendering import reply_call
from dialogues.types import Button, Reply, row
from storage.outbox import LANE_REMINDER, OutgoingCall
from storage.schedules import DueSchedule


def reminder_reply(
    kind: str, custom_text: str | None, reminder_id: int, t: Translator, *, repeat: bool
) -> Reply:
    if kind == "custom":
        text = t("reminder.custom", text=escape(custom_text or ""))
    else:
        text = t(f"reminder.{kind}")
    if repeat:
        text = t("reminder.again") + "\n" + text
    buttons = (
        row(Button(t(f"reminder.open.{kind}"), f"rem:open:{reminder_id}", stateless=True)),
        row(Button(t("reminder.snooze"), f"rem:snooze:{reminder_id}", stateless=True)),
    )
    return Reply(text, buttons)


def reminder_call(
    target: DueSchedule, reminder_id: int, occurrence: datetime, *, repeat: bool, snooze: int = 0
) -> OutgoingCall:
    schedule = target.schedule
    reply = reminder_reply(
        schedule.kind,
        schedule.custom_text,
        reminder_id,
        Translator(target.language),
        repeat=repeat,
    )
    suffix = f"snooze{snooze}" if snooze else ("again" if repeat else "first")
    return reply_call(
        reply, target.chat_id, 0, lane=LANE_REMINDER, dedupe_key=f"reminder:{reminder_id}:{suffix}"
    )
