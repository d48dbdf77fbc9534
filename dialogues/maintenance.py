"""`/maintain <label> <days>` (the patient's therapist or a patient-admin): put an active
treatment into maintenance (vidmakthållande) after a confirmation (see maintenance.mmd).
Pure.

The confirmation page shows the last day and the modules the patient had, each a toggle
(✓ kept to read, ✗ deselected); Starta vidmakthållande starts it, Avbryt leaves everything
as it was. The days (1..365) come with the command or are asked for; a number typed on the
page changes them. A number that does not fit is said kindly and asked again, with nothing
chosen so far lost.

The dialogue's state is a `MaintainState` (dialogues/wizard.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import ClassVar, Literal

from babel.dates import format_date

from dialogues.numbers import parse_int
from dialogues.reading import MAX_MODULE, ModuleChoice
from dialogues.types import Button, Outcome, row
from dialogues.wizard import Invalid, Wizard, WizardState, restarted, say

DIALOGUE = "maintenance"
WIZARD = Wizard(
    DIALOGUE, cancel_key="maintain.button.cancel", use_buttons_key="maintain.use_buttons"
)
MIN_DAYS = 1
MAX_DAYS = 365


class MaintainState(WizardState):
    NEEDS: ClassVar = {"confirm": ("days",)}

    step: Literal["days", "confirm"] | None = None
    patient: int  # the patient's id (checked again on every press)
    days: int | None = None
    hidden: tuple[int, ...] = ()  # the modules deselected


@dataclass(frozen=True)
class MaintainView:
    label: str
    modules: tuple[ModuleChoice, ...]  # the modules the patient had
    today: date  # in the patient's zone
    language: str

    def last_day(self, days: int) -> str:
        return format_date(self.today + timedelta(days=days), "d MMMM yyyy", locale=self.language)


def parse_days(text: str) -> int | Invalid:
    cleaned = text.strip().lower().removesuffix("dagar").removesuffix("days").strip()
    days = parse_int(cleaned, MIN_DAYS, MAX_DAYS)  # ASCII digits only ('²' is no number)
    if days is None:
        return Invalid("maintain.bad_days", {"low": MIN_DAYS, "high": MAX_DAYS})
    return days


def begin(view: MaintainView, patient_id: int, days: str | None, t) -> Outcome:
    """The command's start: the page when its days fit, else the question for them."""
    state = MaintainState(patient=patient_id)
    if days is None:
        return _ask_days(view, state, t)
    return _take_days(view, state, days, t)


def _ask_days(view: MaintainView, state: MaintainState, t, notice: str = "") -> Outcome:
    asking = state.but(step="days", awaiting="text")
    text = t("maintain.ask_days", label=escape(view.label), low=MIN_DAYS, high=MAX_DAYS)
    return WIZARD.ask(t, asking, text, notice=notice)


def _take_days(view: MaintainView, state: MaintainState, text: str, t) -> Outcome:
    days = parse_days(text)
    if isinstance(days, Invalid):
        if state.step == "confirm":
            return page(view, state, t, notice=days.text(t))
        return _ask_days(view, state, t, notice=days.text(t))
    return page(view, state.but(days=days), t)


def page(
    view: MaintainView, state: MaintainState, t, notice: str = "", *, edit: bool = False
) -> Outcome:
    """The confirmation: the last day, the modules to keep (toggles), Starta / Avbryt."""
    state = state.but(step="confirm", awaiting="text")
    hidden = set(state.hidden)
    lines = [
        t(
            "maintain.page",
            label=escape(view.label),
            days=state.days,
            until=view.last_day(state.days),
        )
    ]
    if view.modules:
        lines.append(t("maintain.modules_hint"))
    else:
        lines.append(t("maintain.no_modules"))
    lines.append(t("maintain.closed_hint"))
    toggles = tuple(
        row(
            Button(
                ("✗ " if choice.number in hidden else "✓ ") + choice.name[:50],
                f"mod:{choice.number}",
            )
        )
        for choice in view.modules
    )
    keyboard = toggles + (
        row(Button(t("maintain.button.start"), "start")),
        row(WIZARD.cancel_button(t)),
    )
    text = (notice + "\n\n" if notice else "") + "\n\n".join(lines)
    return WIZARD.ask(t, state, text, keyboard, cancel=False, edit_pressed=edit)


def on_button(
    view: MaintainView, state: MaintainState | None, action: str, t
) -> tuple[Outcome, MaintainState | None]:
    """The outcome, and the state to start maintenance with (None: nothing to store)."""
    if state is None:
        return WIZARD.end(restarted(t)), None
    name, _, arg = action.partition(":")
    if name == "cancel":
        return WIZARD.end(t("maintain.cancelled", label=escape(view.label))), None
    if state.step != "confirm":
        return WIZARD.use_buttons(t, _ask_days(view, state, t)), None
    if name == "start":
        return Outcome(), state
    module = parse_int(arg, 1, MAX_MODULE) if name == "mod" else None
    if module is not None and any(c.number == module for c in view.modules):
        hidden = set(state.hidden) ^ {module}
        return page(view, state.but(hidden=tuple(sorted(hidden))), t, edit=True), None
    return WIZARD.use_buttons(t, page(view, state, t)), None


def on_text(view: MaintainView, state: MaintainState | None, text: str, t) -> Outcome:
    """Typed days: asked for, or a change on the page."""
    if state is None:
        return WIZARD.end(restarted(t))
    return _take_days(view, state, text, t)


def started(label: str, until: str, hidden: int, t) -> Outcome:
    text = t("maintain.started", label=escape(label), until=until)
    if hidden:
        text += "\n" + t("maintain.started_hidden", count=hidden)
    return WIZARD.end(text)


def not_active(label: str, status: str | None, t) -> Outcome:
    """Only an active treatment can go into maintenance."""
    key = {"maintenance": "maintain.already", "ended": "maintain.ended"}.get(
        status or "", "maintain.not_active"
    )
    return say(t(key, label=escape(label)))
