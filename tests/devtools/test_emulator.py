"""The emulator driven by a bare python-telegram-bot `Bot`, as the real bot drives it."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.devtools.emulator.world import Press
from tests.devtools.conftest import TOKEN


async def test_get_me_describes_the_demo_bot(emulator):
    me = await emulator.bot.get_me()
    assert me.username == "ikbt_demo_bot"
    assert me.first_name == "iKBT"
    assert me.is_bot and me.can_join_groups
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False


async def test_send_message_with_html_and_keyboard_is_rendered_and_recorded(emulator):
    printed = []
    emulator.world.entry_listeners.append(printed.append)
    alice = emulator.world.user("alice")
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja", callback_data="yes"),
                InlineKeyboardButton("Nej", callback_data="no"),
            ]
        ]
    )
    message = await emulator.bot.send_message(
        alice.id, "<b>Hej</b> &amp; välkommen", parse_mode="HTML", reply_markup=keyboard
    )
    assert message.text == "Hej & välkommen"
    assert message.chat.id == alice.id
    assert message.reply_markup.inline_keyboard[0][1].callback_data == "no"
    [entry] = printed
    assert (entry.kind, entry.chat_key, entry.body) == ("send", "alice", "Hej & välkommen")
    assert entry.buttons == [["Ja", "Nej"]]
    assert "[Ja] [Nej]" in entry.searchable
    recorded = emulator.server.requests[-1]
    assert recorded.method == "sendMessage"
    assert recorded.params["parse_mode"] == "HTML"


async def test_bad_html_and_bad_lengths_are_refused_as_telegram_does(emulator):
    alice = emulator.world.user("alice")
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await emulator.bot.send_message(alice.id, "<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)too long"):
        await emulator.bot.send_message(alice.id, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)empty"):
        await emulator.bot.send_message(alice.id, "<i></i>", parse_mode="HTML")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await emulator.bot.send_message(alice.id, "hi", reply_markup=too_long)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await emulator.bot.send_message(42, "hi")
    assert emulator.world.entries == []


async def test_edit_message_text_makes_a_new_entry_and_refuses_no_change(emulator):
    printed = []
    emulator.world.entry_listeners.append(printed.append)
    alice = emulator.world.user("alice")
    sent = await emulator.bot.send_message(alice.id, "Fråga 1")
    edited = await emulator.bot.edit_message_text("Fråga 1 (besvarad)", alice.id, sent.message_id)
    assert edited.text == "Fråga 1 (besvarad)"
    assert edited.edit_date is not None
    assert [(e.kind, e.body) for e in printed] == [
        ("send", "Fråga 1"),
        ("edit", "Fråga 1 (besvarad)"),
    ]
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await emulator.bot.edit_message_text("Fråga 1 (besvarad)", alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await emulator.bot.edit_message_text("x", alice.id, 999)


async def test_button_press_reaches_the_bot_and_answer_is_a_notice(emulator):
    world = emulator.world
    alice = world.user("alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Klar", callback_data="done")]])
    sent = await emulator.bot.send_message(alice.id, "Steg 1", reply_markup=keyboard)
    world.press(alice, world.private_chat(alice), Press("exact", "Klar"))
    [update] = await emulator.bot.get_updates(timeout=0)
    query = update.callback_query
    assert query.data == "done"
    assert query.from_user.id == alice.id
    assert query.message.message_id == sent.message_id
    assert await query.get_bot().answer_callback_query(query.id, text="Sparat") is True
    assert world.entries[-1].kind == "notice"
    assert (world.entries[-1].chat_key, world.entries[-1].body) == ("alice", "Sparat")
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await emulator.bot.answer_callback_query(query.id, text="again")


async def test_get_updates_offsets_confirm_and_long_poll_wakes(emulator):
    world = emulator.world
    alice = world.user("alice")
    world.send_text(alice, world.private_chat(alice), "/start abc")
    world.send_text(alice, world.private_chat(alice), "hello")
    first = await emulator.bot.get_updates(timeout=0)
    assert [u.message.text for u in first] == ["/start abc", "hello"]
    assert first[0].message.entities[0].type == "bot_command"
    assert first[0].message.entities[0].length == len("/start")
    again = await emulator.bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [u.update_id for u in first]
    assert await emulator.bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()
    assert len(world.updates) == 0

    async def later():
        await asyncio.sleep(0.1)
        world.send_text(alice, world.private_chat(alice), "late")

    started = time.monotonic()
    task = asyncio.create_task(later())
    woke = await emulator.bot.get_updates(timeout=1, read_timeout=3)
    await task
    assert [u.message.text for u in woke] == ["late"]
    assert time.monotonic() - started < 0.9


async def test_privacy_mode_in_groups(emulator):
    world = emulator.world
    anna = world.user("anna")
    group = world.create_group("therapists", [anna])
    world.send_text(anna, group, "just chatting")
    world.send_text(anna, group, "/status@other_bot")
    world.send_text(anna, group, "/status")
    updates = await emulator.bot.get_updates(timeout=0)
    assert [u.message.text for u in updates] == ["/status"]
    assert updates[0].message.chat.type == "group"
    assert updates[0].message.chat.id < 0


async def test_commands_in_groups_carry_the_bot_command_entity_and_sender(emulator):
    world = emulator.world
    anna = world.user("anna")
    group = world.create_group("therapists", [anna])
    world.send_text(anna, group, "/channel@ikbt_demo_bot off")
    [update] = await emulator.bot.get_updates(timeout=0)
    message = update.message
    assert message.from_user.id == anna.id and message.sender_chat is None
    assert message.parse_entities(["bot_command"]) == {
        message.entities[0]: "/channel@ikbt_demo_bot"
    }


async def test_joining_a_group_is_a_service_message_the_bot_hears(emulator):
    world = emulator.world
    anna, zed, bo = world.user("anna"), world.user("zed"), world.user("bo")
    group = world.create_group("therapists", [anna])
    world.join_group(group, [zed, anna], by=anna)  # anna is a member already
    world.create_group("therapists", [bo])  # an existing group gains a member: a join too
    world.join_group(group, [zed], by=zed)  # a member again: nothing
    updates = await emulator.bot.get_updates(timeout=0)
    assert [[u.first_name for u in up.message.new_chat_members] for up in updates] == [
        ["zed"],
        ["bo"],
    ]
    assert updates[0].message.from_user.id == anna.id
    assert updates[0].message.chat.id == group.id
    world.set_bot_in_group(group, False)
    await emulator.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    world.join_group(group, [world.user("eve")], by=anna)  # the bot is not there to hear it
    updates = await emulator.bot.get_updates(timeout=0)
    assert [u.my_chat_member is not None for u in updates] == [True]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_faults_429_then_500_then_success(emulator):
    alice = emulator.world.user("alice")
    emulator.world.faults.extend(["429", "500"])
    with pytest.raises(RetryAfter) as retry:
        await emulator.bot.send_message(alice.id, "one")
    assert retry.value._retry_after.total_seconds() == 1
    with pytest.raises(NetworkError):
        await emulator.bot.send_message(alice.id, "two")
    await emulator.bot.send_message(alice.id, "three")
    assert [e.body for e in emulator.world.entries] == ["three"]


async def test_timeout_fault_holds_until_client_gives_up_and_is_not_carried_out(emulator):
    alice = emulator.world.user("alice")
    emulator.world.faults.append("timeout")
    with pytest.raises(TimedOut):
        await emulator.bot.send_message(alice.id, "held", read_timeout=0.3)
    for _ in range(50):
        if emulator.server.open_requests == 0:
            break
        await asyncio.sleep(0.02)
    assert emulator.server.open_requests == 0
    assert emulator.world.entries == []


async def test_block_gives_403_and_a_my_chat_member_update(emulator):
    world = emulator.world
    alice = world.user("alice")
    world.set_blocked(alice, True)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await emulator.bot.send_message(alice.id, "hi")
    world.set_blocked(alice, False)
    updates = await emulator.bot.get_updates(timeout=0)
    statuses = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
    ]
    assert statuses == [("member", "kicked"), ("kicked", "member")]
    await emulator.bot.send_message(alice.id, "hi again")


async def test_removed_from_group_gives_403(emulator):
    world = emulator.world
    group = world.create_group("g", [world.user("anna")])
    world.set_bot_in_group(group, False)
    with pytest.raises(Forbidden, match="(?i)kicked from the group chat"):
        await emulator.bot.send_message(group.id, "hi")
    [update] = await emulator.bot.get_updates(timeout=0)
    assert update.my_chat_member.new_chat_member.status == "left"


async def test_migrate_gives_400_with_the_new_id_and_a_service_message(emulator):
    world = emulator.world
    group = world.create_group("g", [world.user("anna")])
    old_id = group.id
    supergroup = world.migrate(group)
    assert str(supergroup.id).startswith("-100")
    with pytest.raises(ChatMigrated) as migrated:
        await emulator.bot.send_message(old_id, "hi")
    assert migrated.value.new_chat_id == supergroup.id
    sent = await emulator.bot.send_message(supergroup.id, "hi")
    assert sent.chat.type == "supergroup"
    updates = await emulator.bot.get_updates(timeout=0)
    assert updates[0].message.migrate_to_chat_id == supergroup.id
    assert updates[0].message.chat.id == old_id
    assert updates[1].message.migrate_from_chat_id == old_id
    assert world.entries[-1].chat_key == "#g"


async def test_photo_and_document_uploads(emulator):
    alice = emulator.world.user("alice")
    await emulator.bot.send_photo(alice.id, b"\x89PNG fake", caption="Dina svar")
    document = await emulator.bot.send_document(
        alice.id, b'{"a": 1}', filename="mina-uppgifter.json"
    )
    assert document.document.file_name == "mina-uppgifter.json"
    assert [e.body for e in emulator.world.entries] == [
        "[photo] Dina svar",
        "[document] mina-uppgifter.json",
    ]


async def test_commands_are_stored_per_scope_and_language(emulator):
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    await emulator.bot.set_my_commands([BotCommand("start", "Börja")])
    await emulator.bot.set_my_commands(
        [BotCommand("help", "Help")], scope=BotCommandScopeAllPrivateChats(), language_code="en"
    )
    assert [c.command for c in await emulator.bot.get_my_commands()] == ["start"]
    english = await emulator.bot.get_my_commands(
        scope=BotCommandScopeAllPrivateChats(), language_code="en"
    )
    assert [c.command for c in english] == ["help"]
    await emulator.bot.delete_my_commands()
    assert await emulator.bot.get_my_commands() == ()


async def test_unknown_method_is_404(emulator):
    import aiohttp

    url = f"{emulator.server.api_base_url}{emulator.server.token}/sendTelepathy"
    async with aiohttp.ClientSession() as session, session.post(url, json={}) as response:
        assert response.status == 404
        assert await response.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }


async def test_reply_keyboard_buttons_are_printed_and_pressing_sends_the_label(emulator):
    from telegram import ReplyKeyboardMarkup

    world = emulator.world
    alice = world.user("alice")
    keyboard = ReplyKeyboardMarkup([["Bra", "Dåligt"]], one_time_keyboard=True)
    await emulator.bot.send_message(alice.id, "Hur mår du?", reply_markup=keyboard)
    assert world.entries[-1].buttons == [["Bra", "Dåligt"]]
    assert world.press(alice, world.private_chat(alice), Press("contains", "dål")) == "Dåligt"
    [update] = await emulator.bot.get_updates(timeout=0)
    assert update.message.text == "Dåligt"
    assert update.message.from_user.id == alice.id


async def test_user_edit_and_media_reach_the_bot(emulator):
    world = emulator.world
    alice = world.user("alice")
    chat = world.private_chat(alice)
    world.send_text(alice, chat, "first")
    world.send_sticker(alice, chat)
    world.send_photo(alice, chat)
    world.edit_text(alice, chat, "first, edited")
    updates = await emulator.bot.get_updates(timeout=0)
    assert updates[1].message.sticker is not None
    assert updates[2].message.photo and updates[2].message.caption is None
    edited = updates[3].edited_message
    assert (edited.text, edited.message_id) == ("first, edited", updates[0].message.message_id)


async def test_a_worker_s_own_url_tells_its_requests_apart(emulator):
    """Several bot workers each get `/worker<n>/bot`: polling or setting the webhook counts
    as that worker reachable, and `@crash on-send` is told which worker sent."""
    crashed: list[int] = []
    emulator.server.on_crash_on_send = crashed.append
    worker = Bot(
        TOKEN,
        base_url=emulator.server.worker_base_url(2),
        request=HTTPXRequest(read_timeout=2, connect_timeout=2),
    )
    await worker.initialize()
    try:
        await worker.get_updates(timeout=0)
        assert emulator.server.reachable_calls == {2: 1}
        alice = emulator.world.user("alice")
        emulator.world.crash_on_send_armed = True
        await worker.send_message(emulator.world.private_chat(alice).id, "hej")
        assert crashed == [2]
        await emulator.bot.set_webhook("https://bot.example.org/hook")  # the plain URL: 0
        assert emulator.server.reachable_calls == {2: 1, 0: 1}
    finally:
        await worker.shutdown()
