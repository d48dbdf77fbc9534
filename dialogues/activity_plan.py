"""Planning a concrete activity on a day and a time (see activity_plan.mmd). Pure.

what (typed, or picked from the patient's lists) → type (vill / måste / kan vara utan; only
from the module where types are asked, and not when the exercise presets it) → day (today and
the coming days) → time (a button or typed "17:30") → confirm. The route stores the plan: a
one-off schedule of kind 'activity' (a reminder at that time, a follow-up "Blev det av?"
afterwards) and, for a module exercise, the exercise's answer.

The dialogue's data: {"step": "what"|"type"|"day"|"time"|"confirm", "awaiting": "text"
(typed text always comes here, so a stray message re-asks the step and keeps the draft),
"item": exercise key or None, "text", "type", "day", "time"}.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from html import escape

from babel.dates import format_date

from dialogues.numbers import parse_clock_time
from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "plan"
TYPES = ("vill", "maste", "kan_vara_utan")
MAX_TEXT_CHARS = 200
DAYS_AHEAD = 7  # today and the six days after it
TIME_CHOICES = (time(8), time(10), time(12), time(15), time(17), time(19))
MIN_LEAD = timedelta(minutes=5)  # a plan for "now" still gets its reminder


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


def start(
    view: PlanView,
    t,
    *,
    item: str | None = None,
    preset_type: str | None = None,
    text: str | None = None,
) -> Outcome:
    data = {"item": item, "type": preset_type}
    if text:
        return _after_what(view, data, text, t)
    return _ask_what(view, data, t)


def _ask_what(view: PlanView, data: dict, t, notice: str = "") -> Outcome:
    preset = data.get("type")
    picks = [a for a in view.listed if preset is None or a[2] == preset][:8]
    keyboard = [(Button(text_of, f"pick:{activity_id}"),) for activity_id, text_of, _ in picks]
    keyboard.append(row(Button(t("plan.button.cancel"), "cancel")))
    lines = [notice] if notice else []
    lines.append(t("plan.ask_what_" + ("listed" if picks else "typed")))
    return _page(lines, tuple(keyboard), {**data, "step": "what", "awaiting": "text"})


def _after_what(view: PlanView, data: dict, text: str, t) -> Outcome:
    text = text.strip()[:MAX_TEXT_CHARS]
    if not text:
        return _ask_what(view, data, t, t("plan.empty"))
    data = {**data, "text": text}
    if data.get("type") is None and view.ask_types:
        return _ask_type(data, t)
    return _ask_day(view, data, t)


def _ask_type(data: dict, t) -> Outcome:
    buttons = tuple(Button(t(f"diary.type.{kind}"), f"type:{kind}") for kind in TYPES)
    lines = [t("plan.ask_type", text=escape(data["text"]))]
    keyboard = (buttons, row(Button(t("plan.button.cancel"), "cancel")))
    return _page(lines, keyboard, {**data, "step": "type", "awaiting": "text"})


def _day_label(view: PlanView, day: date, t) -> str:
    if day == view.today:
        return t("plan.today")
    if day == view.today + timedelta(days=1):
        return t("plan.tomorrow")
    return format_date(day, "EEE d MMM", locale=view.language)


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def _ask_day(view: PlanView, data: dict, t) -> Outcome:
    days = [view.today + timedelta(days=offset) for offset in range(DAYS_AHEAD)]
    if not _free_times(view, view.today):
        days = days[1:]  # too late today for any offered time
    buttons = [
        Button(_capitalised(_day_label(view, day, t)), f"day:{day.isoformat()}") for day in days
    ]
    keyboard = [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
    keyboard.append(row(Button(t("plan.button.cancel"), "cancel")))
    lines = [t("plan.ask_day", text=escape(data["text"]))]
    return _page(lines, tuple(keyboard), {**data, "step": "day", "awaiting": "text"})


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


def _ask_time(view: PlanView, data: dict, t, notice: str = "") -> Outcome:
    day = date.fromisoformat(data["day"])
    free = _free_times(view, day)
    buttons = [Button(at.strftime("%H:%M"), f"time:{at.strftime('%H:%M')}") for at in free]
    keyboard = [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
    keyboard.append(
        row(Button(t("plan.button.other_day"), "days"), Button(t("plan.button.cancel"), "cancel"))
    )
    lines = [notice] if notice else []
    lines.append(t("plan.ask_time", day=_day_label(view, day, t)))
    return _page(lines, tuple(keyboard), {**data, "step": "time", "awaiting": "text"})


def _set_time(view: PlanView, data: dict, at: time, t) -> Outcome:
    day = date.fromisoformat(data["day"])
    problem = _time_problem(view, day, at)
    if problem is not None:
        quiet = f"{view.quiet_start:%H:%M}–{view.quiet_end:%H:%M}"
        return _ask_time(view, data, t, t(problem, quiet=quiet))
    data = {**data, "time": at.strftime("%H:%M")}
    return _confirm(view, data, t)


def describe(draft: Draft, language: str, t) -> str:
    """'Promenad · tisdag 24 november kl. 17:00' in the reader's language, as plain text
    (it is also stored as the exercise's answer; escape it for a message)."""
    day = format_date(draft.day, "EEEE d MMMM", locale=language)
    return t("plan.description", text=draft.text, day=day, time=draft.at.strftime("%H:%M"))


def draft_of(data: dict) -> Draft | None:
    try:
        return Draft(
            text=data["text"],
            activity_type=data.get("type"),
            day=date.fromisoformat(data["day"]),
            at=time.fromisoformat(data["time"]),
            item=data.get("item"),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _confirm(view: PlanView, data: dict, t) -> Outcome:
    draft = draft_of(data)
    lines = [t("plan.confirm", plan=escape(describe(draft, view.language, t)))]
    if draft.activity_type:
        lines.append(t(f"diary.type.{draft.activity_type}"))
    keyboard = (
        row(Button(t("plan.button.save"), "save")),
        row(Button(t("plan.button.change"), "restart"), Button(t("plan.button.cancel"), "cancel")),
    )
    return _page(lines, keyboard, {**data, "step": "confirm", "awaiting": "text"})


def saved(draft: Draft, language: str, t) -> Outcome:
    """After the route stored the plan."""
    text = t("plan.saved", plan=escape(describe(draft, language, t)))
    buttons = [row(Button(t("plan.button.another"), "again"))]
    if draft.item:
        buttons.insert(0, row(Button(t("plan.button.to_module"), "module")))
    return Outcome(
        replies=(Reply(text, tuple(buttons)),),
        dialogue=DIALOGUE,
        data={
            "step": "saved",
            "item": draft.item,
            "type": draft.activity_type if draft.item else None,
        },
    )


def _page(lines: list[str], keyboard, data: dict) -> Outcome:
    return Outcome(replies=(Reply("\n\n".join(lines), keyboard),), dialogue=DIALOGUE, data=data)


def on_text(view: PlanView, data: dict, text: str, t) -> Outcome:
    step = data.get("step")
    if step == "what":
        return _after_what(view, data, text, t)
    if step == "time":
        at = parse_clock_time(text, hour_alone=True)
        if at is None:
            return _ask_time(view, data, t, t("plan.time_unclear"))
        return _set_time(view, data, at, t)
    return _again(view, data, t, t("plan.use_buttons"))


def on_button(view: PlanView, data: dict, action: str, t) -> tuple[Outcome, Draft | None]:
    """Returns the outcome and, on "save", the draft for the route to store (the route then
    replies with `saved`). "module" and "again" after saving are the route's."""
    name, _, arg = action.partition(":")
    step = data.get("step")
    if name == "cancel":
        return Outcome(replies=(Reply(t("plan.cancelled")),), dialogue=DIALOGUE, data={}), None
    if name == "restart":
        return _ask_what(
            view,
            {"item": data.get("item"), "type": data.get("type") if data.get("item") else None},
            t,
        ), None
    if name == "pick" and step == "what":
        picked = next((a for a in view.listed if str(a[0]) == arg), None)
        if picked is not None:
            chosen = {**data, "type": data.get("type") or picked[2]}
            return _after_what(view, chosen, picked[1], t), None
    if name == "type" and step == "type" and arg in TYPES:
        return _ask_day(view, {**data, "type": arg}, t), None
    if name == "days" and step == "time":
        return _ask_day(view, data, t), None
    if name == "day" and step == "day":
        chosen = _valid_day(view, arg)
        if chosen is not None:
            return _ask_time(view, {**data, "day": chosen.isoformat()}, t), None
    if name == "time" and step == "time":
        try:
            return _set_time(view, data, time.fromisoformat(arg), t), None
        except ValueError:
            pass
    if name == "save" and step == "confirm":
        draft = draft_of(data)
        if draft is not None and _time_problem(view, draft.day, draft.at) is None:
            return Outcome(), draft
        if draft is not None:
            return _ask_time(view, data, t, t("plan.time_past")), None
    return _again(view, data, t, t("plan.use_buttons")), None


def _valid_day(view: PlanView, raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if view.today <= day < view.today + timedelta(days=DAYS_AHEAD) else None


def _again(view: PlanView, data: dict, t, notice: str) -> Outcome:
    """Show the current question again, with a notice."""
    step = data.get("step")
    if step == "type" and data.get("text"):
        return Outcome(replies=(Reply(notice),)).then(_ask_type(data, t))
    if step == "day" and data.get("text"):
        return Outcome(replies=(Reply(notice),)).then(_ask_day(view, data, t))
    if step == "time" and data.get("day"):
        return _ask_time(view, data, t, notice)
    if step == "confirm" and draft_of(data):
        return Outcome(replies=(Reply(notice),)).then(_confirm(view, data, t))
    return _ask_what(view, {"item": data.get("item"), "type": data.get("type")}, t, notice)
