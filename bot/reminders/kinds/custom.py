"""A therapist's own reminder: their words; the press is the answer, thanked with a toast."""

from bot.reminders.kinds.base import NOTHING, ReminderKind

CUSTOM = ReminderKind(name="custom", opens=NOTHING, carries_text=True)
