"""Unit settings for admins (`/unit`): the unit's default quiet hours, after how many days
without activity a patient raises the quiet-patient flag, each program's default reminder
times for new patients of the unit, the on-call list, who opens the patients' next
module, and how many days after a treatment's end its data is purged. Pure (see
unit_settings.mmd).

The dialogue's state is a `UnitPrompt` (dialogues/wizard.py): what it waits for (quiet hours,
the quiet-patient days, or a program's default time) or nothing (the overview, the on-call
list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from html import escape
from typing import ClassVar, Literal

from dialogues import reminder_settings
from dialogues.reminder_settings import STAFF_HOURS, hour_picker
from dialogues.types import Button, Outcome, row
from dialogues.wizard import Wizard, WizardState

DIALOGUE = "unit"
WIZARD = Wizard(
    DIALOGUE, cancel_key="settings.button.cancel", use_buttons_key="settings.use_buttons"
)


class UnitPrompt(WizardState):
    NEEDS: ClassVar = {"time": ("program", "kind")}

    awaiting: Literal["quiet", "quiet_days", "purge_days", "time"] | None = None
    program: str | None = None  # the program and schedule kind whose default time is asked
    kind: str | None = None


@dataclass(frozen=True)
class ProgramDefault:
    program: str
    program_title: str
    kind: str
    times: str  # 'HH:MM,...'
    changed_for_unit: bool


def overview(
    unit_name: str,
    quiet: tuple[str, str],
    defaults: list[ProgramDefault],
    t,
    notice: str = "",
    *,
    office: str = "",
    on_call: list[str] = (),
    on_call_reachable: bool = True,
    quiet_days: int | None = None,
    opening: str | None = None,
    purge_days: int | None = None,
) -> Outcome:
    """`on_call_reachable` False: nobody on the on-call list can be told (empty, or nobody
    bound to Telegram), so red flags outside office hours wait for the next office day."""
    lines = [notice] if notice else []
    lines.append(t("unit.title", unit=escape(unit_name)))
    lines.append(t("unit.quiet", start=quiet[0], end=quiet[1]))
    if quiet_days is not None:
        lines.append(t("unit.quiet_days", days=quiet_days))
    if office:
        lines.append(office)
    names = ", ".join(escape(name) for name in on_call) or t("unit.on_call_empty")
    lines.append(t("unit.on_call", names=names))
    if not on_call_reachable:
        lines.append(t("unit.on_call_missing"))
    lines.append(t("unit.opening", how=t(f"unit.opening.{opening or PROGRAM}")))
    if purge_days is not None:
        lines.append(t("unit.purge_days", days=purge_days))
    lines.append(t("unit.defaults_heading"))
    keyboard = [
        row(
            Button(t("settings.button.quiet"), "quiet"), Button(t("unit.button.on_call"), "oncall")
        ),
        row(Button(t("unit.button.opening"), "opening")),
    ]
    if quiet_days is not None:
        keyboard.append(row(Button(t("unit.button.quiet_days"), "quietdays")))
    if purge_days is not None:
        keyboard.append(row(Button(t("unit.button.purge_days"), "purgedays")))
    for default in defaults:
        kind = t("kind." + default.kind)
        mark = " " + t("unit.changed_mark") if default.changed_for_unit else ""
        times = default.times.replace(",", ", ")
        lines.append(f"• {escape(default.program_title)} · {kind}: {times}{mark}")
        label = t("unit.button.time", program=escape(default.program_title), kind=kind)
        keyboard.append(row(Button(label, f"time:{default.program}:{default.kind}")))
    lines.append(t("unit.applies_to_new"))
    return WIZARD.ask(t, UnitPrompt(), "\n".join(lines), tuple(keyboard), cancel=False)


def time_picker(default: ProgramDefault, t) -> Outcome:
    text = t(
        "unit.pick_time", program=escape(default.program_title), kind=t("kind." + default.kind)
    )
    action = f"settime:{default.program}:{default.kind}"
    state = UnitPrompt(awaiting="time", program=default.program, kind=default.kind)
    first, last = time(STAFF_HOURS[0]), time(STAFF_HOURS[1])
    return hour_picker(WIZARD, t, state, text, first, last, action)


def quiet_prompt(t) -> Outcome:
    return reminder_settings.quiet_prompt(t, WIZARD, UnitPrompt(awaiting="quiet"))


QUICK_QUIET_DAYS = (7, 10, 14, 21, 30)


def quiet_days_prompt(t, first: int, last: int, notice: str = "") -> Outcome:
    """After how many days without activity the quiet-patient flag is raised: a button or a
    typed number from `first` to `last` (`notice`: why it is asked again)."""
    buttons = tuple(
        Button(t("settings.days_n", n=n), f"setqd:{n}")
        for n in QUICK_QUIET_DAYS
        if first <= n <= last
    )
    text = t("unit.pick_quiet_days", first=first, last=last)
    return WIZARD.ask(t, UnitPrompt(awaiting="quiet_days"), text, (buttons,), notice=notice)


QUICK_PURGE_DAYS = (30, 90, 180, 365)


def purge_days_prompt(t, first: int, last: int, notice: str = "") -> Outcome:
    """How many days after a treatment's end its data is purged: a button or a typed number
    from `first` to `last` (`notice`: why it is asked again)."""
    buttons = tuple(
        Button(t("settings.days_n", n=n), f"setpd:{n}")
        for n in QUICK_PURGE_DAYS
        if first <= n <= last
    )
    text = t("unit.pick_purge_days", first=first, last=last)
    return WIZARD.ask(t, UnitPrompt(awaiting="purge_days"), text, (buttons,), notice=notice)


def on_call_picker(staff: list[tuple[int, str, bool]], t) -> Outcome:
    """The unit's staff, each a toggle for the on-call list (told when a red flag is not
    handled in time, and at once outside office hours)."""
    keyboard = tuple(
        row(Button(("✓ " if on_call else "") + name, f"oc:{staff_id}"))
        for staff_id, name, on_call in staff
    )
    keyboard += (row(Button(t("settings.button.done"), "cancel")),)  # "Klar" closes it
    return WIZARD.ask(
        t, UnitPrompt(), t("unit.pick_on_call"), keyboard, cancel=False, edit_pressed=True
    )


PROGRAM = "program"  # the opening choice "as each program says" (no unit setting)
OPENING_CHOICES = ("therapist", "weekly", PROGRAM)


def opening_picker(current: str | None, t) -> Outcome:
    """Who opens the unit's patients' next module: the therapist, the week, or as each
    program says (`current` None)."""
    chosen = current or PROGRAM
    keyboard = tuple(
        row(
            Button(
                ("✓ " if choice == chosen else "") + t(f"unit.opening.button.{choice}"),
                f"setopening:{choice}",
            )
        )
        for choice in OPENING_CHOICES
    )
    keyboard += (row(Button(t("settings.button.done"), "cancel")),)
    return WIZARD.ask(
        t, UnitPrompt(), t("unit.pick_opening"), keyboard, cancel=False, edit_pressed=True
    )
