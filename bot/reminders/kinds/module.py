"""A nudge to keep working on the current module: opens the patient's current task; the
press itself answers every open module reminder. Not sent for a finished module while the
patient waits for the next one to open."""

from bot.reminders.kinds.base import CURRENT_TASK, Press, ReminderKind

MODULE = ReminderKind(
    name="module",
    opens=CURRENT_TASK,
    press=Press.ANSWERS_ALL,
    joins_early=True,
    skip_when_waiting=True,
    program_default=True,
)
