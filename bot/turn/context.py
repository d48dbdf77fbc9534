"""The turn's types: what a route works with (`Turn`), what arrives (`TurnInput`), and what
every turn may consult outside the database (`World`). Nothing here imports the rest of bot/
but i18n, so routes, care rules and escalation can all build on it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.i18n import Translator
from dialogues.types import Incoming, Outcome
from programs.loader import ProgramCatalog
from storage.dialogue_state import DialogueState
from storage.patients import Patient
from storage.staff import Staff


@dataclass(frozen=True)
class CommandLists:
    """The commands each audience ("patient", "staff") is shown, in order, as the router's
    table lists them: in the chat's command menu, and in /help (which may name more)."""

    menu: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    help: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    after_end: tuple[str, ...] = ()  # what still answers a patient whose treatment has ended


@dataclass(frozen=True)
class World:
    """What every turn may consult that is not in the database."""

    programs: ProgramCatalog
    questionnaires: dict  # id -> programs.questionnaire_models.Questionnaire
    bot_username: str
    invite_valid_days: int
    default_language: str
    commands: CommandLists = field(default_factory=CommandLists)  # bot.router.COMMAND_LISTS
    identity_verifier: object | None = None  # bot.care.identity.IdentityVerifier, if configured


@dataclass(frozen=True)
class TurnInput:
    update_id: int
    user_id: int
    chat_id: int
    language_code: str | None
    incoming: Incoming
    callback_data: str | None = None
    pressed_message_id: int | None = None
    # The Telegram display name (first + last): shown once to the care team at consent, in
    # "Är detta din patient?"; never stored in a table, never logged.
    display_name: str | None = None


@dataclass
class Turn:
    """Everything a route works with. Routes read and write through `conn`, inside the
    turn's transaction, and return the dialogue's outcome."""

    conn: sqlite3.Connection
    world: World
    input: TurnInput
    now: datetime
    patient: Patient | None
    staff: Staff | None
    state: DialogueState
    t: Translator
    forget_recipient: bool = False  # set by a route when the person must leave no trace
    notes: list[str] = field(default_factory=list)

    @property
    def incoming(self) -> Incoming:
        return self.input.incoming

    def use_language(self, language: str) -> None:
        self.t = Translator(language)


Route = Callable[[Turn], Outcome]


@dataclass(frozen=True)
class TurnResult:
    toast: str | None
    answered: bool  # False: the update had been handled before; nothing was done
