"""The registry: every kind module in this package, collected once and checked at start-up
(catalogue keys in every language, what a press opens, the kinds programs ask for).
The code looks a kind up here (`kind_of`) instead of comparing its name."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Collection, Iterable

from bot.i18n import LANGUAGES, catalogue
from bot.reminders.kinds.base import ReminderKind
from storage.schedules import UnknownKind

_NOT_KINDS = {"base", "registry"}


class RegistryError(RuntimeError):
    """The registry does not hold together; the message lists every problem."""


def _discover() -> dict[str, ReminderKind]:
    """One kind per module of this package, named like the module."""
    package = importlib.import_module(__package__)
    found: dict[str, ReminderKind] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        if info.name in _NOT_KINDS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        declared = [value for value in vars(module).values() if isinstance(value, ReminderKind)]
        if len(declared) != 1 or declared[0].name != info.name:
            raise RegistryError(
                f"{module.__name__} must declare exactly one ReminderKind named {info.name!r}"
            )
        found[info.name] = declared[0]
    return found


KINDS: dict[str, ReminderKind] = _discover()


def kind_of(name: str) -> ReminderKind:
    """The kind of this name; UnknownKind (a clear error naming the known ones) otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(name, KINDS) from None


def register(kind: ReminderKind) -> ReminderKind:
    """Add a kind from outside this package (a clinic's own, or a test's); `validate` checks
    it with the others."""
    if not (kind.name.isidentifier() and kind.name.islower()):
        raise RegistryError(f"a reminder kind's name is lower case, like diary: {kind.name!r}")
    if kind.name in KINDS:
        raise RegistryError(f"reminder kind {kind.name!r} is registered already")
    KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    KINDS.pop(name, None)


def program_default_names() -> frozenset[str]:
    """The kinds a program.yaml may list under `schedules`."""
    return frozenset(name for name, kind in KINDS.items() if kind.program_default)


def validate(*, openable: Collection[str], programs: Iterable = ()) -> None:
    """At start-up: every kind has its catalogue keys in every language (with {text} when it
    shows the schedule's words), opens something the reminder's button can open, and every
    program's default schedules name a kind that may be a program default."""
    problems = [problem for kind in KINDS.values() for problem in _problems(kind, openable)]
    allowed = program_default_names()
    for program in programs:
        for default in program.meta.schedules:
            if default.kind not in allowed:
                problems.append(
                    f"program {program.id}: schedules: no reminder kind {default.kind!r}"
                    f" for programs (known: {', '.join(sorted(allowed))})"
                )
    if problems:
        raise RegistryError("reminder kinds: " + "; ".join(problems))


def _problems(kind: ReminderKind, openable: Collection[str]) -> list[str]:
    found = []
    for language in LANGUAGES:
        texts = catalogue(language)
        for key in kind.catalogue_keys:
            if key not in texts:
                found.append(f"{kind.name}: no {key!r} in the {language} catalogue")
        if kind.carries_text and "{text}" not in texts.get(kind.text_key, "{text}"):
            found.append(f"{kind.name}: {kind.text_key!r} ({language}) must show {{text}}")
    if kind.opens is not None and kind.opens not in openable:
        found.append(f"{kind.name}: a press cannot open {kind.opens!r}")
    return found
