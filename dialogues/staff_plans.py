"""A therapist's recurring activity plans for a patient (/plan <label>, see staff_plans.mmd).
Pure.

The page lists the patient's plans made by staff (what, kind, days and times, start, grace,
"flag when missed", comments, active) and the latest follow-ups with the patient's comments;
each plan can be paused or made active again. "Ny plan" walks through: what → kind → days
(weekdays, every day or every N days) → times → start → options (grace days, flag when
missed, comments allowed) → Spara.

The dialogue's state is a `PlansState` (dialogues/wizard.py): the patient of the page and,
while a new plan is made, the step and the `PlanDraft` so far.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Annotated, ClassVar, Literal

from babel.dates import format_date, format_datetime
from pydantic import Field

from dialogues.numbers import parse_clock_time, parse_int
from dialogues.types import Button, Outcome, row
from dialogues.wizard import Answers, ClockTime, Invalid, Wizard, WizardState, restarted

DIALOGUE = "staff_plans"
TYPES = ("vill", "maste", "kan_vara_utan")
EVERY_DAYS = (2, 3, 7)
GRACE_DAYS = (0, 1, 2, 3)
MAX_TEXT_CHARS = 200
MAX_TIMES = 4
WIZARD = Wizard(
    DIALOGUE, cancel_key="staff_plans.button.cancel", use_buttons_key="staff_plans.use_buttons"
)


@dataclass(frozen=True)
class PlanLine:
    plan_id: int
    text: str
    activity_type: str | None
    weekdays: frozenset[int] | None
    every_days: int | None
    times: tuple[time, ...]
    start: date
    grace_days: int
    flag_when_missed: bool
    comments_allowed: bool
    active: bool


@dataclass(frozen=True)
class FollowUpLine:
    text: str
    at: datetime  # local
    outcome: str | None
    mood: int | None
    comment: str | None


@dataclass(frozen=True)
class PlansView:
    label: str
    plans: tuple[PlanLine, ...]
    recent: tuple[FollowUpLine, ...]
    today: date
    quiet_start: time
    quiet_end: time
    language: str


def _days_text(weekdays, every_days, language: str, t) -> str:
    if every_days:
        return t("staff_plans.every_n_days", n=every_days)
    if not weekdays or len(weekdays) == 7:
        return t("staff_plans.every_day")
    monday = date(2024, 1, 1)  # a Monday: weekday names from babel
    return ", ".join(
        format_date(monday + timedelta(days=day), "EEE", locale=language)
        for day in sorted(weekdays)
    )


def _plan_text(line: PlanLine, language: str, t) -> str:
    parts = [f"<b>{escape(line.text)}</b>"]
    if line.activity_type:
        parts.append(t(f"diary.type.{line.activity_type}"))
    parts.append(_days_text(line.weekdays, line.every_days, language, t))
    parts.append(", ".join(at.strftime("%H:%M") for at in line.times))
    parts.append(t("staff_plans.from", day=format_date(line.start, "d MMM", locale=language)))
    parts.append(t("staff_plans.grace", n=line.grace_days))
    if line.flag_when_missed:
        parts.append(t("staff_plans.flagged"))
    parts.append(
        t("staff_plans.comments_on" if line.comments_allowed else "staff_plans.comments_off")
    )
    parts.append(t("staff_plans.active" if line.active else "staff_plans.paused"))
    return " · ".join(parts)


def _follow_up_text(line: FollowUpLine, language: str, t) -> str:
    when = format_datetime(line.at, "EEE d MMM HH:mm", locale=language)
    how = t(f"follow_up.outcome.{line.outcome}") if line.outcome else t("activities.missed")
    if line.mood is not None:
        how += " · " + t("diary.mood_value", mood=line.mood)
    text = f"• {when} {escape(line.text)}: {how}"
    if line.comment:
        text += "\n  " + t("staff_plans.comment", comment=escape(line.comment))
    return text


class PlanDraft(Answers):
    """A new plan so far (grace, flag and comments have their defaults from the start)."""

    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS)
    type: Literal["vill", "maste", "kan_vara_utan"] | None = None
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] | None = None
    every_days: int | None = Field(default=None, ge=2)
    times: list[ClockTime] | None = Field(default=None, min_length=1, max_length=MAX_TIMES)
    start: date | None = None
    grace_days: Literal[0, 1, 2, 3] = 1
    flag: bool = False
    comments: bool = True


class PlansPage(WizardState):
    """The page: whose plans (checked again on every press, bot/access.patient_of_dialogue)."""

    patient: int


class PlansState(PlansPage):
    NEEDS: ClassVar = {
        "type": ("text",),
        "days": ("text",),
        "times": ("text",),
        "start": ("text", "times"),
        "options": ("text", "times", "start"),
    }

    step: Literal["text", "type", "days", "times", "start", "options"] | None = None
    draft: PlanDraft = PlanDraft()

    def answers(self) -> PlanDraft:
        return self.draft

    def page(self) -> PlansPage:
        return PlansPage(patient=self.patient)

    def asking(self, step: str, draft: PlanDraft) -> PlansState:
        return self.but(step=step, awaiting="text", draft=draft)


def page(view: PlansView, base: PlansPage | Mapping, t, notice: str = "") -> Outcome:
    lines = [notice] if notice else []
    lines.append(t("staff_plans.title", label=escape(view.label)))
    if view.plans:
        lines.append("\n".join("• " + _plan_text(line, view.language, t) for line in view.plans))
    else:
        lines.append(t("staff_plans.none"))
    if view.recent:
        lines.append(
            t("staff_plans.recent")
            + "\n"
            + "\n".join(_follow_up_text(line, view.language, t) for line in view.recent)
        )
    keyboard = [
        (
            Button(
                t(
                    "staff_plans.button.pause" if line.active else "staff_plans.button.resume",
                    text=line.text[:30],
                ),
                f"toggle:{line.plan_id}",
            ),
        )
        for line in view.plans
    ]
    keyboard.append(
        row(
            Button(t("staff_plans.button.new"), "new"), Button(t("staff_plans.button.done"), "done")
        )
    )
    state = PlansPage(patient=PlansPage.model_validate(base).patient)  # no step open
    return WIZARD.ask(t, state, "\n\n".join(lines), tuple(keyboard), cancel=False)


def _ask_text(view: PlansView, state: PlansState, t) -> Outcome:
    question = t("staff_plans.ask_text", label=escape(view.label))
    return WIZARD.ask(t, state.asking("text", PlanDraft()), question)


def _ask_type(state: PlansState, draft: PlanDraft, t) -> Outcome:
    buttons = tuple(Button(t(f"diary.type.{kind}"), f"type:{kind}") for kind in TYPES)
    keyboard = (buttons, row(Button(t("staff_plans.button.no_type"), "type:-")))
    return WIZARD.ask(t, state.asking("type", draft), t("staff_plans.ask_type"), keyboard)


def _ask_days(view: PlansView, state: PlansState, draft: PlanDraft, t) -> Outcome:
    chosen = set(draft.weekdays or [])
    monday = date(2024, 1, 1)
    day_buttons = [
        Button(
            ("✓ " if day in chosen else "")
            + format_date(monday + timedelta(days=day), "EEE", locale=view.language),
            f"wd:{day}",
        )
        for day in range(7)
    ]
    keyboard = (
        tuple(day_buttons[:4]),
        tuple(day_buttons[4:]),
        tuple(Button(t("staff_plans.every_n_days", n=n), f"every:{n}") for n in EVERY_DAYS),
        row(
            Button(t("staff_plans.every_day"), "every:1"),
            Button(t("staff_plans.button.days_done"), "days_done") if chosen else None,
        ),
    )
    return WIZARD.ask(t, state.asking("days", draft), t("staff_plans.ask_days"), keyboard)


def _ask_times(state: PlansState, draft: PlanDraft, t, notice: str = "") -> Outcome:
    question = t("staff_plans.ask_times")
    return WIZARD.ask(t, state.asking("times", draft), question, notice=notice)


def _ask_start(
    view: PlansView, state: PlansState, draft: PlanDraft, t, notice: str = ""
) -> Outcome:
    keyboard = (
        row(
            Button(t("plan.today").capitalize(), f"start:{view.today.isoformat()}"),
            Button(
                t("plan.tomorrow").capitalize(),
                f"start:{(view.today + timedelta(days=1)).isoformat()}",
            ),
        ),
    )
    question = t("staff_plans.ask_start")
    return WIZARD.ask(t, state.asking("start", draft), question, keyboard, notice=notice)


def _options(view: PlansView, state: PlansState, draft: PlanDraft, t) -> Outcome:
    summary = _plan_text(_line_of(draft), view.language, t)
    flag_key = "staff_plans.button.flag_on" if draft.flag else "staff_plans.button.flag_off"
    comments_key = (
        "staff_plans.button.comments_on" if draft.comments else "staff_plans.button.comments_off"
    )
    options = (
        row(Button(t("staff_plans.button.grace", n=draft.grace_days), "grace")),
        row(Button(t(flag_key), "flag")),
        row(Button(t(comments_key), "comments")),
    )
    return WIZARD.confirm(
        t,
        state.asking("options", draft),
        t("staff_plans.confirm", plan=summary),
        Button(t("staff_plans.button.save"), "save"),
        options=options,
    )


def _line_of(draft: PlanDraft) -> PlanLine:
    return PlanLine(
        plan_id=0,
        text=draft.text,
        activity_type=draft.type,
        weekdays=frozenset(draft.weekdays) if draft.weekdays else None,
        every_days=draft.every_days,
        times=tuple(draft.times),
        start=draft.start,
        grace_days=draft.grace_days,
        flag_when_missed=draft.flag,
        comments_allowed=draft.comments,
        active=True,
    )


@dataclass(frozen=True)
class Change:
    """What to store: "create" (a PlanLine) or "toggle" (a plan id)."""

    kind: str
    value: object


def restart(view: PlansView, data: object, t) -> Outcome:
    """A stored state that could not be read: the page again, kindly (its patient, if it
    can be read, was checked by the route)."""
    base = PlansPage.load(data)
    if base is None:
        return WIZARD.end(restarted(t))
    return page(view, base, t, restarted(t))


def on_button(view: PlansView, data: dict, action: str, t) -> tuple[Outcome, Change | None]:
    state = PlansState.load(data)
    if state is None:
        return restart(view, data, t), None
    name, _, arg = action.partition(":")
    step = state.step
    draft = state.draft
    if name == "done":
        return WIZARD.end(t("staff_plans.closed")), None
    if name == "cancel":
        return page(view, state.page(), t, t("staff_plans.cancelled")), None
    if name == "toggle" and any(str(line.plan_id) == arg for line in view.plans):
        return Outcome(), Change("toggle", int(arg))
    if name == "new":
        return _ask_text(view, state, t), None
    if name == "type" and step == "type":
        return _ask_days(view, state, draft.but(type=arg if arg in TYPES else None), t), None
    number = parse_int(arg, 0, max(EVERY_DAYS))
    if name == "wd" and step == "days" and number is not None and number < 7:
        chosen = set(draft.weekdays or []) ^ {number}
        draft = draft.but(weekdays=sorted(chosen), every_days=None)
        return _ask_days(view, state, draft, t), None
    if name == "every" and step == "days" and number in (1, *EVERY_DAYS):
        draft = draft.but(weekdays=None, every_days=number if number > 1 else None)
        return _ask_times(state, draft, t), None
    if name == "days_done" and step == "days" and draft.weekdays:
        return _ask_times(state, draft, t), None
    if name == "start" and step == "start":
        return _set_start(view, state, arg, t), None
    if step == "options" and name == "grace":
        grace = GRACE_DAYS[(GRACE_DAYS.index(draft.grace_days) + 1) % len(GRACE_DAYS)]
        return _options(view, state, draft.but(grace_days=grace), t), None
    if step == "options" and name in ("flag", "comments"):
        toggled = draft.but(**{name: not getattr(draft, name)})
        return _options(view, state, toggled, t), None
    if name == "save" and step == "options":
        return Outcome(), Change("create", _line_of(draft))
    return page(view, state.page(), t, t("staff_plans.use_buttons")), None


def on_text(view: PlansView, data: dict, text: str, t) -> Outcome:
    state = PlansState.load(data)
    if state is None:
        return restart(view, data, t)
    step = state.step
    draft = state.draft
    typed = text.strip()
    if step == "text":
        if not typed:
            return _ask_text(view, state, t)
        return _ask_type(state, draft.but(text=typed[:MAX_TEXT_CHARS]), t)
    if step == "times":
        return _set_times(view, state, typed, t)
    if step == "start":
        return _set_start(view, state, typed, t)
    if step == "type":
        return WIZARD.use_buttons(t, _ask_type(state, draft, t))
    if step == "days":
        return WIZARD.use_buttons(t, _ask_days(view, state, draft, t))
    if step == "options":
        return WIZARD.use_buttons(t, _options(view, state, draft, t))
    return page(view, state.page(), t, t("staff_plans.use_buttons"))


def _read_times(view: PlansView, typed: str) -> list[time] | Invalid:
    """One to four times of day ("8.00, 18:00"), none in the patient's quiet hours."""
    found = []
    for part in re.split(r"[,\s]+", typed):
        at = parse_clock_time(part) if part else None
        if part and at is None:
            return Invalid("staff_plans.times_unclear")
        if at is not None:
            found.append(at)
    if not found or len(found) > MAX_TIMES:
        return Invalid("staff_plans.times_unclear")
    if any(_in_quiet_hours(at, view.quiet_start, view.quiet_end) for at in found):
        quiet = f"{view.quiet_start:%H:%M}–{view.quiet_end:%H:%M}"
        return Invalid("staff_plans.times_quiet", {"quiet": quiet})
    return sorted(set(found))


def _set_times(view: PlansView, state: PlansState, typed: str, t) -> Outcome:
    times = _read_times(view, typed)
    if isinstance(times, Invalid):
        return _ask_times(state, state.draft, t, times.text(t))
    return _ask_start(view, state, state.draft.but(times=times), t)


def _in_quiet_hours(at: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= at < end
    return at >= start or at < end


def _read_start(view: PlansView, raw: str) -> date | Invalid:
    try:
        start = date.fromisoformat(raw.strip())
    except ValueError:
        return Invalid("staff_plans.start_unclear")
    return start if start >= view.today else Invalid("staff_plans.start_past")


def _set_start(view: PlansView, state: PlansState, raw: str, t) -> Outcome:
    start = _read_start(view, raw)
    if isinstance(start, Invalid):
        return _ask_start(view, state, state.draft, t, start.text(t))
    return _options(view, state, state.draft.but(start=start), t)
