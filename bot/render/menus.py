"""The command menus: one for patients (the default scope), one for each staff member's chat."""

from __future__ import annotations

import json

from bot.i18n import LANGUAGES, Translator
from storage.outbox import LANE_REPLY, OutgoingCall

PATIENT_COMMANDS = (
    "module",
    "message",
    "messages",
    "notes",
    "diary",
    "activities",
    "balance",
    "forms",
    "results",
    "reminders",
    "pause",
    "crisis",
    "help",
    "language",
)
STAFF_COMMANDS = (
    "patients",
    "messages",
    "answers",
    "notes",
    "flags",
    "invite",
    "results",
    "diary",
    "balance",
    "measure",
    "schedule",
    "plan",
    "unit",
    "staff",
    "cover",
    "audit",
    "channel",
    "help",
    "crisis",
    "language",
)


def _commands(names: tuple[str, ...], t: Translator) -> list[dict]:
    return [{"command": name, "description": t(f"menu.{name}")} for name in names]


def default_menus() -> list[dict]:
    """setMyCommands parameters for the patients' menu: Swedish by default, English for
    users whose Telegram speaks English."""
    menus = [{"commands": json.dumps(_commands(PATIENT_COMMANDS, Translator("sv")))}]
    for language in LANGUAGES:
        menus.append(
            {
                "commands": json.dumps(_commands(PATIENT_COMMANDS, Translator(language))),
                "language_code": language,
            }
        )
    return menus


def chat_menu_call(chat_id: int, *, for_staff: bool, language: str) -> OutgoingCall:
    """The menu for one private chat: a staff member's, or a patient's in their chosen language."""
    names = STAFF_COMMANDS if for_staff else PATIENT_COMMANDS
    params = {
        "commands": json.dumps(_commands(names, Translator(language)), ensure_ascii=False),
        "scope": json.dumps({"type": "chat", "chat_id": chat_id}),
    }
    return OutgoingCall(chat_id=chat_id, method="setMyCommands", params=params, lane=LANE_REPLY)


def clear_chat_menu_call(chat_id: int) -> OutgoingCall:
    """Remove a chat's own menu (a deactivated staff member's): the default menu shows again."""
    params = {"scope": json.dumps({"type": "chat", "chat_id": chat_id})}
    return OutgoingCall(chat_id=chat_id, method="deleteMyCommands", params=params, lane=LANE_REPLY)
