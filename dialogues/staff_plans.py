"""A therapist's recurring activity plans for a patient (/plan <label>, see staff_plans.mmd).
Pure.

The page lists the patient's plans made by staff (what, kind, days and times, start, grace,
"flag when missed", comments, active) and the latest follow-ups with the patient's comments;
each plan can be paused or made active again. "Ny plan" walks through: what → kind → days
(weekdays, every day or every N days) → times → start → options (grace days, flag when
missed, comments allowed) → Spara.

The dialogue's data: {"patient": id, "label": label} plus, while a new plan is made,
{"step": ..., "awaiting": "text", "draft": {...}}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape

from babel.dates import format_date, format_datetime

from dialogues.numbers import parse_clock_time, parse_int
from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "staff_plans"
TYPES = ("vill", "maste", "kan_vara_utan")
EVERY_DAYS = (2, 3, 7)
GRACE_DAYS = (0, 1, 2, 3)
MAX_TEXT_CHARS = 200
MAX_TIMES = 4


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


def page(view: PlansView, base: dict, t, notice: str = "") -> Outcome:
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
    return Outcome(
        replies=(Reply("\n\n".join(lines), tuple(keyboard)),),
        dialogue=DIALOGUE,
        data=dict(base),
    )


def _base(data: dict) -> dict:
    return {"patient": data.get("patient"), "label": data.get("label")}


def _ask(text: str, keyboard, data: dict, step: str, draft: dict, awaiting: bool, t) -> Outcome:
    keyboard = tuple(keyboard) + (row(Button(t("staff_plans.button.cancel"), "cancel")),)
    # Typed text always comes here (also where buttons are expected), so a stray message
    # re-asks the step instead of losing the draft.
    new_data = {**_base(data), "step": step, "draft": draft, "awaiting": "text"}
    return Outcome(replies=(Reply(text, keyboard),), dialogue=DIALOGUE, data=new_data)


def _ask_text(data: dict, t, notice: str = "") -> Outcome:
    text = (notice + "\n\n" if notice else "") + t(
        "staff_plans.ask_text", label=escape(data["label"])
    )
    return _ask(text, (), data, "text", {}, True, t)


def _ask_type(data: dict, draft: dict, t) -> Outcome:
    buttons = tuple(Button(t(f"diary.type.{kind}"), f"type:{kind}") for kind in TYPES)
    return _ask(
        t("staff_plans.ask_type"),
        (buttons, row(Button(t("staff_plans.button.no_type"), "type:-"))),
        data,
        "type",
        draft,
        False,
        t,
    )


def _ask_days(view: PlansView, data: dict, draft: dict, t) -> Outcome:
    chosen = set(draft.get("weekdays") or [])
    monday = date(2024, 1, 1)
    day_buttons = [
        Button(
            ("✓ " if day in chosen else "")
            + format_date(monday + timedelta(days=day), "EEE", locale=view.language),
            f"wd:{day}",
        )
        for day in range(7)
    ]
    keyboard = [
        tuple(day_buttons[:4]),
        tuple(day_buttons[4:]),
        tuple(Button(t("staff_plans.every_n_days", n=n), f"every:{n}") for n in EVERY_DAYS),
        row(
            Button(t("staff_plans.every_day"), "every:1"),
            Button(t("staff_plans.button.days_done"), "days_done") if chosen else None,
        ),
    ]
    return _ask(t("staff_plans.ask_days"), keyboard, data, "days", draft, False, t)


def _ask_times(data: dict, draft: dict, t, notice: str = "") -> Outcome:
    text = (notice + "\n\n" if notice else "") + t("staff_plans.ask_times")
    return _ask(text, (), data, "times", draft, True, t)


def _ask_start(view: PlansView, data: dict, draft: dict, t, notice: str = "") -> Outcome:
    text = (notice + "\n\n" if notice else "") + t("staff_plans.ask_start")
    keyboard = (
        row(
            Button(t("plan.today").capitalize(), f"start:{view.today.isoformat()}"),
            Button(
                t("plan.tomorrow").capitalize(),
                f"start:{(view.today + timedelta(days=1)).isoformat()}",
            ),
        ),
    )
    return _ask(text, keyboard, data, "start", draft, True, t)


def _options(view: PlansView, data: dict, draft: dict, t) -> Outcome:
    summary = _plan_text(_line_of(draft), view.language, t)
    keyboard = (
        row(Button(t("staff_plans.button.grace", n=draft["grace_days"]), "grace")),
        row(
            Button(
                t("staff_plans.button.flag_on" if draft["flag"] else "staff_plans.button.flag_off"),
                "flag",
            )
        ),
        row(
            Button(
                t(
                    "staff_plans.button.comments_on"
                    if draft["comments"]
                    else "staff_plans.button.comments_off"
                ),
                "comments",
            )
        ),
        row(Button(t("staff_plans.button.save"), "save")),
    )
    return _ask(t("staff_plans.confirm", plan=summary), keyboard, data, "options", draft, False, t)


def _line_of(draft: dict) -> PlanLine:
    return PlanLine(
        plan_id=0,
        text=draft["text"],
        activity_type=draft.get("type"),
        weekdays=frozenset(draft["weekdays"]) if draft.get("weekdays") else None,
        every_days=draft.get("every_days"),
        times=tuple(time.fromisoformat(at) for at in draft["times"]),
        start=date.fromisoformat(draft["start"]),
        grace_days=draft["grace_days"],
        flag_when_missed=draft["flag"],
        comments_allowed=draft["comments"],
        active=True,
    )


@dataclass(frozen=True)
class Change:
    """What to store: "create" (a PlanLine) or "toggle" (a plan id)."""

    kind: str
    value: object


def on_button(view: PlansView, data: dict, action: str, t) -> tuple[Outcome, Change | None]:
    name, _, arg = action.partition(":")
    step = data.get("step")
    draft = dict(data.get("draft") or {})
    if name == "done":
        return Outcome(replies=(Reply(t("staff_plans.closed")),), dialogue=DIALOGUE, data={}), None
    if name == "cancel":
        return page(view, _base(data), t, t("staff_plans.cancelled")), None
    if name == "toggle" and any(str(line.plan_id) == arg for line in view.plans):
        return Outcome(), Change("toggle", int(arg))
    if name == "new":
        return _ask_text(data, t), None
    if name == "type" and step == "type":
        draft["type"] = arg if arg in TYPES else None
        return _ask_days(view, data, draft, t), None
    number = parse_int(arg, 0, max(EVERY_DAYS))
    if name == "wd" and step == "days" and number is not None and number < 7:
        chosen = set(draft.get("weekdays") or [])
        chosen ^= {number}
        draft.update(weekdays=sorted(chosen), every_days=None)
        return _ask_days(view, data, draft, t), None
    if name == "every" and step == "days" and number in (1, *EVERY_DAYS):
        draft.update(weekdays=None, every_days=number if number > 1 else None)
        return _ask_times(data, draft, t), None
    if name == "days_done" and step == "days" and draft.get("weekdays"):
        return _ask_times(data, draft, t), None
    if name == "start" and step == "start":
        return _set_start(view, data, draft, arg, t), None
    if step == "options" and name in ("grace", "flag", "comments"):
        if name == "grace":
            draft["grace_days"] = GRACE_DAYS[
                (GRACE_DAYS.index(draft["grace_days"]) + 1) % len(GRACE_DAYS)
            ]
        else:
            draft[name] = not draft[name]
        return _options(view, data, draft, t), None
    if name == "save" and step == "options":
        return Outcome(), Change("create", _line_of(draft))
    return page(view, _base(data), t, t("staff_plans.use_buttons")), None


def on_text(view: PlansView, data: dict, text: str, t) -> Outcome:
    step = data.get("step")
    draft = dict(data.get("draft") or {})
    typed = text.strip()
    if step == "text":
        if not typed:
            return _ask_text(data, t)
        draft["text"] = typed[:MAX_TEXT_CHARS]
        return _ask_type(data, draft, t)
    if step == "times":
        return _set_times(view, data, draft, typed, t)
    if step == "start":
        return _set_start(view, data, draft, typed, t)
    notice = Outcome(replies=(Reply(t("staff_plans.use_buttons")),))
    if step == "type":
        return notice.then(_ask_type(data, draft, t))
    if step == "days":
        return notice.then(_ask_days(view, data, draft, t))
    if step == "options":
        return notice.then(_options(view, data, draft, t))
    return page(view, _base(data), t, t("staff_plans.use_buttons"))


def _set_times(view: PlansView, data: dict, draft: dict, typed: str, t) -> Outcome:
    found = []
    for part in re.split(r"[,\s]+", typed):
        at = parse_clock_time(part) if part else None
        if part and at is None:
            return _ask_times(data, draft, t, t("staff_plans.times_unclear"))
        if at is not None:
            found.append(at)
    if not found or len(found) > MAX_TIMES:
        return _ask_times(data, draft, t, t("staff_plans.times_unclear"))
    if any(_in_quiet_hours(at, view.quiet_start, view.quiet_end) for at in found):
        quiet = f"{view.quiet_start:%H:%M}–{view.quiet_end:%H:%M}"
        return _ask_times(data, draft, t, t("staff_plans.times_quiet", quiet=quiet))
    draft["times"] = sorted({at.strftime("%H:%M") for at in found})
    return _ask_start(view, data, draft, t)


def _in_quiet_hours(at: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= at < end
    return at >= start or at < end


def _set_start(view: PlansView, data: dict, draft: dict, raw: str, t) -> Outcome:
    try:
        start = date.fromisoformat(raw.strip())
    except ValueError:
        return _ask_start(view, data, draft, t, t("staff_plans.start_unclear"))
    if start < view.today:
        return _ask_start(view, data, draft, t, t("staff_plans.start_past"))
    draft.update(start=start.isoformat(), grace_days=draft.get("grace_days", 1))
    draft.setdefault("flag", False)
    draft.setdefault("comments", True)
    return _options(view, data, draft, t)
