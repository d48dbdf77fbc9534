"""`/cover` for patient-admins and admins: absence cover (see cover.mmd). Pure.

The page lists the unit's current and coming covers (absent therapist → deputy, first and
last day in the unit's zone) with a button to end each. "Ny ersättare" walks through: the
absent therapist → the deputy (the unit's other therapists, as buttons) → the first day
(I dag / I morgon, or typed 2026-12-21) → the last day (one or two weeks, or typed) → Spara.
During the cover the deputy sees the absent therapist's patients and hears what the
therapist hears (alerts, notes). Moving a patient for good is /move <label>.

The dialogue's state is a `CoverState` (dialogues/wizard.py): no step on the page; while a
cover is made, the step and the `CoverDraft` so far (absent, deputy, first and last day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import ClassVar, Literal

from babel.dates import format_date

from dialogues.numbers import parse_id
from dialogues.types import Button, Outcome, row
from dialogues.wizard import Answers, Invalid, Wizard, WizardState, restarted

DIALOGUE = "cover"
WIZARD = Wizard(DIALOGUE, cancel_key="cover.button.cancel", use_buttons_key="cover.use_buttons")


@dataclass(frozen=True)
class CoverLine:
    id: int
    absent: str
    deputy: str
    first_day: date
    last_day: date
    current: bool


@dataclass(frozen=True)
class CoverView:
    covers: tuple[CoverLine, ...]
    therapists: tuple[tuple[int, str], ...]  # the unit's active therapists: (id, name)
    today: date  # in the unit's zone
    language: str

    def name_of(self, staff_id: int) -> str | None:
        return next((name for sid, name in self.therapists if sid == staff_id), None)


@dataclass(frozen=True)
class NewCover:
    absent: int
    deputy: int
    first_day: date
    last_day: date


class CoverDraft(Answers):
    absent: int | None = None  # staff ids
    deputy: int | None = None
    first: date | None = None
    last: date | None = None


class CoverState(WizardState):
    NEEDS: ClassVar = {
        "deputy": ("absent",),
        "first": ("absent", "deputy"),
        "last": ("absent", "deputy", "first"),
        "confirm": ("absent", "deputy", "first", "last"),
    }

    step: Literal["absent", "deputy", "first", "last", "confirm"] | None = None
    draft: CoverDraft = CoverDraft()

    def answers(self) -> CoverDraft:
        return self.draft


def _asking(step: str, draft: CoverDraft) -> CoverState:
    return CoverState(step=step, awaiting="text", draft=draft)


@dataclass(frozen=True)
class Change:
    """What to store: "create" (a NewCover) or "end" (a cover id)."""

    kind: str
    value: object


def _day(day: date, language: str) -> str:
    return format_date(day, "d MMM yyyy", locale=language)


def period(first: date, last: date, language: str) -> str:
    return f"{_day(first, language)} – {_day(last, language)}"


def page(view: CoverView, t, notice: str = "") -> Outcome:
    lines = [notice] if notice else []
    lines.append(t("cover.title"))
    if view.covers:
        lines.append(
            "\n".join(
                "• "
                + t(
                    "cover.line",
                    absent=escape(line.absent),
                    deputy=escape(line.deputy),
                    period=period(line.first_day, line.last_day, view.language),
                )
                + (" " + t("cover.current") if line.current else "")
                for line in view.covers
            )
        )
    else:
        lines.append(t("cover.none"))
    lines.append(t("cover.move_hint"))
    keyboard = [
        row(
            Button(
                t("cover.button.end", absent=line.absent[:20], deputy=line.deputy[:20]),
                f"end:{line.id}",
            )
        )
        for line in view.covers
    ]
    keyboard.append(
        row(Button(t("cover.button.new"), "new"), Button(t("cover.button.done"), "done"))
    )
    return WIZARD.ask(t, CoverState(), "\n\n".join(lines), tuple(keyboard), cancel=False)


def _ask_absent(view: CoverView, t) -> Outcome:
    buttons = tuple(row(Button(name[:40], f"absent:{sid}")) for sid, name in view.therapists)
    return WIZARD.ask(t, _asking("absent", CoverDraft()), t("cover.ask_absent"), buttons)


def _ask_deputy(view: CoverView, draft: CoverDraft, t) -> Outcome:
    buttons = tuple(
        row(Button(name[:40], f"deputy:{sid}"))
        for sid, name in view.therapists
        if sid != draft.absent
    )
    text = t("cover.ask_deputy", absent=escape(view.name_of(draft.absent) or ""))
    if not buttons:
        text = t("cover.no_deputy")
    return WIZARD.ask(t, _asking("deputy", draft), text, buttons)


def _ask_first(view: CoverView, draft: CoverDraft, t, notice: str = "") -> Outcome:
    tomorrow = view.today + timedelta(days=1)
    buttons = (
        row(
            Button(t("plan.today").capitalize(), f"first:{view.today.isoformat()}"),
            Button(t("plan.tomorrow").capitalize(), f"first:{tomorrow.isoformat()}"),
        ),
    )
    question = t("cover.ask_first")
    return WIZARD.ask(t, _asking("first", draft), question, buttons, notice=notice)


def _ask_last(view: CoverView, draft: CoverDraft, t, notice: str = "") -> Outcome:
    buttons = (
        row(
            *(
                Button(
                    t("cover.button.weeks", n=weeks),
                    f"last:{(draft.first + timedelta(days=7 * weeks - 1)).isoformat()}",
                )
                for weeks in (1, 2)
            )
        ),
    )
    question = t("cover.ask_last", first=_day(draft.first, view.language))
    return WIZARD.ask(t, _asking("last", draft), question, buttons, notice=notice)


def _confirm(view: CoverView, draft: CoverDraft, t) -> Outcome:
    text = t(
        "cover.confirm",
        absent=escape(view.name_of(draft.absent) or ""),
        deputy=escape(view.name_of(draft.deputy) or ""),
        period=period(draft.first, draft.last, view.language),
    )
    save = Button(t("cover.button.save"), "save")
    return WIZARD.confirm(t, _asking("confirm", draft), text, save)


def parse_day(typed: str, today: date, t) -> date | None:
    """2026-12-21, or the words for today and tomorrow ("i dag", "idag", "i morgon")."""
    text = " ".join(typed.lower().split())
    words = {t("plan.today"): today, t("plan.tomorrow"): today + timedelta(days=1)}
    for word, day in list(words.items()):
        words[word.replace(" ", "")] = day
    if text in words:
        return words[text]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _read_first(view: CoverView, raw: str, t) -> date | Invalid:
    first = parse_day(raw, view.today, t)
    if first is None:
        return Invalid("cover.day_unclear")
    return first if first >= view.today else Invalid("cover.day_past")


def _read_last(view: CoverView, draft: CoverDraft, raw: str, t) -> date | Invalid:
    last = parse_day(raw, view.today, t)
    if last is None:
        return Invalid("cover.day_unclear")
    return last if last >= draft.first else Invalid("cover.last_before_first")


def _set_first(view: CoverView, draft: CoverDraft, raw: str, t) -> Outcome:
    first = _read_first(view, raw, t)
    if isinstance(first, Invalid):
        return _ask_first(view, draft, t, first.text(t))
    return _ask_last(view, draft.but(first=first), t)


def _set_last(view: CoverView, draft: CoverDraft, raw: str, t) -> Outcome:
    last = _read_last(view, draft, raw, t)
    if isinstance(last, Invalid):
        return _ask_last(view, draft, t, last.text(t))
    return _confirm(view, draft.but(last=last), t)


def on_button(view: CoverView, data: dict, action: str, t) -> tuple[Outcome, Change | None]:
    state = CoverState.load(data)
    if state is None:
        return page(view, t, restarted(t)), None
    name, _, arg = action.partition(":")
    step = state.step
    draft = state.draft
    if name == "done":
        return WIZARD.end(t("cover.closed")), None
    if name == "cancel":
        return page(view, t, t("cover.cancelled")), None
    if name == "new":
        return _ask_absent(view, t), None
    if name == "end" and any(str(line.id) == arg for line in view.covers):
        return Outcome(), Change("end", int(arg))
    chosen = parse_id(arg)
    if name == "absent" and step == "absent" and view.name_of(chosen or 0):
        return _ask_deputy(view, CoverDraft(absent=chosen), t), None
    if name == "deputy" and step == "deputy" and view.name_of(chosen or 0):
        if chosen != draft.absent:
            return _ask_first(view, draft.but(deputy=chosen), t), None
    if name == "first" and step == "first":
        return _set_first(view, draft, arg, t), None
    if name == "last" and step == "last":
        return _set_last(view, draft, arg, t), None
    if name == "save" and step == "confirm":
        cover = NewCover(draft.absent, draft.deputy, draft.first, draft.last)
        if cover.first_day < view.today:  # the confirmation waited past midnight
            return _ask_first(view, draft, t, t("cover.day_past")), None
        return Outcome(), Change("create", cover)
    return page(view, t, t("cover.use_buttons")), None


def on_text(view: CoverView, data: dict, text: str, t) -> Outcome:
    state = CoverState.load(data)
    if state is None:
        return page(view, t, restarted(t))
    step = state.step
    if step == "first":
        return _set_first(view, state.draft, text, t)
    if step == "last":
        return _set_last(view, state.draft, text, t)
    if step == "absent":
        return WIZARD.use_buttons(t, _ask_absent(view, t))
    if step == "deputy":
        return WIZARD.use_buttons(t, _ask_deputy(view, state.draft, t))
    if step == "confirm":
        return WIZARD.use_buttons(t, _confirm(view, state.draft, t))
    return page(view, t, t("cover.use_buttons"))
