"""The command menus as Bot API calls: the patients' menu (the default scope), and one for
each private chat (a staff member's, or a patient's in their own language). Which commands a
menu lists comes from the router's table (`bot.router.COMMAND_LISTS`), passed in."""

from __future__ import annotations

import json

from bot.i18n import LANGUAGES, Translator
from storage.outbox import LANE_REPLY, OutgoingCall


def _commands(names: tuple[str, ...], t: Translator) -> list[dict]:
    return [{"command": name, "description": t(f"menu.{name}")} for name in names]


def default_menus(names: tuple[str, ...]) -> list[dict]:
    """setMyCommands parameters for the patients' menu: Swedish by default, English for
    users whose Telegram speaks English."""
    menus = [{"commands": json.dumps(_commands(names, Translator("sv")))}]
    for language in LANGUAGES:
        menus.append(
            {
                "commands": json.dumps(_commands(names, Translator(language))),
                "language_code": language,
            }
        )
    return menus


def chat_menu_call(chat_id: int, names: tuple[str, ...], language: str) -> OutgoingCall:
    """The menu for one private chat: a staff member's, or a patient's in their chosen language."""
    params = {
        "commands": json.dumps(_commands(names, Translator(language)), ensure_ascii=False),
        "scope": json.dumps({"type": "chat", "chat_id": chat_id}),
    }
    return OutgoingCall(chat_id=chat_id, method="setMyCommands", params=params, lane=LANE_REPLY)


def clear_chat_menu_call(chat_id: int) -> OutgoingCall:
    """Remove a chat's own menu (a deactivated staff member's): the default menu shows again."""
    params = {"scope": json.dumps({"type": "chat", "chat_id": chat_id})}
    return OutgoingCall(chat_id=chat_id, method="deleteMyCommands", params=params, lane=LANE_REPLY)
