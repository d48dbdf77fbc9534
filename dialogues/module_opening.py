"""Opening a patient's modules: what the patient is told, and the therapist's `/open <label>
[module]` with its choice of modules. Pure; the buttons are stateless (`pace:...` for staff,
`module:<n>` for the patient) and the route checks each again when it is pressed.

Add-on modules are shown to people by their title ("Tillägg: Problemlösning"), never as a
numbered module: `module_name` is that rule, wherever a module is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dialogues.types import Button, Outcome, Reply, row


def module_name(number: int, title: str, addon: bool, t) -> str:
    """'Modul 2: Vad du gör …' or, for an add-on, 'Tillägg: Problemlösning'. Plain text (a
    button's label); escape it for a message."""
    if addon:
        return t("module.name_addon", title=title)
    return t("module.name", number=number, title=title)


def reflection_title(number: int, title: str, addon: bool, t) -> str:
    """'Reflektion efter modul 3', or for an add-on 'Reflektion efter Tillägg: Problemlösning'."""
    if addon:
        return t("messages.reflection_title_addon", title=title)
    return t("messages.reflection_title", number=number)


# ---- what the patient is told ------------------------------------------------------------


def told_module(number: int, title: str, t) -> Reply:
    """The therapist opened module `number`: with a button to start it."""
    start = Button(
        t("patient.button.start_module", module=number), f"module:{number}", stateless=True
    )
    return Reply(t("patient.told_module", module=number, title=escape(title)), (row(start),))


def told_addon(number: int, title: str, t) -> Reply:
    start = Button(t("patient.button.open_addon"), f"addon:{number}", stateless=True)
    name = escape(module_name(number, title, True, t))
    return Reply(t("patient.told_addon", name=name), (row(start),))


def told_stay(number: int, title: str, t) -> Reply:
    """The therapist lets the patient stay another week in module `number`."""
    again = Button(t("pacing.button.read_again", module=number), f"module:{number}", stateless=True)
    return Reply(t("pacing.told_stay", module=number, title=escape(title)), (row(again),))


# ---- the therapist: /open <label> [module] ------------------------------------------------


@dataclass(frozen=True)
class Choice:
    number: int
    title: str
    addon: bool
    chosen: bool  # the current core module, or an add-on already open


def choices(label: str, patient_id: int, modules: tuple[Choice, ...], t) -> Outcome:
    """Every module of the patient's program as a button, add-ons after the core ones."""
    lines = [t("pacing.choose", label=escape(label))]
    keyboard = []
    for choice in modules:
        name = module_name(choice.number, choice.title, choice.addon, t)
        mark = "✓ " if choice.chosen else ""
        lines.append(mark + escape(name))
        action = f"pace:open:{patient_id}:{choice.number}"
        keyboard.append(row(Button(mark + name, action, stateless=True)))
    return Outcome(replies=(Reply("\n".join(lines), tuple(keyboard)),))


def usage(t) -> Outcome:
    return Outcome(replies=(Reply(t("pacing.usage")),))


def no_such_module(label: str, t) -> Outcome:
    return Outcome(replies=(Reply(t("pacing.no_such_module", label=escape(label))),))


def result(key: str, label: str, t, **values) -> Outcome:
    """What the therapist is told after opening (or not): `pacing.<key>` (text escaped)."""
    escaped = {name: escape(v) if isinstance(v, str) else v for name, v in values.items()}
    return Outcome(replies=(Reply(t(f"pacing.{key}", label=escape(label), **escaped)),))


def refused(reason: str, t) -> Outcome:
    """A `pace:` button that no longer holds (no access, treatment ended, moved on): a toast."""
    return Outcome(toast=t(f"pacing.refused.{reason}"))
