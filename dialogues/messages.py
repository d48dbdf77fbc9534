"""A patient writes to their therapist, and reads what was written (see messages.mmd). Pure.

`/message <text>` sends at once; `/message` alone (or "Skriv till din behandlare" at a
module's end, or "Svara" under a message from the therapist) asks for the text, with Avbryt.
Every prompt and confirmation says honestly that the therapist answers on office days and
that urgent help is /crisis. In self-help mode there is no messaging: the patient is pointed
to /notes and /crisis instead.

The dialogue's data: {"awaiting": "text"} while the text is asked for.

The history (`/messages`, and `/messages <label>` for staff) is rendered here for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from babel.dates import format_datetime

from dialogues.module_opening import module_name
from dialogues.types import Button, Event, Outcome, Reply, row

DIALOGUE = "message"
MAX_MESSAGE_CHARS = 2000
PREVIEW_CHARS = 300  # per message in a history, so ten fit one Telegram message


def ask(t) -> Outcome:
    text = t("messages.ask") + "\n\n" + t("messages.office_days")
    keyboard = (row(Button(t("messages.button.cancel"), "cancel")),)
    return Outcome(replies=(Reply(text, keyboard),), dialogue=DIALOGUE, data={"awaiting": "text"})


def clean(text: str) -> str:
    return text.strip()[:MAX_MESSAGE_CHARS]


def on_text(text: str, t) -> tuple[Outcome, str | None]:
    """The message, returned for the route to store and pass on to the care team."""
    message = clean(text)
    if not message:
        return Outcome(replies=(Reply(t("messages.empty")),)), None
    return sent(t).then(Outcome(dialogue=DIALOGUE, data={})), message


def sent(t) -> Outcome:
    text = t("messages.sent") + "\n\n" + t("messages.office_days")
    return Outcome(replies=(Reply(text),), events=(Event("message_sent"),))


def cancelled(t) -> Outcome:
    return Outcome(
        replies=(Reply(t("messages.cancelled"), edit_pressed=True),), dialogue=DIALOGUE, data={}
    )


def self_help(t) -> Outcome:
    """A self-help program has no messaging: say so kindly, and where to go instead."""
    return Outcome(replies=(Reply(t("messages.self_help")),))


# ---- what the patient receives ----------------------------------------------------------


def write_button(t) -> Button:
    """Under a message from the therapist: answer it (opens `ask`)."""
    return Button(t("messages.button.answer"), "msg:write", stateless=True)


def from_therapist(text: str, t) -> Reply:
    return Reply(t("messages.from_therapist", text=escape(text)), (row(write_button(t)),))


def comment(exercise: str, text: str, t) -> Reply:
    body = t("messages.comment", exercise=escape(exercise), text=escape(text))
    return Reply(body, (row(write_button(t)),))


def feedback(module: int, text: str, t, addon_title: str | None = None) -> Reply:
    """The therapist's feedback on a module; on an add-on, named by its title."""
    if addon_title is not None:
        name = escape(module_name(module, addon_title, True, t))
        body = t("messages.feedback_addon", name=name, text=escape(text))
    else:
        body = t("messages.feedback", number=module, text=escape(text))
    return Reply(body, (row(write_button(t)),))


# ---- the history ------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    at: datetime  # local
    from_patient: bool
    kind: str  # message | comment | feedback
    text: str
    writer: str = ""  # staff view: the staff member's name
    exercise: str | None = None  # a comment's exercise title
    module: int | None = None  # feedback's module
    waiting: bool = False  # feedback not yet given to the patient (staff view)


def _preview(text: str) -> str:
    shown = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
    return escape(shown)


def _heading(line: HistoryLine, who: str, language: str, t) -> str:
    when = format_datetime(line.at, "d MMM HH:mm", locale=language)
    if line.kind == "comment" and line.exercise:
        what = t("messages.history.comment", exercise=escape(line.exercise))
    elif line.kind == "feedback":
        what = t("messages.history.feedback", number=line.module)
    else:
        what = ""
    waiting = " " + t("messages.history.waiting", number=(line.module or 0) + 1)
    return f"<b>{who}</b> · {when}{what}{waiting if line.waiting else ''}"


def history(lines: tuple[HistoryLine, ...], language: str, t) -> Outcome:
    """The patient's own history: what they wrote and what their therapist wrote."""
    if not lines:
        text = t("messages.history.none") + "\n\n" + t("messages.office_days")
    else:
        entries = []
        for line in lines:
            who = t("messages.history.you") if line.from_patient else t("messages.history.them")
            entries.append(_heading(line, who, language, t) + "\n" + _preview(line.text))
        text = t("messages.history.title") + "\n\n" + "\n\n".join(entries)
        text += "\n\n" + t("messages.office_days")
    keyboard = (row(Button(t("messages.button.write"), "msg:write", stateless=True)),)
    return Outcome(replies=(Reply(text, keyboard),))


def staff_history(
    label: str, lines: tuple[HistoryLine, ...], patient_id: int, self_help_mode: bool, language, t
) -> Outcome:
    """`/messages <label>` for staff: the patient's messages, feedback and comments."""
    title = t("messages.staff.title", label=escape(label))
    if self_help_mode:
        text = title + "\n\n" + t("messages.staff.self_help", label=escape(label))
        return Outcome(replies=(Reply(text),))
    if not lines:
        body = t("messages.staff.none")
    else:
        body = "\n\n".join(
            _heading(line, escape(label if line.from_patient else line.writer), language, t)
            + "\n"
            + _preview(line.text)
            for line in lines
        )
    write = Button(
        t("messages.button.write_to", label=label), f"msg:to:{patient_id}", stateless=True
    )
    return Outcome(replies=(Reply(title + "\n\n" + body, (row(write),)),))


def argument_text(command_text: str) -> str:
    """What follows the command, as typed (line breaks kept): `/message Hej!\\nEn fråga`."""
    parts = command_text.split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""
