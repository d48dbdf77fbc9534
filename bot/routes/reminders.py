"""Routes for reminders: the buttons on a reminder (open what it reminds of, or snooze it)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.reminders import merging
from bot.reminders.kinds.base import CURRENT_TASK, Press
from bot.reminders.kinds.registry import kind_of
from bot.reminders.messages import reminder_call, shared_call
from bot.reminders.planning import send_time
from bot.turn.context import Turn
from dialogues import diary, follow_up, forms, general, types
from dialogues.numbers import parse_id
from dialogues.types import Outcome, then_open
from storage import outbox, reminders, schedules
from storage.reminders import Reminder

SNOOZE = timedelta(hours=1)


def reminder_button(turn: Turn, rest: str) -> Outcome:
    """`rem:open:<id>`, or `rem:snooze:<id>[,<id>...]` (a shared message's snooze: each
    reminder in it)."""
    action, _, raw_ids = rest.partition(":")
    found = _own_reminders(turn, raw_ids.split(",") if action == "snooze" else [raw_ids])
    if not found:
        return general.stale_button(turn.t)
    if action == "open":
        return _open(turn, found[0])
    if action == "snooze":
        return _snooze(turn, found)
    return general.stale_button(turn.t)


def _own_reminders(turn: Turn, raw_ids: list[str]) -> list[Reminder]:
    """The pressing patient's reminders the button names; none when any of them is not
    theirs, or the data is not ids (forged, or stale)."""
    if turn.patient is None or len(raw_ids) > merging.MAX_PER_MESSAGE:
        return []
    found = []
    for raw_id in raw_ids:
        reminder_id = parse_id(raw_id)
        reminder = reminders.get(turn.conn, reminder_id) if reminder_id else None
        if reminder is None or reminder.patient_id != turn.patient.id:
            return []
        found.append(reminder)
    return found


# What a press can open (a kind's `opens`): the router's entry it leads to, and whether that
# entry takes the reminder's id. Start-up checks that every kind's `opens` is here.
OPENERS: dict[str, tuple[str, str, bool]] = {
    CURRENT_TASK: (types.CURRENT_TASK, "open", False),
    diary.DIALOGUE: (diary.DIALOGUE, "today", False),
    forms.DIALOGUE: (forms.DIALOGUE, "list", False),
    follow_up.DIALOGUE: (follow_up.DIALOGUE, "from_reminder", True),  # this reminder's follow-up
}


def _open(turn: Turn, reminder: Reminder) -> Outcome:
    kind = kind_of(reminder.kind)
    if kind.press is Press.ANSWERS_ALL:
        reminders.mark_answered(turn.conn, turn.patient.id, kind.name, turn.now)
    elif kind.press is Press.ANSWERS and reminder.status == "open":
        reminders.close(turn.conn, reminder.id, "answered", turn.now)
    if kind.opens is None:
        return Outcome(toast=turn.t("reminder.done"))
    dialogue, entry, with_reminder = OPENERS[kind.opens]
    return then_open(dialogue, entry, *((reminder.id,) if with_reminder else ()))


def _snooze(turn: Turn, found: list[Reminder]) -> Outcome:
    """An hour later (after quiet hours), again in one message for those still open."""
    parts = [
        (reminder, target)
        for reminder in found
        if reminder.status == "open"
        and (target := schedules.with_patient(turn.conn, reminder.schedule_id)) is not None
    ]
    if not parts:
        return Outcome(toast=turn.t("reminder.not_open"))
    at = send_time(turn.now + SNOOZE, parts[0][1])  # one patient: the same quiet hours
    count = max(reminder.snoozes for reminder, _ in parts) + 1
    if len(parts) == 1:
        reminder, target = parts[0]
        call = reminder_call(target, reminder.id, reminder.occurrence, repeat=False, snooze=count)
    else:
        call = shared_call([(target, reminder.id) for reminder, target in parts], snooze=count)
    outbox.enqueue(turn.conn, call, turn.now, not_before=at)
    for reminder, target in parts:
        # The snooze takes the place of the re-send; "missed" comes an hour after it at the
        # earliest.
        missed_at = reminder.occurrence + timedelta(minutes=target.schedule.grace_minutes)
        reminders.set_check(
            turn.conn, reminder.id, max(missed_at, at + SNOOZE), resent=1, snoozes=count
        )
    local = at.astimezone(ZoneInfo(parts[0][1].timezone)).strftime("%H:%M")
    return Outcome(toast=turn.t("reminder.snoozed", time=local))
