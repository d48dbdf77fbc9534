"""Routes anyone may use: /start (the invite's offer, a staff bind link, or "you are
enrolled"), /help, /crisis, /language and its buttons, /module, and the kind word for a
command the bot does not know."""

from __future__ import annotations

from bot.i18n import LANGUAGES
from bot.render.menus import chat_menu_call
from bot.turn.context import Turn
from dialogues import consent, crisis, general, staff_invite
from dialogues.types import Outcome, then_current_task, then_open
from storage import outbox, patients
from storage import staff as staff_repo


def start(turn: Turn) -> Outcome:
    args = turn.incoming.args
    if args and args[0].startswith(staff_repo.BIND_CODE_PREFIX):
        return then_open(staff_invite.DIALOGUE, "bind", args[0])
    if turn.patient is not None:
        return then_current_task(general.already_enrolled(turn.t))
    if turn.staff is not None:
        return help_command(turn)
    if not args:
        return general.stranger(turn.t)
    return then_open(consent.DIALOGUE, "offer", args[0])


def help_command(turn: Turn) -> Outcome:
    for role, present in (("staff", turn.staff), ("patient", turn.patient)):
        if present is not None:
            return general.help_for(role, turn.world.commands.help[role], turn.t)
    return general.stranger(turn.t)


def crisis_command(turn: Turn) -> Outcome:
    return crisis.show(turn.t)


def language_command(turn: Turn) -> Outcome:
    return general.language_choice(turn.t)


def language_button(turn: Turn, language: str) -> Outcome:
    """`lang:<code>`: the person's language from now on, and their menu in it."""
    if language not in LANGUAGES:
        return stale_button(turn)
    turn.use_language(language)
    if turn.patient is not None:
        patients.set_language(turn.conn, turn.patient.id, language)
    if turn.staff is not None:
        staff_repo.set_language(turn.conn, turn.staff.id, language)
    if turn.patient is not None or turn.staff is not None:
        role = "staff" if turn.staff is not None else "patient"
        menu = chat_menu_call(turn.input.chat_id, turn.world.commands.menu[role], language)
        outbox.enqueue(turn.conn, menu, turn.now)
    return general.language_set(turn.t)


def module_command(turn: Turn) -> Outcome:
    if turn.patient is None:
        return help_command(turn)
    return then_current_task()


def unknown_command(turn: Turn) -> Outcome:
    return with_current_task(turn, general.bad_input("unknown_command", turn.t))


def stale_button(turn: Turn) -> Outcome:
    return with_current_task(turn, general.stale_button(turn.t))


def stranger(turn: Turn) -> Outcome:
    return general.stranger(turn.t)


def bad_input(turn: Turn, kind: str) -> Outcome:
    return general.bad_input(kind, turn.t)


def with_current_task(turn: Turn, outcome: Outcome) -> Outcome:
    """For a patient, `outcome` followed by what they should do now."""
    return then_current_task(outcome) if turn.patient is not None else outcome
