"""The emulator refuses what Telegram refuses, by Telegram's own count: a text's length after
entity parsing in UTF-16 code units (4,096), a caption's (1,024), callback data in bytes (64),
and a text with nothing in it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.devtools.emulator.errors import ApiError
from bot.devtools.emulator.methods import BotApi
from bot.devtools.emulator.params import Params
from bot.devtools.emulator.world import World

EMOJI = "😀"  # outside the Basic Multilingual Plane: 2 UTF-16 units, as Telegram counts


def refusal(api: BotApi, method: str, **params) -> str:
    with pytest.raises(ApiError) as refused:
        api.call(method, Params(params))
    assert refused.value.code == 400
    return refused.value.description


@pytest.fixture
def api():
    world = World(bot_id=123456789, now=lambda: datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    return BotApi(world), world.user("alice").id


def test_text_length_is_counted_after_entity_parsing_in_utf16(api):
    api, alice = api
    html = "<b>" + "&amp;" * 4096 + "</b>"  # 4,096 seen, far more written
    assert api.call("sendMessage", Params({"chat_id": alice, "text": html, "parse_mode": "HTML"}))
    too_long = "<b>" + "&amp;" * 4097 + "</b>"
    assert (
        refusal(api, "sendMessage", chat_id=alice, text=too_long, parse_mode="HTML")
        == "Bad Request: message is too long"
    )
    assert api.call("sendMessage", Params({"chat_id": alice, "text": EMOJI * 2048}))
    assert (
        refusal(api, "sendMessage", chat_id=alice, text=EMOJI * 2049)
        == "Bad Request: message is too long"
    )


def test_an_edit_is_held_to_the_same_length(api):
    api, alice = api
    sent = api.call("sendMessage", Params({"chat_id": alice, "text": "kort"}))
    assert (
        refusal(
            api, "editMessageText", chat_id=alice, message_id=sent["message_id"], text="x" * 4097
        )
        == "Bad Request: message is too long"
    )


def test_caption_over_1024_is_refused(api):
    api, alice = api
    photo = "AgACAgQAAxkBAAIBc2VhZ"
    assert api.call("sendPhoto", Params({"chat_id": alice, "photo": photo, "caption": "y" * 1024}))
    assert (
        refusal(api, "sendPhoto", chat_id=alice, photo=photo, caption=EMOJI * 513)
        == "Bad Request: message caption is too long"
    )
    assert (
        refusal(
            api,
            "sendDocument",
            chat_id=alice,
            document="https://example.org/a.csv",
            caption="<i>" + "z" * 1025 + "</i>",
            parse_mode="HTML",
        )
        == "Bad Request: message caption is too long"
    )


def test_empty_texts_are_refused(api):
    api, alice = api
    assert refusal(api, "sendMessage", chat_id=alice, text="") == (
        "Bad Request: message text is empty"
    )
    for empty in ("   \n ", "<i></i>", "<b> </b>"):
        assert refusal(api, "sendMessage", chat_id=alice, text=empty, parse_mode="HTML") == (
            "Bad Request: text must be non-empty"
        )


def test_callback_data_over_64_bytes_is_refused(api):
    api, alice = api
    keyboard = '{"inline_keyboard": [[{"text": "Ja", "callback_data": "%s"}]]}'
    assert api.call(
        "sendMessage",
        Params({"chat_id": alice, "text": "?", "reply_markup": keyboard % ("a" * 64)}),
    )
    assert (
        refusal(api, "sendMessage", chat_id=alice, text="?", reply_markup=keyboard % ("å" * 33))
        == "Bad Request: BUTTON_DATA_INVALID"
    )


async def test_the_bot_library_sees_these_refusals_as_bad_request(emulator):
    alice = emulator.world.user("alice")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await emulator.bot.send_message(alice.id, EMOJI * 2049)
    with pytest.raises(BadRequest, match="(?i)text must be non-empty"):
        await emulator.bot.send_message(alice.id, "<b></b>", parse_mode="HTML")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="ö" * 33)]])
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await emulator.bot.send_message(alice.id, "hi", reply_markup=keyboard)
    assert emulator.world.entries == []
