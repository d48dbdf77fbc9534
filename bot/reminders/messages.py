"""The reminder message: what it is about, one button that opens it, and a snooze."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from html import escape

from bot.i18n import Translator
from bot.reminders.kinds.base import ReminderKind
from bot.reminders.kinds.registry import kind_of
from bot.render.calls import reply_call
from dialogues import follow_up
from dialogues.types import Button, Reply, row
from storage.outbox import LANE_REMINDER, OutgoingCall
from storage.schedules import DueSchedule

_ID_MARK = "@@reminder-id@@"  # stands for the reminder id in a cached message


def reminder_reply(
    kind: ReminderKind,
    custom_text: str | None,
    reminder_id: int | str,
    t: Translator,
    *,
    repeat: bool,
) -> Reply:
    if kind.follow_up_resend and repeat:
        # A planned activity's "re-send" is its follow-up: did it happen?
        return follow_up.question(custom_text or "", reminder_id, t)
    if kind.carries_text:
        text = t(kind.text_key, text=escape(custom_text or ""))
    else:
        text = t(kind.text_key)
    if repeat:
        text = t("reminder.again") + "\n" + text
    buttons = (
        row(Button(t(kind.button_key), f"rem:open:{reminder_id}", stateless=True)),
        row(Button(t("reminder.snooze"), f"rem:snooze:{reminder_id}", stateless=True)),
    )
    return Reply(text, buttons)


@lru_cache(maxsize=1024)
def _template(kind: str, custom_text: str | None, language: str, repeat: bool) -> str:
    """The reminder's sendMessage parameters as JSON with the id left open: the tick sends
    thousands of the same reminder, so each is built once per kind, text and language."""
    reply = reminder_reply(
        kind_of(kind), custom_text, _ID_MARK, Translator(language), repeat=repeat
    )
    return json.dumps(reply_call(reply, 0, 0).params, ensure_ascii=False)


def reminder_call(
    target: DueSchedule, reminder_id: int, occurrence: datetime, *, repeat: bool, snooze: int = 0
) -> OutgoingCall:
    schedule = target.schedule
    template = _template(schedule.kind, schedule.custom_text, target.language, repeat)
    suffix = f"snooze{snooze}" if snooze else ("again" if repeat else "first")
    payload = template.replace(_ID_MARK, str(reminder_id))
    return OutgoingCall(
        chat_id=target.chat_id,
        method="sendMessage",
        params={},  # the payload is ready as JSON
        lane=LANE_REMINDER,
        dedupe_key=f"reminder:{reminder_id}:{suffix}",
        payload_json=payload,
    )
