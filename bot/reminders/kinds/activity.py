"""A planned activity (bot/reminders/activity_plans.py): the reminder shows the plan's words;
its "re-send" is the follow-up "Blev det av?", which answers it; missed past its grace, an
amber flag when the plan asks for one."""

from bot.reminders.kinds.base import Press, ReminderKind
from bot.reminders.missed_activity import on_missed
from dialogues import follow_up

ACTIVITY = ReminderKind(
    name="activity",
    opens=follow_up.DIALOGUE,
    press=Press.OPENS_ONLY,
    carries_text=True,
    follow_up_resend=True,
    program_default=True,
    on_missed=on_missed,
)
