"""Routes for reminders: the buttons on a reminder, and the bot being blocked or unblocked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot import channel_routes, diary_routes, follow_up_routes, form_routes, patient_now
from bot.escalation import alerts
from bot.reminders import reachability
from bot.reminders.kinds.base import CURRENT_TASK, Press
from bot.reminders.kinds.registry import kind_of
from bot.reminders.messages import reminder_call
from bot.reminders.planning import send_time
from bot.turns import Turn
from dialogues import diary, follow_up, forms, general
from dialogues.numbers import parse_id
from dialogues.types import Outcome
from storage import outbox, reminders, schedules
from storage.reminders import Reminder

SNOOZE = timedelta(hours=1)


def reminder_button(turn: Turn, rest: str) -> Outcome:
    """`rem:open:<id>` or `rem:snooze:<id>`."""
    action, _, raw_id = rest.partition(":")
    reminder_id = parse_id(raw_id)
    reminder = reminders.get(turn.conn, reminder_id) if reminder_id else None
    if turn.patient is None or reminder is None or reminder.patient_id != turn.patient.id:
        return general.stale_button(turn.t)
    if action == "open":
        return _open(turn, reminder)
    if action == "snooze":
        return _snooze(turn, reminder)
    return general.stale_button(turn.t)


# What a press can open (a kind's `opens`); start-up checks every kind's is here.
OPENERS: dict[str, Callable[[Turn, Reminder], Outcome | None]] = {
    CURRENT_TASK: lambda turn, reminder: patient_now.current_task(turn),
    diary.DIALOGUE: lambda turn, reminder: diary_routes.open_day(turn),
    forms.DIALOGUE: lambda turn, reminder: form_routes.forms_command(turn),
    follow_up.DIALOGUE: follow_up_routes.open_from_reminder,
}


def _open(turn: Turn, reminder: Reminder) -> Outcome:
    kind = kind_of(reminder.kind)
    if kind.press is Press.ANSWERS_ALL:
        reminders.mark_answered(turn.conn, turn.patient.id, kind.name, turn.now)
    elif kind.press is Press.ANSWERS and reminder.status == "open":
        reminders.close(turn.conn, reminder.id, "answered", turn.now)
    if kind.opens is None:
        return Outcome(toast=turn.t("reminder.done"))
    return OPENERS[kind.opens](turn, reminder)


def _snooze(turn: Turn, reminder) -> Outcome:
    target = schedules.with_patient(turn.conn, reminder.schedule_id)
    if reminder.status != "open" or target is None:
        return Outcome(toast=turn.t("reminder.not_open"))
    at = send_time(turn.now + SNOOZE, target)
    count = reminder.snoozes + 1
    call = reminder_call(target, reminder.id, reminder.occurrence, repeat=False, snooze=count)
    outbox.enqueue(turn.conn, call, turn.now, not_before=at)
    # The snooze takes the place of the re-send; "missed" comes an hour after it at the earliest.
    missed_at = reminder.occurrence + timedelta(minutes=target.schedule.grace_minutes)
    reminders.set_check(
        turn.conn, reminder.id, max(missed_at, at + SNOOZE), resent=1, snoozes=count
    )
    local = at.astimezone(ZoneInfo(target.timezone)).strftime("%H:%M")
    return Outcome(toast=turn.t("reminder.snoozed", time=local))


def membership(turn: Turn) -> Outcome:
    """my_chat_member: in a private chat 'kicked' is a block and 'member' an unblock; for a
    unit's therapist channel, removal means alerts go privately until the bot is back; added
    to any other group, the bot says how to register it as a channel."""
    status = turn.incoming.text
    chat_id = turn.input.chat_id
    if chat_id < 0:
        if status in ("left", "kicked"):
            alerts.channel_lost(turn.conn, chat_id, turn.now)
        elif status in ("member", "administrator"):
            alerts.channel_back(turn.conn, chat_id, turn.now)
            return channel_routes.bot_added(turn)  # a new group: how to register it
    elif status == "kicked":
        reachability.mark_unreachable(turn.conn, chat_id, turn.now)
    elif status == "member":
        reachability.mark_reachable(turn.conn, chat_id, turn.now)
    return Outcome()
