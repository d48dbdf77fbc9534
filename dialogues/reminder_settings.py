"""Reminder settings: `/reminders` and `/pause` for patients, `/schedule <label>` for staff
(see reminder_settings.mmd). Pure.

One dialogue serves both: patients move their own reminder times within the bounds staff
allow, and set their time zone, quiet hours and pauses; staff change any time, the days, or
switch a schedule off. The dialogue's state is a `SettingsPrompt` (dialogues/wizard.py):
what it waits for ("awaiting": a time, the days, a zone, quiet hours or a pause), for which
schedule, and for staff the patient whose settings these are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from html import escape
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from dialogues.numbers import parse_clock_span, parse_clock_time, parse_int
from dialogues.types import Button, Outcome, row
from dialogues.wizard import Wizard, WizardState, say

DIALOGUE = "reminders"
MISSED_WINDOW_DAYS = 14
PAUSE_DAYS = (1, 3, 7, 14)
MAX_PAUSE_DAYS = 60
STAFF_HOURS = (6, 22)
QUICK_ZONES = ("Europe/Stockholm", "Europe/London", "Europe/Helsinki", "America/New_York")
QUICK_QUIET = (("21:30", "07:30"), ("22:00", "07:00"), ("23:00", "08:00"))
WIZARD = Wizard(
    DIALOGUE, cancel_key="settings.button.cancel", use_buttons_key="settings.use_buttons"
)


class SettingsPrompt(WizardState):
    """What the settings wait for (None: the overview, nothing)."""

    NEEDS: ClassVar = {"time": ("schedule",), "days": ("schedule",)}

    awaiting: Literal["time", "days", "timezone", "quiet", "pause"] | None = None
    schedule: int | None = None  # the schedule whose time or days are changed
    days: list[Annotated[int, Field(ge=0, le=6)]] = []  # the weekdays chosen so far
    patient: int | None = None  # staff: whose settings (bot/access.patient_of_dialogue)


@dataclass(frozen=True)
class ScheduleView:
    id: int
    kind: str
    times: tuple[time, ...]
    weekdays: frozenset[int] | None
    every_days: int | None
    end_date: date | None
    active: bool
    earliest: time | None
    latest: time | None
    missed: int = 0  # missed occurrences in the last MISSED_WINDOW_DAYS (shown to staff)


@dataclass(frozen=True)
class SettingsView:
    schedules: tuple[ScheduleView, ...]
    timezone: str
    quiet_start: str
    quiet_end: str
    paused_until: date | None  # local date the pause ends
    as_staff: bool
    label: str = ""
    today: date | None = None  # the patient's local date (an end date before it has passed)


def parse_time(text: str) -> time | None:
    return parse_clock_time(text)


def parse_quiet(text: str) -> tuple[str, str] | None:
    span = parse_clock_span(text)
    if span is None:
        return None
    start, end = span
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def describe(schedule: ScheduleView, t, today: date | None = None) -> str:
    times = ", ".join(at.strftime("%H:%M") for at in sorted(schedule.times))
    if schedule.every_days and schedule.every_days > 1:
        text = t("rule.every", n=schedule.every_days, times=times)
    elif schedule.weekdays and len(schedule.weekdays) < 7:
        days = ", ".join(t(f"weekday.{day}") for day in sorted(schedule.weekdays))
        text = t("rule.weekdays", days=days, times=times)
    else:
        text = t("rule.daily", times=times)
    if schedule.end_date:
        ended = today is not None and schedule.end_date < today
        key = "rule.ended" if ended else "rule.until"
        text += " " + t(key, date=schedule.end_date.isoformat())
    if not schedule.active:
        text += " " + t("rule.off")
    return text


def overview(view: SettingsView, t, notice: str = "") -> Outcome:
    lines = [notice] if notice else []
    title = (
        t("settings.title_staff", label=escape(view.label))
        if view.as_staff
        else t("settings.title")
    )
    lines.append(title)
    for schedule in view.schedules:
        line = f"• <b>{t('kind.' + schedule.kind)}</b>: {describe(schedule, t, view.today)}"
        if view.as_staff and schedule.missed:
            line += " " + t("settings.missed", n=schedule.missed, days=MISSED_WINDOW_DAYS)
        lines.append(line)
        if view.as_staff and schedule.end_date and schedule.active:
            # e.g. the diary after its first weeks: staff decide whether it goes on
            lines.append(t("settings.end_hint_staff"))
    if not view.schedules:
        lines.append(t("settings.none"))
    lines.append(t("settings.timezone", zone=escape(view.timezone)))
    lines.append(t("settings.quiet", start=view.quiet_start, end=view.quiet_end))
    if view.paused_until:
        lines.append(t("settings.paused", date=view.paused_until.isoformat()))
    keyboard = [_schedule_buttons(schedule, view.as_staff, t) for schedule in view.schedules]
    if not view.as_staff:
        keyboard.append(
            row(
                Button(t("settings.button.timezone"), "tz"),
                Button(t("settings.button.quiet"), "quiet"),
            )
        )
        pause = (
            Button(t("settings.button.resume"), "resume")
            if view.paused_until
            else Button(t("settings.button.pause"), "pause")
        )
        keyboard.append(row(pause))
    return WIZARD.ask(t, SettingsPrompt(), "\n".join(lines), tuple(keyboard), cancel=False)


def _schedule_buttons(schedule: ScheduleView, as_staff: bool, t) -> tuple[Button, ...]:
    name = t("kind." + schedule.kind)
    change_time = Button(t("settings.button.time", kind=name), f"time:{schedule.id}")
    if not as_staff:
        return row(change_time)
    days = Button(t("settings.button.days", kind=name), f"days:{schedule.id}")
    switch_key = "settings.button.off" if schedule.active else "settings.button.on"
    return row(change_time, days, Button(t(switch_key, kind=name), f"switch:{schedule.id}"))


def hour_picker(
    wizard: Wizard, t, state: WizardState, text: str, first: time, last: time, action: str
) -> Outcome:
    """Whole hours from `first` to `last` as buttons (`<action>:HHMM`), four a row, and
    Avbryt; a typed time is read by whoever waits for it (`state.awaiting == "time"`)."""
    hours = [hour for hour in range(first.hour, last.hour + 1) if time(hour) >= first]
    buttons = [Button(f"{hour:02d}:00", f"{action}:{hour:02d}00") for hour in hours]
    keyboard = tuple(tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4))
    return wizard.ask(t, state, text, keyboard)


def time_picker(schedule: ScheduleView, as_staff: bool, t) -> Outcome:
    first, last = _bounds(schedule, as_staff)
    text = t(
        "settings.pick_time",
        kind=t("kind." + schedule.kind),
        first=first.strftime("%H:%M"),
        last=last.strftime("%H:%M"),
    )
    state = SettingsPrompt(awaiting="time", schedule=schedule.id)
    return hour_picker(WIZARD, t, state, text, first, last, f"settime:{schedule.id}")


def _bounds(schedule: ScheduleView, as_staff: bool) -> tuple[time, time]:
    if as_staff:
        return time(STAFF_HOURS[0]), time(STAFF_HOURS[1])
    return schedule.earliest or time(7), schedule.latest or time(21)


def check_time(schedule: ScheduleView, at: time, as_staff: bool, t) -> Outcome | None:
    """None when the time may be chosen; otherwise the kind reply that says why not."""
    first, last = _bounds(schedule, as_staff)
    if as_staff or first <= at <= last:
        return None
    text = t(
        "settings.time_out_of_bounds", first=first.strftime("%H:%M"), last=last.strftime("%H:%M")
    )
    return say(text)


def days_picker(schedule: ScheduleView, selected: frozenset[int], t) -> Outcome:
    toggles = tuple(
        Button(("✓ " if day in selected else "") + t(f"weekday.{day}"), f"day:{schedule.id}:{day}")
        for day in range(7)
    )
    keyboard = (
        toggles[:4],
        toggles[4:],
        row(
            Button(t("settings.button.every_day"), f"alldays:{schedule.id}"),
            Button(t("settings.button.done"), f"daysdone:{schedule.id}"),
        ),
    )
    text = t("settings.pick_days", kind=t("kind." + schedule.kind))
    state = SettingsPrompt(awaiting="days", schedule=schedule.id, days=sorted(selected))
    return WIZARD.ask(t, state, text, keyboard, edit_pressed=True)


def timezone_prompt(t) -> Outcome:
    keyboard = tuple(row(Button(zone, f"settz:{zone}")) for zone in QUICK_ZONES)
    return WIZARD.ask(t, SettingsPrompt(awaiting="timezone"), t("settings.ask_timezone"), keyboard)


def quiet_prompt(t, wizard: Wizard = WIZARD, state: WizardState | None = None) -> Outcome:
    """Quiet hours, for a patient's settings or (another `wizard`, its `state`) a unit's."""
    keyboard = tuple(
        row(Button(f"{start}–{end}", f"setquiet:{start}-{end}")) for start, end in QUICK_QUIET
    )
    state = state or SettingsPrompt(awaiting="quiet")
    return wizard.ask(t, state, t("settings.ask_quiet"), keyboard)


def pause_prompt(t) -> Outcome:
    buttons = tuple(Button(t("settings.days_n", n=n), f"setpause:{n}") for n in PAUSE_DAYS)
    return WIZARD.ask(t, SettingsPrompt(awaiting="pause"), t("settings.ask_pause"), (buttons,))


def parse_pause_days(text: str) -> int | None:
    words = text.split()
    return parse_int(words[0], 1, MAX_PAUSE_DAYS) if words else None


def not_understood(key: str, t) -> Outcome:
    """Typed input the dialogue waits for but could not read: say how, keep waiting."""
    return say(t(key))


def resolve_timezone(text: str, available: set[str]) -> str | None:
    """An IANA zone from what a person typed: 'Europe/London', 'europe/london' or a city
    ('Tokyo', 'new york')."""
    wanted = text.strip().replace(" ", "_").lower()
    if not wanted:
        return None
    by_lower = {zone.lower(): zone for zone in available}
    if wanted in by_lower:
        return by_lower[wanted]
    cities = [zone for zone in available if zone.lower().rsplit("/", 1)[-1] == wanted]
    return sorted(cities)[0] if cities else None
