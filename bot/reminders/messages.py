"""The reminder message: what it is about, one button that opens it, and a snooze. Two or
more reminders sent within the same half hour (bot/reminders/merging.py) share one message:
a short intro, each one's line and open button, and one snooze for them all."""

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

# Dedupe keys: "reminder:<id>:<what>" for one reminder's message, "reminders:<id>,<id>:<what>"
# for a shared one (its reminder ids are new rows, so the key is never queued twice).
_ONE = "reminder:"
_SHARED = "reminders:"


def _text(kind: ReminderKind, custom_text: str | None, t: Translator) -> str:
    if kind.carries_text:
        return t(kind.text_key, text=escape(custom_text or ""))
    return t(kind.text_key)


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
    text = _text(kind, custom_text, t)
    if repeat:
        text = t("reminder.again") + "\n" + text
    buttons = (
        row(Button(t(kind.button_key), f"rem:open:{reminder_id}", stateless=True)),
        row(Button(t("reminder.snooze"), f"rem:snooze:{reminder_id}", stateless=True)),
    )
    return Reply(text, buttons)


def shared_reply(parts: list[tuple[ReminderKind, str | None, int]], t: Translator) -> Reply:
    """Several reminders, as (kind, custom text, reminder id), in one message: each one's
    line and its open button, one snooze for all. Lines and buttons are numbered only when
    two buttons would read the same (two planned activities), so each press is clear."""
    lines = [_text(kind, custom_text, t) for kind, custom_text, _ in parts]
    labels = [t(kind.button_key) for kind, _, _ in parts]
    if len(set(labels)) < len(labels):
        lines = [f"{number}. {line}" for number, line in enumerate(lines, 1)]
        labels = [f"{number}. {label}" for number, label in enumerate(labels, 1)]
    ids = ",".join(str(reminder_id) for _, _, reminder_id in parts)
    buttons = tuple(
        row(Button(label, f"rem:open:{reminder_id}", stateless=True))
        for label, (_, _, reminder_id) in zip(labels, parts, strict=True)
    ) + (row(Button(t("reminder.snooze"), f"rem:snooze:{ids}", stateless=True)),)
    return Reply("\n\n".join([t("reminder.together"), *lines]), buttons)


@lru_cache(maxsize=1024)
def _template(kind: str, custom_text: str | None, language: str, repeat: bool) -> str:
    """The reminder's sendMessage parameters as JSON with the id left open: the tick sends
    thousands of the same reminder, so each is built once per kind, text and language."""
    reply = reminder_reply(
        kind_of(kind), custom_text, _ID_MARK, Translator(language), repeat=repeat
    )
    return json.dumps(reply_call(reply, 0, 0).params, ensure_ascii=False)


def _suffix(repeat: bool, snooze: int) -> str:
    return f"snooze{snooze}" if snooze else ("again" if repeat else "first")


def reminder_call(
    target: DueSchedule, reminder_id: int, occurrence: datetime, *, repeat: bool, snooze: int = 0
) -> OutgoingCall:
    schedule = target.schedule
    template = _template(schedule.kind, schedule.custom_text, target.language, repeat)
    payload = template.replace(_ID_MARK, str(reminder_id))
    return OutgoingCall(
        chat_id=target.chat_id,
        method="sendMessage",
        params={},  # the payload is ready as JSON
        lane=LANE_REMINDER,
        dedupe_key=f"{_ONE}{reminder_id}:{_suffix(repeat, snooze)}",
        payload_json=payload,
    )


def shared_call(parts: list[tuple[DueSchedule, int]], *, snooze: int = 0) -> OutgoingCall:
    """One message for two or more reminders of one patient, as (schedule, reminder id)."""
    target = parts[0][0]
    reply = shared_reply(
        [(kind_of(part.schedule.kind), part.schedule.custom_text, rid) for part, rid in parts],
        Translator(target.language),
    )
    ids = ",".join(str(reminder_id) for _, reminder_id in parts)
    return reply_call(
        reply,
        target.chat_id,
        0,
        lane=LANE_REMINDER,
        dedupe_key=f"{_SHARED}{ids}:{_suffix(False, snooze)}",
    )


def reminder_ids(dedupe_key: str) -> list[int]:
    """The reminders a reminder message's dedupe key is about (none: not a reminder's)."""
    for prefix in (_ONE, _SHARED):
        if dedupe_key.startswith(prefix):
            ids = dedupe_key[len(prefix) :].split(":", 1)[0]
            return [int(part) for part in ids.split(",") if part.isdigit()]
    return []
