"""Routes for the bot's own membership (my_chat_member): blocked or unblocked by a person, or
added to or removed from a group (a unit's therapist channel, or a group to register)."""

from __future__ import annotations

from bot.escalation import alerts
from bot.reminders import reachability
from bot.turn.context import Turn
from dialogues import channel
from dialogues.types import Outcome, then_open

DIALOGUE = "membership"  # stateless: a fact about the chat, never a question


def membership(turn: Turn) -> Outcome:
    """my_chat_member: in a private chat 'kicked' is a block and 'member' an unblock; for a
    unit's therapist channel, removal means alerts go privately until the bot is back; added
    to any other group, the bot says how to register it as a channel."""
    status = turn.incoming.text
    chat_id = turn.input.chat_id
    if chat_id < 0:
        if status in ("left", "kicked"):
            alerts.channel_lost(turn.conn, chat_id, turn.now)
        elif status in ("member", "administrator"):
            alerts.channel_back(turn.conn, chat_id, turn.now)
            return then_open(channel.DIALOGUE, "bot_added")  # a new group: how to register it
    elif status == "kicked":
        reachability.mark_unreachable(turn.conn, chat_id, turn.now)
    elif status == "member":
        reachability.mark_reachable(turn.conn, chat_id, turn.now)
    return Outcome()
