"""The weekly diary as a calendar in chat (see diary.mmd). Pure.

A day has parts (morning, late morning, …, from the program). For a part the patient writes
what they did, then presses how they felt (0–10) and, from a given module on, what kind of
activity it was (vill / måste / kan vara utan). After a part is done the next empty part is
asked at once, so a whole day takes a few taps per part; any part can be skipped, edited or
cleared. The patient can move to other days of this week and the one before, not ahead.

The dialogue's data: {"day": "2026-12-01"} on the day page, plus {"part": id,
"awaiting": "activity"} while it waits for text, or {"part": id, "step": "mood"|"type"}.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from babel.dates import format_date

from dialogues.numbers import parse_int
from dialogues.types import Button, Event, Outcome, Reply, row

DIALOGUE = "diary"
TYPES = ("vill", "maste", "kan_vara_utan")
MOODS = tuple(range(11))
MAX_ACTIVITY_CHARS = 300


@dataclass(frozen=True)
class Part:
    id: str
    label: str


@dataclass(frozen=True)
class Entry:
    activity: str | None
    mood: int | None
    activity_type: str | None
    skipped: bool

    @property
    def done(self) -> bool:
        return self.skipped or (self.activity is not None and self.mood is not None)


@dataclass(frozen=True)
class DayView:
    day: date
    today: date
    parts: tuple[Part, ...]
    entries: dict[str, Entry]
    ask_types: bool
    language: str

    def part(self, part_id: str) -> Part | None:
        return next((part for part in self.parts if part.id == part_id), None)

    def next_empty(self, after: str | None = None) -> Part | None:
        ids = [part.id for part in self.parts]
        start = ids.index(after) + 1 if after in ids else 0
        for part in self.parts[start:] + self.parts[:start]:
            entry = self.entries.get(part.id)
            if entry is None or not entry.done:
                return part
        return None

    @property
    def complete(self) -> bool:
        return self.next_empty() is None


@dataclass(frozen=True)
class Write:
    """What to store: `kind` is activity | mood | type | skip | clear."""

    kind: str
    part: str
    value: object = None


def earliest_day(today: date) -> date:
    """The Monday of last week: the oldest day the patient may still fill in."""
    return today - timedelta(days=today.weekday() + 7)


def day_title(view: DayView, t) -> str:
    name = format_date(view.day, "EEEE d MMMM", locale=view.language)
    key = "diary.title_today" if view.day == view.today else "diary.title"
    return t(key, day=name)


def _entry_text(entry: Entry | None, t) -> str:
    if entry is None:
        return "–"
    if entry.skipped:
        return t("diary.skipped")
    parts = [escape(entry.activity or "")]
    if entry.mood is not None:
        parts.append(t("diary.mood_value", mood=entry.mood))
    if entry.activity_type:
        parts.append(t(f"diary.type.{entry.activity_type}"))
    return " · ".join(parts)


def day_page(view: DayView, t, notice: str = "") -> Outcome:
    lines = [notice] if notice else []
    lines.append(day_title(view, t))
    for part in view.parts:
        lines.append(f"<b>{escape(part.label)}</b>: {_entry_text(view.entries.get(part.id), t)}")
    if view.complete:
        lines.append(t("diary.day_complete"))
    part_buttons = [
        Button(
            ("✓ " if view.entries.get(p.id, None) and view.entries[p.id].done else "") + p.label,
            f"part:{p.id}",
        )
        for p in view.parts
    ]
    keyboard = [tuple(part_buttons[i : i + 2]) for i in range(0, len(part_buttons), 2)]
    earlier = view.day - timedelta(days=1)
    later = view.day + timedelta(days=1)
    keyboard.append(
        row(
            Button(t("diary.button.previous"), f"day:{earlier.isoformat()}")
            if earlier >= earliest_day(view.today)
            else None,
            Button(t("diary.button.next"), f"day:{later.isoformat()}")
            if later <= view.today
            else None,
        )
    )
    keyboard.append(
        row(Button(t("diary.button.week"), "week"), Button(t("diary.button.done"), "done"))
    )
    return Outcome(
        replies=(Reply("\n".join(lines), tuple(b for b in keyboard if b)),),
        dialogue=DIALOGUE,
        data={"day": view.day.isoformat()},
    )


def ask_activity(view: DayView, part: Part, t, notice: str = "") -> Outcome:
    entry = view.entries.get(part.id)
    lines = [notice] if notice else []
    lines.append(
        t(
            "diary.ask_activity",
            part=escape(part.label),
            day=format_date(view.day, "EEEE d MMMM", locale=view.language),
        )
    )
    if entry and entry.activity:
        lines.append(t("diary.current", value=_entry_text(entry, t)))
    buttons = [Button(t("diary.button.skip"), "skip")]
    if entry is not None:
        buttons.append(Button(t("diary.button.clear"), "clear"))
    keyboard = (tuple(buttons), row(Button(t("diary.button.to_day"), "back")))
    return Outcome(
        replies=(Reply("\n".join(lines), keyboard),),
        dialogue=DIALOGUE,
        data={"day": view.day.isoformat(), "part": part.id, "awaiting": "activity"},
    )


def ask_mood(view: DayView, part: Part, t) -> Outcome:
    moods = [Button(str(mood), f"mood:{mood}") for mood in MOODS]
    keyboard = (tuple(moods[:6]), tuple(moods[6:]), row(Button(t("diary.button.to_day"), "back")))
    return Outcome(
        replies=(Reply(t("diary.ask_mood", part=escape(part.label)), keyboard),),
        dialogue=DIALOGUE,
        data={"day": view.day.isoformat(), "part": part.id, "step": "mood"},
    )


def ask_type(view: DayView, part: Part, t) -> Outcome:
    buttons = tuple(Button(t(f"diary.type.{kind}"), f"type:{kind}") for kind in TYPES)
    keyboard = (buttons, row(Button(t("diary.button.to_day"), "back")))
    return Outcome(
        replies=(Reply(t("diary.ask_type"), keyboard),),
        dialogue=DIALOGUE,
        data={"day": view.day.isoformat(), "part": part.id, "step": "type"},
    )


def after_part(view: DayView, part: Part, t) -> Outcome:
    """A part is done: ask the next empty part, or show the day when it is complete."""
    notice = t("diary.part_saved", part=escape(part.label))
    following = view.next_empty(after=part.id)
    if following is None:
        return day_page(view, t, notice)
    return ask_activity(view, following, t, notice)


def on_text(view: DayView, data: dict, text: str, t) -> tuple[Outcome, Write | None]:
    part = view.part(data.get("part", ""))
    typed = text.strip()
    if part is not None and data.get("step") == "mood" and parse_int(typed, 0, 10) is not None:
        return on_button(view, data, f"mood:{typed}", t)  # a typed mood counts like a press
    if part is None or data.get("awaiting") != "activity":
        return day_page(view, t, t("diary.use_buttons")), None
    activity = text.strip()
    if not activity:
        return Outcome(replies=(Reply(t("diary.empty")),)), None
    if len(activity) > MAX_ACTIVITY_CHARS:
        activity = activity[:MAX_ACTIVITY_CHARS]
    event = Event("diary_entry_saved", {"day": view.day.isoformat(), "part": part.id})
    outcome = ask_mood(view, part, t)
    return Outcome(outcome.replies, events=(event,), dialogue=DIALOGUE, data=outcome.data), Write(
        "activity", part.id, activity
    )


def on_button(view: DayView, data: dict, action: str, t) -> tuple[Outcome, Write | None]:
    """Buttons on the day page and the part questions (moving to another day, `day:<date>`,
    is the caller's: it loads that day)."""
    name, _, arg = action.partition(":")
    part = view.part(data.get("part", ""))
    if name == "part" and view.part(arg):
        return ask_activity(view, view.part(arg), t), None
    if name == "done":
        return Outcome(replies=(Reply(t("diary.closed")),), dialogue=DIALOGUE, data={}), None
    if name == "back" or part is None:
        return day_page(view, t), None
    if name == "skip":
        return _after_write(view, part, Write("skip", part.id), t)
    if name == "clear":
        return _after_write(view, part, Write("clear", part.id), t, notice_key="diary.cleared")
    mood = parse_int(arg, min(MOODS), max(MOODS)) if name == "mood" else None
    if mood is not None and data.get("step") == "mood":
        write = Write("mood", part.id, mood)
        if view.ask_types:
            return ask_type(view, part, t), write
        return _after_write(view, part, write, t)
    if name == "type" and arg in TYPES and data.get("step") == "type":
        return _after_write(view, part, Write("type", part.id, arg), t)
    return day_page(view, t, t("diary.use_buttons")), None


def _after_write(
    view: DayView, part: Part, write: Write, t, notice_key: str | None = None
) -> tuple[Outcome, Write]:
    """The page after a write, computed as if the write were stored."""
    entries = dict(view.entries)
    current = entries.get(part.id, Entry(None, None, None, False))
    if write.kind == "skip":
        entries[part.id] = Entry(None, None, None, True)
    elif write.kind == "clear":
        entries.pop(part.id, None)
    elif write.kind == "mood":
        entries[part.id] = Entry(current.activity, write.value, current.activity_type, False)
    elif write.kind == "type":
        entries[part.id] = Entry(current.activity, current.mood, write.value, False)
    updated = DayView(view.day, view.today, view.parts, entries, view.ask_types, view.language)
    if notice_key:
        return day_page(updated, t, t(notice_key, part=escape(part.label))), write
    return after_part(updated, part, t), write


def week_text(
    monday: date,
    parts: tuple[Part, ...],
    days: dict[date, dict[str, Entry]],
    language: str,
    t,
    heading: str,
) -> str:
    """The week at a glance, as text (readable by screen readers and searchable): each day
    Monday to Sunday with what was filled in, part by part."""
    lines = [heading]
    for offset in range(7):
        day = monday + timedelta(days=offset)
        name = format_date(day, "EEE d MMM", locale=language)
        entries = days.get(day, {})
        filled = [
            f"{escape(part.label)}: {_entry_text(entries[part.id], t)}"
            for part in parts
            if part.id in entries
        ]
        lines.append(f"<b>{escape(name)}</b>: " + ("; ".join(filled) if filled else "–"))
    done_days = sum(
        1
        for offset in range(7)
        if all(
            (entry := days.get(monday + timedelta(days=offset), {}).get(part.id)) is not None
            and entry.done
            for part in parts
        )
    )
    lines.append(t("diary.week_days_filled", n=done_days))
    return "\n".join(lines)


def week_page(
    monday: date,
    parts: tuple[Part, ...],
    days: dict[date, dict[str, Entry]],
    language: str,
    t,
    back_to: date,
) -> Outcome:
    text = week_text(
        monday,
        parts,
        days,
        language,
        t,
        t("diary.week_title", day=format_date(monday, "d MMMM", locale=language)),
    )
    keyboard = (row(Button(t("diary.button.to_day"), f"day:{back_to.isoformat()}")),)
    return Outcome(
        replies=(Reply(text, keyboard),), dialogue=DIALOGUE, data={"day": back_to.isoformat()}
    )
