"""The standalone emulator's client API (`python -m bot emulator`): people act over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import HTTPXRequest

from bot.devtools.emulator.client_api import ClientApi
from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import World

ANY_TOKEN = "987654321:AAAnyTokenOfTheRightShape_0000000000"


@pytest.fixture
async def standalone():
    world = World(bot_id=123456789, now=lambda: datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    server = EmulatorServer(world, None)  # any token of a bot token's shape
    await server.start(extra_routes=ClientApi(server).add_routes)
    bot = Bot(ANY_TOKEN, base_url=server.api_base_url, request=HTTPXRequest(read_timeout=2))
    await bot.initialize()
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{server.port}") as client:
        yield server, bot, client
    await bot.shutdown()
    await server.stop()


async def test_a_person_writes_and_presses_and_sees_what_the_bot_said(standalone):
    server, bot, client = standalone
    async with client.post("/_emulator/send", json={"user": "alice", "text": "hej"}) as answer:
        assert answer.status == 200
        sent = await answer.json()
    [update] = await bot.get_updates(timeout=0)
    assert update.update_id == sent["update_id"] and update.message.text == "hej"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja, gärna", callback_data="1|yes")]])
    await bot.send_message(sent["chat_id"], "Vill du börja?", reply_markup=keyboard)
    async with client.get("/_emulator/messages", params={"chat": "alice"}) as answer:
        [message] = (await answer.json())["messages"]
    assert message["text"] == "Vill du börja?" and message["buttons"] == [["Ja, gärna"]]
    async with client.post("/_emulator/press", json={"user": "alice", "contains": "ja"}) as answer:
        assert (await answer.json()) == {"pressed": "Ja, gärna"}
    updates = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert updates[0].callback_query.data == "1|yes"
    after = message["seq"]
    async with client.get("/_emulator/messages", params={"chat": "alice", "after": after}) as got:
        assert (await got.json())["messages"] == []
    async with client.get("/_emulator/status") as answer:
        status = await answer.json()
    assert status["polls"] == 2 and status["webhook"]["url"] == ""


async def test_what_makes_no_sense_is_refused_with_the_reason(standalone):
    server, bot, client = standalone
    async with client.post("/_emulator/send", json={"user": "alice"}) as answer:
        assert answer.status == 400 and "text" in (await answer.json())["error"]
    async with client.post("/_emulator/send", data=b"[1]") as answer:
        assert answer.status == 400
    async with client.post("/_emulator/press", json={"user": "bob", "button": "Ja"}) as answer:
        assert answer.status == 404 and "no message" in (await answer.json())["error"]
    async with client.post(f"{server.api_base_url}not-a-token/getMe") as answer:
        assert answer.status == 401
