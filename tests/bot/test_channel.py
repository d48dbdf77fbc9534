"""The therapist channel in production: `/channel` in a group by an admin or patient-admin
registers it (audited), anyone else is refused, `/channel off` unregisters, the handlers send
only /channel and joins from groups, joins of non-staff warn the admins, and amber flags
reach the channel."""

import json

import pytest
from telegram import Update, User
from telegram.ext import Application

from bot.routes import channel as channel_routes
from bot.telegram import handlers
from bot.telegram.handlers import _incoming
from dialogues.types import Incoming
from storage import staff, units
from storage.database import run_in_transaction
from tests.bot.commands import COMMANDS
from tests.bot.staff_helpers import audit_rows, bind, enroll, staff_id
from tests.harness.catalogue import says, sv

ANNA, BO, CECILIA, PATIENT, STRANGER = 100, 101, 102, 200, 300
LENA = 500
GROUP, OTHER_GROUP = -1001, -1002
ANONYMOUS_ADMIN = 1087968824


def _unit(chat):
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "Bo", "patient-admin", "Växjö", BO)
    bind(chat, "Cecilia", "admin", "Växjö", CECILIA)
    enroll(chat, ANNA, "P1", PATIENT)
    bind(chat, "Lena", "admin", "Lund", LENA)


def in_group(chat, route, user_id, incoming, group=GROUP):
    """A turn from `user_id` in a group, as the handlers build it."""
    chat.turn(route, user_id, incoming, chat_id=group)


def channel_command(chat, user_id, *args, group=GROUP):
    before = len(chat.texts(group))
    incoming = Incoming(kind="command", command="channel", args=args)
    in_group(chat, channel_routes.group_command, user_id, incoming, group)
    return chat.texts(group)[before:]


def _channel_of(chat, unit="Växjö"):
    return units.by_name(chat.conn, unit).therapist_chat_id


def test_an_admin_registers_the_group_and_it_is_audited(chat):
    _unit(chat)
    (reply,) = channel_command(chat, CECILIA)
    assert says(reply, "channel.registered", unit="Växjö")
    assert says(reply, "channel.who_reads")  # who reads a flag's text
    assert _channel_of(chat) == GROUP
    (row,) = audit_rows(chat, "channel_registered")
    assert row["staff_id"] == staff_id(chat, CECILIA)
    assert json.loads(row["details_json"]) == {"chat": GROUP, "before": None}


def test_a_patient_admin_may_register_and_a_new_group_replaces_the_old(chat):
    _unit(chat)
    channel_command(chat, BO)
    (reply,) = channel_command(chat, BO, group=OTHER_GROUP)
    assert says(reply, "channel.replaced")
    assert _channel_of(chat) == OTHER_GROUP


@pytest.mark.parametrize("who", [ANNA, PATIENT, STRANGER])
def test_anyone_but_admins_and_patient_admins_is_refused(chat, who):
    _unit(chat)
    (reply,) = channel_command(chat, who)
    assert reply == sv("channel.not_allowed")
    assert _channel_of(chat) is None
    assert audit_rows(chat, "channel_registered") == []


def test_an_anonymous_group_admin_is_refused_with_why(chat):
    _unit(chat)
    (reply,) = channel_command(chat, ANONYMOUS_ADMIN)
    assert reply == sv("channel.anonymous")
    assert _channel_of(chat) is None


def test_a_deactivated_admin_is_told_in_the_group(chat):
    _unit(chat)
    member = staff.by_telegram_user(chat.conn, CECILIA)
    run_in_transaction(chat.conn, lambda c: staff.set_active(c, member.id, False))
    (reply,) = channel_command(chat, CECILIA)
    assert reply == sv("staff.deactivated")
    assert _channel_of(chat) is None


def test_another_units_channel_cannot_be_taken(chat):
    _unit(chat)
    channel_command(chat, CECILIA)
    (reply,) = channel_command(chat, LENA)
    assert reply == sv("channel.other_unit")
    assert _channel_of(chat) == GROUP
    assert _channel_of(chat, "Lund") is None


def test_channel_off_unregisters_only_the_units_own_channel(chat):
    _unit(chat)
    channel_command(chat, CECILIA)
    (reply,) = channel_command(chat, CECILIA, "off", group=OTHER_GROUP)
    assert says(reply, "channel.off_not_channel", unit="Växjö")
    assert _channel_of(chat) == GROUP
    (reply,) = channel_command(chat, BO, "OFF")
    assert says(reply, "channel.off", unit="Växjö")
    assert _channel_of(chat) is None
    (row,) = audit_rows(chat, "channel_unregistered")
    assert row["staff_id"] == staff_id(chat, BO)
    (reply,) = channel_command(chat, BO, "maybe")
    assert "/channel off" in reply


def test_registering_clears_the_unreachable_mark(chat):
    _unit(chat)
    channel_command(chat, CECILIA)
    unit_id = units.by_name(chat.conn, "Växjö").id
    run_in_transaction(chat.conn, lambda c: units.set_channel_broken(c, unit_id, chat.clock.now()))
    assert units.safety_settings(chat.conn, unit_id).channel_broken
    channel_command(chat, CECILIA)
    assert not units.safety_settings(chat.conn, unit_id).channel_broken


def test_channel_in_a_private_chat_explains_it_to_staff_only(chat):
    _unit(chat)
    chat.command(COMMANDS["channel"], ANNA, "channel")
    assert says(chat.last_text(ANNA), "channel.private_help")
    assert says(chat.last_text(ANNA), "channel.status_none", unit="Växjö")
    channel_command(chat, CECILIA)
    chat.command(COMMANDS["channel"], ANNA, "channel")
    assert says(chat.last_text(ANNA), "channel.status_set", unit="Växjö")
    before = len(chat.texts(PATIENT))
    chat.command(COMMANDS["channel"], PATIENT, "channel")
    replies = chat.texts(PATIENT)[before:]
    assert says(replies[0], "input.unknown_command")
    assert not any("terapeutkanal" in reply for reply in replies)


def test_amber_and_red_flags_reach_the_registered_channel(chat):
    _unit(chat)
    channel_command(chat, CECILIA)
    chat.text(PATIENT, "jag vill inte dö")
    amber, red = sv("flag.severity.amber"), sv("flag.severity.red")
    assert any(amber in body and "P1" in body for body in chat.texts(GROUP))
    chat.text(PATIENT, "jag vill inte leva längre")
    assert any(red in body and "P1" in body for body in chat.texts(GROUP))
    assert not any("vill inte" in body for body in chat.texts(GROUP))  # the text: Visa only


def _joined(chat, adder, *people, group=GROUP):
    incoming = Incoming(kind="membership", joined=tuple(people))
    in_group(chat, channel_routes.members_joined, adder, incoming, group)


def test_a_stranger_joining_the_channel_warns_the_admins_only(chat):
    _unit(chat)
    channel_command(chat, CECILIA)
    before = {who: len(chat.texts(who)) for who in (ANNA, BO, CECILIA, LENA)}
    _joined(chat, ANNA, (STRANGER, "Zed"), (BO, "Bo"))
    (warning,) = chat.texts(CECILIA)[before[CECILIA] :]
    assert '<a href="tg://user?id=300">Zed</a> gick just med i terapeutkanalen' in warning
    assert "Bo" not in warning.split("gick")[0]
    for who in (ANNA, BO, LENA):
        assert len(chat.texts(who)) == before[who]


def test_staff_of_another_unit_or_deactivated_staff_joining_is_a_warning_too(chat):
    _unit(chat)
    channel_command(chat, CECILIA)
    anna = staff.by_telegram_user(chat.conn, ANNA)
    run_in_transaction(chat.conn, lambda c: staff.set_active(c, anna.id, False))
    before = len(chat.texts(CECILIA))
    _joined(chat, CECILIA, (LENA, "Lena"), (ANNA, "Anna"))
    assert len(chat.texts(CECILIA)) == before + 2


def test_joins_in_a_group_that_is_no_channel_are_ignored(chat):
    _unit(chat)
    before = len(chat.texts(CECILIA))
    _joined(chat, ANNA, (STRANGER, "Zed"))
    assert len(chat.texts(CECILIA)) == before


def test_without_admins_the_patient_admins_are_warned(chat):
    bind(chat, "Bo", "patient-admin", "Växjö", BO)
    channel_command(chat, BO)
    _joined(chat, BO, (STRANGER, "Zed"))
    assert "gick just med" in chat.last_text(BO)


# ---- the handlers: what reaches which route ----------------------------------------------


@pytest.fixture(scope="module")
def application():
    app = Application.builder().token("123456:TEST").updater(None).build()
    # What getMe would have told it: `/channel@ikbt_test_bot` is for this bot.
    app.bot._bot_user = User(1, "iKBT", is_bot=True, username="ikbt_test_bot")
    handlers.register(app)
    return app


def _message(chat_type, text=None, **extra):
    chat_id = 42 if chat_type == "private" else GROUP
    chat = {"id": chat_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = "team"
    message = {
        "message_id": 1,
        "date": 0,
        "chat": chat,
        "from": {"id": 42, "is_bot": False, "first_name": "Anna"},
        **extra,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return message


def _handled_by(application, message):
    update = Update.de_json({"update_id": 1, "message": message}, application.bot)
    for handler in application.handlers[0]:
        if handler.check_update(update):
            return handler.callback.__name__
    return None


def test_channel_in_a_group_reaches_its_route_and_other_commands_do_not(application):
    handled = _handled_by(application, _message("supergroup", "/channel off"))
    assert handled == "handle_group_command"
    assert _handled_by(application, _message("group", "/channel")) == "handle_group_command"
    at_bot = _message("group", "/channel@ikbt_test_bot")
    assert _handled_by(application, at_bot) == "handle_group_command"
    assert _handled_by(application, _message("group", "/channel@other_bot")) is None
    assert _handled_by(application, _message("group", "/help")) is None
    assert _handled_by(application, _message("group", "vill dö")) is None
    assert _handled_by(application, _message("private", "/channel")) == "handle_channel_command"


def test_a_message_on_behalf_of_a_chat_reaches_the_refusal(application):
    message = _message("supergroup", "/channel", sender_chat={"id": GROUP, "type": "supergroup"})
    message["from"] = {"id": ANONYMOUS_ADMIN, "is_bot": True, "first_name": "Group"}
    assert _handled_by(application, message) == "handle_anonymous"


def test_joins_reach_their_route_with_people_but_not_bots(application):
    joined = [
        {"id": 7, "is_bot": False, "first_name": "Zed"},
        {"id": 8, "is_bot": True, "first_name": "SomeBot", "username": "some_bot"},
    ]
    message = _message("group", new_chat_members=joined)
    assert _handled_by(application, message) == "handle_members_joined"
    update = Update.de_json({"update_id": 1, "message": message}, application.bot)
    assert _incoming(update) == Incoming(kind="membership", joined=((7, "Zed"),))
