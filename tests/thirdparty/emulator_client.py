"""Acting as Telegram users through telegram-test-api's client API.

The same requests as ../shared/third-party-emulator/client.py (`/sendCommand`,
`/sendMessage`, `/sendCallback`, `/getUpdatesHistory`), as a class the tests can wait with:
every wait polls the history until a message arrives or its deadline passes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import httpx

STEP_SECONDS = 20.0  # the longest any single wait for the bot may take
POLL_SECONDS = 0.2

# The bot as telegram-test-api's getMe names it; a pressed button's message comes from it.
TEST_API_BOT = {
    "id": 666,
    "is_bot": True,
    "first_name": "Test First name",
    "username": "TestNameBot",
}


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    language_code: str = "sv"

    def user(self) -> dict:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }

    def chat(self) -> dict:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass(frozen=True)
class BotMessage:
    message_id: int
    text: str
    buttons: tuple[tuple[str, str], ...]  # (label, callback_data), row after row

    def show(self) -> str:
        labels = " ".join(f"[{label}]" for label, _ in self.buttons)
        return f"#{self.message_id}: {self.text}" + (f"\n    {labels}" if labels else "")


def _bot_message(message_id: int, message: dict) -> BotMessage:
    markup = message.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    buttons = tuple(
        (button.get("text", ""), button["callback_data"])
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    )
    return BotMessage(message_id, message.get("text") or "", buttons)


class TelegramTestApi:
    """One bot (token) on a telegram-test-api server, seen by the people who talk to it."""

    def __init__(self, base_url: str, token: str, describe_bot=lambda: ""):
        self._base_url = base_url
        self._token = token
        self._describe_bot = describe_bot  # the bot's log tail, for failure messages
        self._http = httpx.Client(timeout=10)

    def close(self) -> None:
        self._http.close()

    # ---- what the bot sent ---------------------------------------------------------------

    def history(self) -> dict[int, dict]:
        """The bot's messages (as last edited) by message id, in every chat."""
        response = self._post("/getUpdatesHistory", {"token": self._token})
        return {
            entry["messageId"]: entry["message"]
            for entry in response["result"]
            if "chat_id" in entry.get("message", {})  # the bot's, not the users'
        }

    def mark(self) -> dict[int, dict]:
        """What the bot has sent so far: waits look only at what is new or edited after it."""
        return self.history()

    def received(self, person: Person, since: dict[int, dict]) -> list[BotMessage]:
        """The person's messages from the bot that are new or edited since the mark."""
        return [
            _bot_message(message_id, message)
            for message_id, message in sorted(self.history().items())
            if str(message.get("chat_id")) == str(person.id) and since.get(message_id) != message
        ]

    def wait_for(
        self,
        person: Person,
        *needles: str,
        since: dict[int, dict],
        seconds: float = STEP_SECONDS,
    ) -> BotMessage:
        """The first message to the person, new or edited since the mark, that holds every
        needle (case-insensitive); fails after `seconds` with what the person did receive."""
        wanted = [needle.casefold() for needle in needles]
        deadline = time.monotonic() + seconds
        while True:
            got = self.received(person, since)
            for message in got:
                if all(needle in message.text.casefold() for needle in wanted):
                    return message
            if time.monotonic() > deadline:
                shown = "\n".join(message.show() for message in got) or "(nothing)"
                raise AssertionError(
                    f"{person.first_name} got no message with {list(needles)} within {seconds} s."
                    f"\nWhat {person.first_name} got since the mark:\n{shown}"
                    f"\n--- the bot's log, last lines ---\n{self._describe_bot()}"
                )
            time.sleep(POLL_SECONDS)

    # ---- what people do ------------------------------------------------------------------

    def send_command(self, person: Person, text: str) -> None:
        command = text.split()[0]
        entities = [{"offset": 0, "length": len(command), "type": "bot_command"}]
        self._post("/sendCommand", {**self._common(person), "text": text, "entities": entities})

    def send_text(self, person: Person, text: str) -> None:
        self._post("/sendMessage", {**self._common(person), "text": text})

    def press(self, person: Person, label: str) -> str:
        """Press the button with this label on the latest bot message in the person's chat
        that has one (an exact label first, else one that contains it); its callback data."""
        message_id, message, data = self._find_button(person, label)
        pressed_on = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": person.chat(),
            "text": message.get("text"),
            "from": TEST_API_BOT,
        }
        body = {"botToken": self._token, "from": person.user(), "message": pressed_on}
        self._post("/sendCallback", {**body, "data": data})
        return data

    def _find_button(self, person: Person, label: str) -> tuple[int, dict, str]:
        wanted = label.strip().casefold()
        mine = [
            (message_id, message)
            for message_id, message in sorted(self.history().items(), reverse=True)
            if str(message.get("chat_id")) == str(person.id)
        ]
        for exact in (True, False):
            for message_id, message in mine:
                for text, data in _bot_message(message_id, message).buttons:
                    have = text.strip().casefold()
                    if have == wanted or (not exact and wanted in have):
                        return message_id, message, data
        shown = "\n".join(_bot_message(i, m).show() for i, m in mine[:5]) or "(nothing)"
        raise AssertionError(f"no button {label!r} in {person.first_name}'s chat:\n{shown}")

    def _common(self, person: Person) -> dict:
        return {
            "botToken": self._token,
            "date": int(time.time()),
            "from": person.user(),
            "chat": person.chat(),
        }

    def _post(self, path: str, body: dict) -> dict:
        response = self._http.post(self._base_url + path, json=body)
        assert response.status_code == 200, f"{path}: HTTP {response.status_code} {response.text}"
        return response.json()
