"""`/end <label>`: the patient's therapist, a patient-admin or an admin ends a treatment for
good (see ending.mmd). Pure. And what a patient whose treatment has ended is told, whatever
they send.

The dialogue asks for the reason (buttons; "Annat" asks for a short comment as text), then
shows a summary with **Avsluta behandlingen** and Avbryt: an ending cannot be undone. The
route carries it out (bot/care/lifecycle.end_treatment).

The dialogue's state is an `EndState` (dialogues/wizard.py): the patient and their label,
the step, the reason and the comment so far. The comment is staff text: it is kept in the
state until the ending is confirmed (then in `enrollments.end_comment`), never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import ClassVar, Literal

from babel.dates import format_date

from dialogues.crisis import crisis_text
from dialogues.types import Button, Outcome, Reply, row
from dialogues.wizard import Invalid, Wizard, WizardState, restarted

DIALOGUE = "ending"
WIZARD = Wizard(DIALOGUE, cancel_key="end.button.cancel", use_buttons_key="end.use_buttons")
REASONS = ("completed", "dropped_out", "referred", "other")  # storage.lifecycle.END_REASONS
NEEDS_COMMENT = "other"
MAX_COMMENT_CHARS = 500


@dataclass(frozen=True)
class EndView:
    """The treatment to end, as the route read it now."""

    label: str
    program: str  # the program's name in the staff member's language


class EndState(WizardState):
    NEEDS: ClassVar = {"comment": ("reason",), "confirm": ("reason",)}

    patient: int
    label: str
    step: Literal["reason", "comment", "confirm"] | None = None
    reason: Literal["completed", "dropped_out", "referred", "other"] | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Ending:
    """What the staff member confirmed: the route ends the treatment with it."""

    reason: str
    comment: str | None


def reason_word(reason: str, t) -> str:
    """An end reason as words (every reason, also those the bot sets itself)."""
    return t(f"end.reason.{reason}")


def start(view: EndView, patient_id: int, t) -> Outcome:
    state = EndState(patient=patient_id, label=view.label, step="reason", awaiting="text")
    return _ask_reason(view, state, t)


def _ask_reason(view: EndView, state: EndState, t, notice: str = "") -> Outcome:
    buttons = tuple(row(Button(reason_word(r, t), f"reason:{r}")) for r in REASONS)
    text = t("end.ask_reason", label=escape(view.label), program=escape(view.program))
    state = state.but(step="reason")
    return WIZARD.ask(t, state, text, buttons, notice=notice)


def _ask_comment(state: EndState, t, notice: str = "") -> Outcome:
    text = t("end.ask_comment", max=MAX_COMMENT_CHARS)
    return WIZARD.ask(t, state.but(step="comment"), text, notice=notice)


def _confirm(view: EndView, state: EndState, t) -> Outcome:
    comment = t("end.comment_line", text=escape(state.comment)) if state.comment else ""
    text = t(
        "end.confirm",
        label=escape(view.label),
        reason=reason_word(state.reason, t),
        comment=comment,
    )
    save = Button(t("end.button.confirm"), "confirm")
    return WIZARD.confirm(t, state.but(step="confirm"), text, save)


def read_comment(text: str) -> str | Invalid:
    comment = " ".join(text.split())
    if not comment:
        return Invalid("end.comment_empty")
    if len(comment) > MAX_COMMENT_CHARS:
        return Invalid("end.comment_too_long", {"n": len(comment), "max": MAX_COMMENT_CHARS})
    return comment


def on_button(view: EndView, data: dict, action: str, t) -> tuple[Outcome, Ending | None]:
    """The outcome, and the ending to carry out (None: nothing to store yet)."""
    state = EndState.load(data)
    if state is None:
        return WIZARD.end(restarted(t) + "\n\n" + t("end.start_again")), None
    name, _, arg = action.partition(":")
    if name == "cancel":
        return WIZARD.end(t("end.cancelled", label=escape(view.label))), None
    if name == "reason" and state.step == "reason" and arg in REASONS:
        chosen = state.but(reason=arg, comment=None)
        if arg == NEEDS_COMMENT:
            return _ask_comment(chosen, t), None
        return _confirm(view, chosen, t), None
    if name == "confirm" and state.step == "confirm":
        return Outcome(), Ending(state.reason, state.comment)
    return WIZARD.use_buttons(t, _question(view, state, t)), None


def on_text(view: EndView, data: dict, text: str, t) -> Outcome:
    state = EndState.load(data)
    if state is None:
        return WIZARD.end(restarted(t) + "\n\n" + t("end.start_again"))
    if state.step != "comment":
        return WIZARD.use_buttons(t, _question(view, state, t))
    comment = read_comment(text)
    if isinstance(comment, Invalid):
        return _ask_comment(state, t, comment.text(t))
    return _confirm(view, state.but(comment=comment), t)


def _question(view: EndView, state: EndState, t) -> Outcome:
    """The question open now, asked again."""
    if state.step == "comment":
        return _ask_comment(state, t)
    if state.step == "confirm":
        return _confirm(view, state, t)
    return _ask_reason(view, state, t)


def ended(label: str, reason: str, t) -> Outcome:
    """The staff member's confirmation: done, and what the patient was told."""
    return WIZARD.end(t("end.done", label=escape(label), reason=reason_word(reason, t)))


def already_ended(label: str, ended_on: date | None, t) -> Outcome:
    """A staff command that would act on a treatment that has ended (another /end, /open,
    /measure, ...): kindly, that it has ended and when; nothing changes."""
    when = format_date(ended_on, "d MMMM y", locale=t.language) if ended_on else "–"
    return Outcome(replies=(Reply(t("end.already_ended", label=escape(label), date=when)),))


def closed(outcome: Outcome) -> Outcome:
    """`outcome`, with the /end dialogue closed (nothing of it stays open)."""
    return Outcome(dialogue=DIALOGUE, data={}).then(outcome)


def treatment_over(t) -> Outcome:
    """What a patient whose treatment has ended is told, whatever they send: kindly, that it
    has ended, how to reach the clinic, and the crisis contacts."""
    return Outcome(replies=(Reply(t("ended.answer") + "\n\n" + crisis_text(t)),))


def help_after_end(commands: tuple[str, ...], t) -> Outcome:
    """/help after the end: what still answers (each with its usual line)."""
    lines = [t("ended.help_title")]
    lines += [f"/{name} {t(f'help.patient.{name}')}" for name in commands]
    return Outcome(replies=(Reply("\n".join(lines)),))
