"""The standalone emulator's client API: acting as the people who write to the bot, over HTTP.

    POST /_emulator/send      {"user": "alice", "text": "hej", "group": "therapists"?,
                               "language": "en"?}            -> {"update_id", "chat_id", ...}
    POST /_emulator/press     {"user": "alice", "button": "Ja" | "contains": "Ja" | "index": 2,
                               "group": ...?}                -> {"pressed": "Ja, ..."}
    GET  /_emulator/messages?chat=alice[&after=SEQ]          -> {"messages": [...]}
    GET  /_emulator/status                                   -> polls, waiting updates, webhook

A person is created on first use (a private chat with the bot); `group` speaks in a group
(created with the person in it, and the bot added). Messages are what the bot did, in order
(`seq`), as the script runner's transcript sees them: sends, edits and notices (toasts).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import Chat, Entry, Press

PREFIX = "/_emulator"


class ClientApi:
    def __init__(self, server: EmulatorServer):
        self.server = server
        self.world = server.world

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(f"{PREFIX}/send", self.send)
        app.router.add_post(f"{PREFIX}/press", self.press)
        app.router.add_get(f"{PREFIX}/messages", self.messages)
        app.router.add_get(f"{PREFIX}/status", self.status)

    async def send(self, request: web.Request) -> web.Response:
        body = await _body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise _refused('send needs a non-empty "text"')
        person, chat = self._speaker(body)
        message = self.world.send_text(person, chat, text)
        return _json(
            {
                "update_id": self.world.updates[-1]["update_id"] if message.delivered else None,
                "chat_id": chat.id,
                "message_id": message.message_id,
            }
        )

    async def press(self, request: web.Request) -> web.Response:
        body = await _body(request)
        person, chat = self._speaker(body)
        try:
            pressed = self.world.press(person, chat, _press(body))
        except LookupError as missing:
            raise web.HTTPNotFound(
                text=json.dumps({"error": str(missing)}), content_type="application/json"
            ) from None
        return _json({"pressed": pressed})

    async def messages(self, request: web.Request) -> web.Response:
        key = request.query.get("chat", "")
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            raise _refused('"after" must be a number') from None
        entries = [
            _entry(entry)
            for entry in self.world.entries
            if entry.seq > after and (not key or entry.chat_key == key)
        ]
        return _json({"messages": entries})

    async def status(self, request: web.Request) -> web.Response:
        return _json(
            {
                "polls": self.server.polls,
                "waiting_updates": len(self.world.updates),
                "webhook": self.server.webhook.info(),
                "webhook_deliveries": self.server.webhook.deliveries,
                "webhook_deliveries_by_worker": self.server.webhook.deliveries_by_worker,
            }
        )

    def _speaker(self, body: dict[str, Any]) -> tuple[Any, Chat]:
        name = body.get("user")
        if not isinstance(name, str) or not name or name.startswith("#"):
            raise _refused('"user" must name a person, e.g. "alice"')
        person = self.world.user(name)
        language = body.get("language")
        if isinstance(language, str) and language:
            person.language_code = language
        group = body.get("group")
        if not group:
            return person, self.world.private_chat(person)
        group = str(group).removeprefix("#")
        if group not in self.world.groups:
            chat = self.world.create_group(group, [person])
            self.world.bot_added_to_group(chat)
            return person, chat
        chat = self.world.groups[group]
        self.world.join_group(chat, [person], by=person)
        return person, chat


def _press(body: dict[str, Any]) -> Press:
    for how, key in (("exact", "button"), ("contains", "contains"), ("index", "index")):
        if key in body:
            return Press(how, str(body[key]))
    raise _refused('press needs "button" (its label), "contains" or "index"')


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "chat": entry.chat_key,
        "text": entry.body,
        "buttons": entry.buttons,
    }


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _refused("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise _refused("the body must be a JSON object")
    return body


def _refused(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": reason}), content_type="application/json")


def _json(body: dict[str, Any]) -> web.Response:
    return web.Response(text=json.dumps(body, ensure_ascii=False), content_type="application/json")
