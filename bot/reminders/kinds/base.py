"""What a reminder kind is: a frozen declaration the tick, the reminder's button, the
settings and enrollment read, instead of each asking `if kind == "diary"`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.reminders import Reminder
from storage.schedules import Schedule

# What a press on the reminder's button opens: a dialogue's name (dialogues/*.py DIALOGUE),
# or one of these. bot/reminder_routes.py knows how to open each; start-up checks that it does.
CURRENT_TASK = "current task"  # whatever the patient should do now (the module's next step)
NOTHING = None  # no dialogue: the press is the answer, thanked with a toast


class Press(StrEnum):
    """What a press on the reminder's button means for its reminders."""

    ANSWERS = "answers"  # the press counts as doing it: this reminder is answered
    ANSWERS_ALL = "answers all"  # ... and every open reminder of its kind (the module)
    OPENS_ONLY = "opens only"  # the dialogue it opens answers it (the activity's follow-up)


OnStart = Callable[[sqlite3.Connection, int, datetime], None]
OnQueued = Callable[[sqlite3.Connection, Schedule, datetime, datetime], None]
OnMissed = Callable[[sqlite3.Connection, Reminder, datetime, str], None]


@dataclass(frozen=True)
class ReminderKind:
    """One kind of reminder. Its catalogue keys follow its name (see `catalogue_keys`), in
    bot/locales/{sv,en}/LC_MESSAGES/messages.po; the pure settings dialogues name a kind by
    `kind.<name>` too."""

    name: str  # schedules.kind; lower case, a Python identifier
    opens: str | None  # a dialogue's name, CURRENT_TASK, or NOTHING
    press: Press = Press.ANSWERS
    carries_text: bool = False  # its text shows the schedule's own words ({text}: custom_text)
    follow_up_resend: bool = False  # its "re-send" is a follow-up question, not the reminder
    skip_filled_day: bool = False  # not sent for a day the diary already has in full
    # May go up to half an hour early, in the message of a reminder sent before it
    # (bot/reminders/merging.py): a nudge about ongoing work may; a reminder of a planned
    # moment (an activity, a therapist's own words) or of something that opens only at its
    # time (a form) keeps its time. Any kind may be the first of a shared message.
    joins_early: bool = False
    # Not sent while the current module is finished and nothing new is open: the patient
    # waits for their therapist (or the week) to open the next one, or the course is done.
    skip_when_waiting: bool = False
    program_default: bool = False  # a program.yaml may give every patient one at enrollment
    # A self-help patient gets the program's schedules of this kind at enrollment too (False:
    # follow-up a therapist would read, e.g. a repeating questionnaire: only if staff order it).
    in_self_help: bool = True
    # Its missed checks and side effects, as code (None: nothing extra):
    on_start: OnStart | None = None  # (conn, patient_id, now): its program schedule was given
    on_queued: OnQueued | None = None  # (conn, schedule, occurrence, now): a reminder queued
    on_missed: OnMissed | None = None  # (conn, reminder, now, language): recorded as missed

    @property
    def label_key(self) -> str:
        """Its name for people (the settings, the unit's default times)."""
        return f"kind.{self.name}"

    @property
    def text_key(self) -> str:
        """The reminder's text (with {text} when it `carries_text`)."""
        return f"reminder.{self.name}"

    @property
    def button_key(self) -> str:
        """The label of the button that opens it."""
        return f"reminder.open.{self.name}"

    @property
    def catalogue_keys(self) -> tuple[str, ...]:
        return (self.label_key, self.text_key, self.button_key)
