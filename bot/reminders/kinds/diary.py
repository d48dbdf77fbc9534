"""The diary's evening reminder: opens the day in the diary; not sent for a day already
filled in; the weekly "diary missed" check starts with it at enrollment."""

from bot.reminders.kinds.base import ReminderKind
from bot.reminders.missed_diary import start_checking
from dialogues import diary

DIARY = ReminderKind(
    name="diary",
    opens=diary.DIALOGUE,
    skip_filled_day=True,
    joins_early=True,
    program_default=True,
    on_start=start_checking,  # the weekly check (reminders/missed_diary.py)
)
