"""Planning a concrete activity on a day and a time (see activity_plan.mmd). Pure.

what (typed, or picked from the patient's lists) → type (vill / måste / kan vara utan; only
from the module where types are asked, and not when the exercise presets it) → day (today and
the coming days) → time (a button or typed "17:30") → confirm. The route stores the plan: a
one-off schedule of kind 'activity' (a reminder at that time, a follow-up "Blev det av?"
afterwards) and, for a module exercise, the exercise's answer.

The dialogue's state is a `PlanState` (dialogues/wizard.py): the step, the answers so far
and, from a module exercise, its item key; "awaiting" is always "text" while a step is open,
so a stray message re-asks the step and keeps the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from html import escape
from typing import ClassVar, Literal

from babel.dates import format_date
from pydantic import Field

from dialogues.numbers import parse_clock_time
from dialogues.types import Button, Outcome, Reply, row
from dialogues.wizard import ClockTime, Invalid, Wizard, WizardState, restarted

DIALOGUE = "plan"
TYPES = ("vill", "maste", "kan_vara_utan")
MAX_TEXT_CHARS = 200
DAYS_AHEAD = 7  # today and the six days after it
TIME_CHOICES = (time(8), time(10), time(12), time(15), time(17), time(19))
MIN_LEAD = timedelta(minutes=5)  # a plan for "now" still gets its reminder
WIZARD = Wizard(DIALOGUE, cancel_key="plan.button.cancel", use_buttons_key="plan.use_buttons")


@dataclass(frozen=True)
class PlanView:
    """What the dialogue needs: the patient's local today and time, their listed activities
    (id, text, type), whether types are asked, and their quiet hours (no reminder then)."""

    today: date
    now: time
    listed: tuple[tuple[int, str, str], ...]
    ask_types: bool
    quiet_start: time
    quiet_end: time
    language: str


@dataclass(frozen=True)
class Draft:
    text: str
    activity_type: str | None
    day: date
    at: time
    item: str | None


class PlanState(WizardState):
    """The plan so far ("saved": the plan is stored; "Planera en till" starts another)."""

    NEEDS: ClassVar = {
        "type": ("text",),
        "day": ("text",),
        "time": ("text", "day"),
        "confirm": ("text", "day", "time"),
    }

    step: Literal["what", "type", "day", "time", "confirm", "saved"] | None = None
    item: str | None = None  # the module exercise's item key
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS)
    type: Literal["vill", "maste", "kan_vara_utan"] | None = None
    day: date | None = None
    time: ClockTime | None = None

    def asking(self, step: str) -> PlanState:
        return self.but(step=step, awaiting="text")

    def draft(self) -> Draft:
        return Draft(self.text, self.type, self.day, self.time, self.item)


def start(
    view: PlanView,
    t,
    *,
    item: str | None = None,
    preset_type: str | None = None,
    text: str | None = None,
) -> Outcome:
    state = PlanState(item=item, type=preset_type)
    if text:
        return _after_what(view, state, text, t)
    return _ask_what(view, state, t)


def _ask_what(view: PlanView, state: PlanState, t, notice: str = "") -> Outcome:
    picks = [a for a in view.listed if state.type is None or a[2] == state.type][:8]
    keyboard = tuple((Button(text_of, f"pick:{activity_id}"),) for activity_id, text_of, _ in picks)
    question = t("plan.ask_what_" + ("listed" if picks else "typed"))
    return WIZARD.ask(t, state.asking("what"), question, keyboard, notice=notice)


def _read_what(typed: str) -> str | Invalid:
    return typed.strip()[:MAX_TEXT_CHARS] or Invalid("plan.empty")


def _after_what(view: PlanView, state: PlanState, typed: str, t) -> Outcome:
    what = _read_what(typed)
    if isinstance(what, Invalid):
        return _ask_what(view, state, t, what.text(t))
    state = state.but(text=what)
    if state.type is None and view.ask_types:
        return _ask_type(state, t)
    return _ask_day(view, state, t)


def _ask_type(state: PlanState, t) -> Outcome:
    buttons = tuple(Button(t(f"diary.type.{kind}"), f"type:{kind}") for kind in TYPES)
    question = t("plan.ask_type", text=escape(state.text))
    return WIZARD.ask(t, state.asking("type"), question, (buttons,))


def _day_label(view: PlanView, day: date, t) -> str:
    if day == view.today:
        return t("plan.today")
    if day == view.today + timedelta(days=1):
        return t("plan.tomorrow")
    return format_date(day, "EEE d MMM", locale=view.language)


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def _ask_day(view: PlanView, state: PlanState, t) -> Outcome:
    days = [view.today + timedelta(days=offset) for offset in range(DAYS_AHEAD)]
    if not _free_times(view, view.today):
        days = days[1:]  # too late today for any offered time
    buttons = [
        Button(_capitalised(_day_label(view, day, t)), f"day:{day.isoformat()}") for day in days
    ]
    keyboard = tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))
    question = t("plan.ask_day", text=escape(state.text))
    return WIZARD.ask(t, state.asking("day"), question, keyboard)


def _free_times(view: PlanView, day: date) -> list[time]:
    return [at for at in TIME_CHOICES if _time_problem(view, day, at) is None]


def _time_problem(view: PlanView, day: date, at: time) -> str | None:
    """Why a time cannot be planned, as a catalogue key, or None."""
    if day == view.today:
        now = timedelta(hours=view.now.hour, minutes=view.now.minute)
        if timedelta(hours=at.hour, minutes=at.minute) < now + MIN_LEAD:
            return "plan.time_past"
    if _in_quiet_hours(at, view.quiet_start, view.quiet_end):
        return "plan.time_quiet"
    return None


def _in_quiet_hours(at: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= at < end
    return at >= start or at < end  # over midnight, e.g. 21:30–07:30


def _ask_time(view: PlanView, state: PlanState, t, notice: str = "") -> Outcome:
    free = _free_times(view, state.day)
    buttons = [Button(at.strftime("%H:%M"), f"time:{at.strftime('%H:%M')}") for at in free]
    keyboard = [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
    keyboard.append(row(Button(t("plan.button.other_day"), "days"), WIZARD.cancel_button(t)))
    question = t("plan.ask_time", day=_day_label(view, state.day, t))
    return WIZARD.ask(
        t, state.asking("time"), question, tuple(keyboard), notice=notice, cancel=False
    )


def _checked_time(view: PlanView, day: date, at: time) -> time | Invalid:
    problem = _time_problem(view, day, at)
    if problem is not None:
        return Invalid(problem, {"quiet": f"{view.quiet_start:%H:%M}–{view.quiet_end:%H:%M}"})
    return at


def _set_time(view: PlanView, state: PlanState, at: time, t) -> Outcome:
    checked = _checked_time(view, state.day, at)
    if isinstance(checked, Invalid):
        return _ask_time(view, state, t, checked.text(t))
    return _confirm(view, state.but(time=checked), t)


def describe(draft: Draft, language: str, t) -> str:
    """'Promenad · tisdag 24 november kl. 17:00' in the reader's language, as plain text
    (it is also stored as the exercise's answer; escape it for a message)."""
    day = format_date(draft.day, "EEEE d MMMM", locale=language)
    return t("plan.description", text=draft.text, day=day, time=draft.at.strftime("%H:%M"))


def _confirm(view: PlanView, state: PlanState, t) -> Outcome:
    draft = state.draft()
    lines = [t("plan.confirm", plan=escape(describe(draft, view.language, t)))]
    if draft.activity_type:
        lines.append(t(f"diary.type.{draft.activity_type}"))
    return WIZARD.confirm(
        t,
        state.asking("confirm"),
        "\n\n".join(lines),
        Button(t("plan.button.save"), "save"),
        beside_cancel=Button(t("plan.button.change"), "restart"),
    )


def saved(draft: Draft, language: str, t) -> Outcome:
    """After the route stored the plan."""
    text = t("plan.saved", plan=escape(describe(draft, language, t)))
    buttons = [row(Button(t("plan.button.another"), "again"))]
    if draft.item:
        buttons.insert(0, row(Button(t("plan.button.to_module"), "module")))
    state = PlanState(
        step="saved", item=draft.item, type=draft.activity_type if draft.item else None
    )
    return Outcome(replies=(Reply(text, tuple(buttons)),), dialogue=DIALOGUE, data=state.dump())


def restart(view: PlanView, t) -> Outcome:
    """A stored plan that could not be read: start again, kindly."""
    return _ask_what(view, PlanState(), t, restarted(t))


def on_text(view: PlanView, data: dict, text: str, t) -> Outcome:
    state = PlanState.load(data)
    if state is None:
        return restart(view, t)
    if state.step == "what":
        return _after_what(view, state, text, t)
    if state.step == "time":
        at = parse_clock_time(text, hour_alone=True)
        if at is None:
            return _ask_time(view, state, t, t("plan.time_unclear"))
        return _set_time(view, state, at, t)
    return _again(view, state, t)


def on_button(view: PlanView, data: dict, action: str, t) -> tuple[Outcome, Draft | None]:
    """Returns the outcome and, on "save", the draft for the route to store (the route then
    replies with `saved`). "module" and "again" after saving are the route's."""
    state = PlanState.load(data)
    if state is None:
        return restart(view, t), None
    name, _, arg = action.partition(":")
    step = state.step
    if name == "cancel":
        return WIZARD.end(t("plan.cancelled")), None
    if name == "restart":
        kept_type = state.type if state.item else None  # an exercise's preset stays
        return _ask_what(view, PlanState(item=state.item, type=kept_type), t), None
    if name == "pick" and step == "what":
        picked = next((a for a in view.listed if str(a[0]) == arg), None)
        if picked is not None:
            chosen = state.but(type=state.type or picked[2])
            return _after_what(view, chosen, picked[1], t), None
    if name == "type" and step == "type" and arg in TYPES:
        return _ask_day(view, state.but(type=arg), t), None
    if name == "days" and step == "time":
        return _ask_day(view, state, t), None
    if name == "day" and step == "day":
        chosen = _valid_day(view, arg)
        if chosen is not None:
            return _ask_time(view, state.but(day=chosen), t), None
    if name == "time" and step == "time":
        try:
            return _set_time(view, state, time.fromisoformat(arg), t), None
        except ValueError:
            pass
    if name == "save" and step == "confirm":
        draft = state.draft()
        if _time_problem(view, draft.day, draft.at) is None:
            return Outcome(), draft
        return _ask_time(view, state, t, t("plan.time_past")), None
    return _again(view, state, t), None


def _valid_day(view: PlanView, raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if view.today <= day < view.today + timedelta(days=DAYS_AHEAD) else None


def _again(view: PlanView, state: PlanState, t) -> Outcome:
    """The open question again, after "use the buttons" (nothing entered is lost)."""
    if state.step == "type":
        return WIZARD.use_buttons(t, _ask_type(state, t))
    if state.step == "day":
        return WIZARD.use_buttons(t, _ask_day(view, state, t))
    if state.step == "confirm":
        return WIZARD.use_buttons(t, _confirm(view, state, t))
    if state.step == "time":
        return _ask_time(view, state, t, t("plan.use_buttons"))
    fresh = PlanState(item=state.item, type=state.type)
    return _ask_what(view, fresh, t, t("plan.use_buttons"))
