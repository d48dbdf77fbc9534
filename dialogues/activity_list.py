"""The patient's activities (/activities, see activity_list.mmd). Pure.

Three lists, vill / måste / kan vara utan, that the patient adds to and removes from; what is
planned in the coming days; and how the planned activities of the past week went.

The dialogue's data: {} on the page, {"awaiting": "text", "type": ...} while adding one,
{"step": "remove"} on the remove page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from babel.dates import format_datetime

from dialogues.types import Button, Event, Outcome, Reply, row

DIALOGUE = "activities"
TYPES = ("vill", "maste", "kan_vara_utan")
MAX_TEXT_CHARS = 200
MAX_PER_TYPE = 30


@dataclass(frozen=True)
class PlannedLine:
    plan_id: int
    text: str
    at: datetime  # local


@dataclass(frozen=True)
class DoneLine:
    text: str
    at: datetime  # local
    outcome: str | None  # ja | delvis | nej; None: not answered
    mood: int | None
    missed: bool


@dataclass(frozen=True)
class ActivitiesView:
    listed: tuple[tuple[int, str, str], ...]  # (id, text, type)
    planned: tuple[PlannedLine, ...]
    recent: tuple[DoneLine, ...]
    language: str


@dataclass(frozen=True)
class Change:
    """What to store: add (type, text), remove_activity (id) or cancel_plan (id)."""

    kind: str
    value: object


def _when(at: datetime, language: str) -> str:
    return format_datetime(at, "EEE d MMM HH:mm", locale=language)


def _done_text(line: DoneLine, t) -> str:
    if line.outcome is None:
        return t("activities.missed") if line.missed else t("activities.not_answered")
    text = t(f"follow_up.outcome.{line.outcome}")
    if line.mood is not None:
        text += " · " + t("diary.mood_value", mood=line.mood)
    return text


def page(view: ActivitiesView, t, notice: str = "") -> Outcome:
    lines = [notice] if notice else []
    lines.append(t("activities.title"))
    for kind in TYPES:
        items = [escape(text) for _, text, type_ in view.listed if type_ == kind]
        listed = "\n".join(f"• {item}" for item in items) if items else t("activities.none")
        lines.append(f"<b>{t(f'diary.type.{kind}')}</b>\n{listed}")
    if view.planned:
        planned = "\n".join(
            f"• {_when(line.at, view.language)} {escape(line.text)}" for line in view.planned
        )
        lines.append(t("activities.planned", lines=planned))
    if view.recent:
        recent = "\n".join(
            f"• {_when(line.at, view.language)} {escape(line.text)}: {_done_text(line, t)}"
            for line in view.recent
        )
        lines.append(t("activities.recent", lines=recent))
    keyboard = (
        tuple(Button("+ " + t(f"diary.type.{kind}"), f"add:{kind}") for kind in TYPES),
        row(Button(t("activities.button.plan"), "plan")),
        row(
            Button(t("activities.button.remove"), "remove")
            if view.listed or view.planned
            else None,
            Button(t("activities.button.done"), "done"),
        ),
    )
    return Outcome(replies=(Reply("\n\n".join(lines), keyboard),), dialogue=DIALOGUE, data={})


def _ask_text(kind: str, t) -> Outcome:
    keyboard = (row(Button(t("activities.button.back"), "back")),)
    return Outcome(
        replies=(Reply(t(f"activities.ask.{kind}"), keyboard),),
        dialogue=DIALOGUE,
        data={"awaiting": "text", "type": kind},
    )


def _remove_page(view: ActivitiesView, t) -> Outcome:
    keyboard = [
        (Button("✕ " + text, f"rm:a:{activity_id}"),) for activity_id, text, _ in view.listed
    ]
    keyboard += [
        (Button(f"✕ {_when(line.at, view.language)} {line.text}", f"rm:p:{line.plan_id}"),)
        for line in view.planned
    ]
    keyboard.append(row(Button(t("activities.button.back"), "back")))
    return Outcome(
        replies=(Reply(t("activities.remove_which"), tuple(keyboard)),),
        dialogue=DIALOGUE,
        data={"step": "remove"},
    )


def on_button(view: ActivitiesView, data: dict, action: str, t) -> tuple[Outcome, Change | None]:
    """ "plan" is the route's (it starts the planning dialogue)."""
    name, _, arg = action.partition(":")
    if name == "add" and arg in TYPES:
        if sum(1 for _, _, type_ in view.listed if type_ == arg) >= MAX_PER_TYPE:
            return page(view, t, t("activities.full")), None
        return _ask_text(arg, t), None
    if name == "remove":
        return _remove_page(view, t), None
    if name == "done":
        return Outcome(replies=(Reply(t("activities.closed")),), dialogue=DIALOGUE, data={}), None
    if name == "rm" and data.get("step") == "remove":
        what, _, raw_id = arg.partition(":")
        if what == "a" and any(str(a[0]) == raw_id for a in view.listed):
            return Outcome(), Change("remove_activity", int(raw_id))
        if what == "p" and any(str(p.plan_id) == raw_id for p in view.planned):
            return Outcome(), Change("cancel_plan", int(raw_id))
    if name == "back":
        return page(view, t), None
    return page(view, t, t("activities.use_buttons")), None


def on_text(view: ActivitiesView, data: dict, text: str, t) -> tuple[Outcome, Change | None]:
    kind = data.get("type")
    if data.get("awaiting") != "text" or kind not in TYPES:
        return page(view, t, t("activities.use_buttons")), None
    value = text.strip()[:MAX_TEXT_CHARS]
    if not value:
        return _ask_text(kind, t), None
    event = Event("activity_listed", {"type": kind})
    return Outcome(events=(event,)), Change("add", (kind, value))
