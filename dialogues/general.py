"""Help, language, and the kind replies to input that does not fit (see general.mmd)."""

from __future__ import annotations

from dialogues.crisis import crisis_text
from dialogues.types import Button, Outcome, Reply, rows

LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def help_for(role: str, commands: tuple[str, ...], t) -> Outcome:
    return Outcome(replies=(Reply(help_text(role, commands, t)),))


def help_text(role: str, commands: tuple[str, ...], t) -> str:
    """role: 'patient' or 'staff'; `commands`: what that role is shown, in the router's order.
    A line per command (its words from the catalogue), between a title and a closing note."""
    lines = [t(f"help.{role}.title")]
    lines += [f"/{name} {t(f'help.{role}.{name}')}" for name in commands]
    return "\n".join(lines) + "\n\n" + t(f"help.{role}.footer")


def language_choice(t) -> Outcome:
    buttons = rows(
        *(Button(name, f"lang:{code}", stateless=True) for code, name in LANGUAGE_NAMES.items())
    )
    return Outcome(replies=(Reply(t("language.choose"), buttons),))


def language_set(t) -> Outcome:
    return Outcome(replies=(Reply(t("language.set"), edit_pressed=True),), toast=t("language.set"))


def stranger(t) -> Outcome:
    """Someone who is neither enrolled nor staff: how to get an invite, and crisis contacts."""
    return Outcome(replies=(Reply(t("stranger.text") + "\n\n" + crisis_text(t)),))


def already_enrolled(t) -> Outcome:
    return Outcome(replies=(Reply(t("start.already_enrolled")),))


def bad_input(kind: str, t) -> Outcome:
    """kind: 'text', 'media', 'edited', 'unknown_command', 'stale_button', 'not_for_you'."""
    return Outcome(replies=(Reply(t(f"input.{kind}")),))


def stale_button(t) -> Outcome:
    return Outcome(toast=t("button.stale"))
