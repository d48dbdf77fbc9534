"""Routes for the therapist channel: `/channel` and `/channel off` in a group, `/channel` in a
private chat (how to use it), the bot being added to a group, and people joining a unit's
channel (its admins are warned about anyone who is not active staff of the unit)."""

from __future__ import annotations

import logging
from html import escape

from bot.care import channels as channel_admin
from bot.i18n import Translator
from bot.render.calls import reply_call
from bot.turn.context import Turn
from dialogues import channel
from dialogues.types import Outcome
from storage import outbox, staff, units
from storage.outbox import LANE_STAFF
from storage.units import Unit

log = logging.getLogger(__name__)

# Telegram's stand-ins for a message sent on behalf of a chat: an anonymous group admin
# (GroupAnonymousBot) and a linked channel (Channel_Bot). Who really sent it is unknown.
ANONYMOUS_SENDERS = frozenset({1087968824, 136817688})

DIALOGUE = channel.DIALOGUE


def group_command(turn: Turn) -> Outcome:
    """`/channel` (register this group) or `/channel off`, sent in a group."""
    if turn.input.user_id in ANONYMOUS_SENDERS:
        return anonymous(turn)
    member = turn.staff
    if member is None or not member.has_role(*channel_admin.REGISTERING_ROLES):
        log.info("chat %d: /channel refused (not admin or patient-admin)", turn.input.chat_id)
        return channel.say("channel.not_allowed", turn.t)
    unit = units.get(turn.conn, member.unit_id)
    args = tuple(arg.lower() for arg in turn.incoming.args)
    if not args:
        return _register(turn, unit)
    if args == ("off",):
        return _unregister(turn, unit)
    return channel.say("channel.usage", turn.t)


def anonymous(turn: Turn) -> Outcome:
    """Sent as an anonymous group admin or on behalf of a chat: nobody can be checked."""
    return channel.say("channel.anonymous", turn.t)


def _register(turn: Turn, unit: Unit) -> Outcome:
    chat_id = turn.input.chat_id
    done = channel_admin.register(turn.conn, unit, chat_id, by=turn.staff, now=turn.now)
    if done == channel_admin.OTHER_UNIT:
        return channel.say("channel.other_unit", turn.t)
    log.info("unit %d: therapist channel registered (chat %d)", unit.id, chat_id)
    replaced = done == channel_admin.REPLACED
    return Outcome(replies=(channel.registered(unit.name, turn.t, replaced=replaced),))


def _unregister(turn: Turn, unit: Unit) -> Outcome:
    chat_id = turn.input.chat_id
    done = channel_admin.unregister(turn.conn, unit, chat_id=chat_id, by=turn.staff, now=turn.now)
    if done == channel_admin.NOT_CHANNEL:
        return channel.say("channel.off_not_channel", turn.t, unit=unit.name)
    log.info("unit %d: therapist channel unregistered (chat %d)", unit.id, chat_id)
    return Outcome(replies=(channel.unregistered(unit.name, turn.t),))


def private_command(turn: Turn) -> Outcome | None:
    """`/channel` in a private chat (staff): it is sent in the group; the unit's channel now.
    None for anyone else (an unknown command to them)."""
    if turn.staff is None:
        return None
    settings = units.safety_settings(turn.conn, turn.staff.unit_id)
    if settings.therapist_chat_id is None:
        status = "channel.status_none"
    elif settings.channel_broken:
        status = "channel.status_broken"
    else:
        status = "channel.status_set"
    return channel.explain(status, units.get(turn.conn, turn.staff.unit_id).name, turn.t)


def bot_added(turn: Turn) -> Outcome:
    """The bot joined a group that is no unit's channel: say how to make it one."""
    if units.by_channel(turn.conn, turn.input.chat_id) is not None:
        return Outcome()
    return channel.introduce(turn.t)


def members_joined(turn: Turn) -> Outcome:
    """People joined a group (Telegram's new_chat_members service message). In a unit's
    channel, anyone who is not active staff of that unit is a warning to its admins: every
    member of the channel sees the unit's alerts."""
    unit = units.by_channel(turn.conn, turn.input.chat_id)
    if unit is None:
        return Outcome()
    strangers = [
        (user_id, first_name)
        for user_id, first_name in turn.incoming.joined
        if not _active_staff_of(turn, user_id, unit.id)
    ]
    if strangers:
        told = _warn_admins(turn, unit, strangers)
        log.warning(
            "unit %d: %d people who are not its staff joined the therapist channel; told %d",
            unit.id,
            len(strangers),
            told,
        )
    return Outcome()


def _active_staff_of(turn: Turn, user_id: int, unit_id: int) -> bool:
    member = staff.by_telegram_user(turn.conn, user_id)
    return member is not None and member.active and member.unit_id == unit_id


def _warn_admins(turn: Turn, unit: Unit, strangers: list[tuple[int, str]]) -> int:
    """Privately to the unit's admins (its patient-admins when it has no admin)."""
    chats = units.staff_chats_with_role(turn.conn, unit.id, "admin")
    if not chats:
        chats = units.staff_chats_with_role(turn.conn, unit.id, "patient-admin")
    for staff_id, chat_id in chats:
        member = staff.get(turn.conn, staff_id)
        t = Translator(member.language or turn.world.default_language)
        for user_id, first_name in strangers:
            mention = f'<a href="tg://user?id={user_id}">{escape(first_name)}</a>'
            warning = channel.stranger_joined(mention, unit.name, t)
            call = reply_call(warning, chat_id, 0, lane=LANE_STAFF)
            outbox.enqueue(turn.conn, call, turn.now)
    return len(chats)
