"""Which reminders share a message: a patient's reminders that are sent within the same
half hour go out as one message (fewer messages a day; each reminder keeps its own row, its
re-send and its "missed").

The rule, for the tick (bot/reminders/tick.py): when a batch queues a reminder for a
patient, that patient's other schedules due by then (in this batch or a later one of the
same tick) go with it in the same message, and so do those due within WINDOW after it whose
kind may come a little early (`joins_early`: the diary and the module nudge; a planned
activity, a therapist's own reminder and a form keep their time, and are then the first of
a message of their own). Nothing is held back to wait for a later one: no reminder is later
than its own time, and one more than WINDOW after the first gets its own message. Send
times are after quiet hours and pauses (a schedule's next_due_at), so reminders moved to
the end of the quiet hours share a message too. One that would not be sent now (its diary
day is already filled in) is left to its own time. A re-send or a snooze of one reminder is
its own message; the snooze of a shared message snoozes each reminder in it, again as one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

WINDOW = timedelta(minutes=30)

# The shared snooze button carries every id: "-|rem:snooze:<id>,<id>,..." must fit
# Telegram's 64 bytes of callback data (4 ids of up to 12 digits do), and a phone shows a
# handful of buttons well.
MAX_PER_MESSAGE = 4

T = TypeVar("T")


def joins(own_send: datetime | None, first_send: datetime, early_allowed: bool) -> bool:
    """Whether a reminder due at `own_send` goes in the message sent at `first_send`: due by
    then, or within WINDOW after it when its kind may come early (`joins_early`)."""
    if own_send is None:
        return False
    if own_send <= first_send:
        return True
    return early_allowed and own_send - first_send <= WINDOW


def together(items: list[T], patient_of: Callable[[T], int]) -> list[list[T]]:
    """The items as messages: one patient's items together (at most MAX_PER_MESSAGE to a
    message), in the order of each message's first item. The caller passes only what
    belongs in one message by time (the tick: one batch's reminders)."""
    by_patient: dict[int, list[T]] = {}
    for item in items:
        by_patient.setdefault(patient_of(item), []).append(item)
    return [
        group[start : start + MAX_PER_MESSAGE]
        for group in by_patient.values()
        for start in range(0, len(group), MAX_PER_MESSAGE)
    ]
