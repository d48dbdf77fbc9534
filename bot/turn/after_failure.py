"""A risk signal survives any bug.

When a route fails, its transaction is rolled back, and with it any flag the route would
have raised. So, in a transaction of its own, the update is read again for what matters most:
crisis terms in the text the person sent, and a questionnaire answer that meets its item's
risk rule. A flag is raised, the alert goes out and the patient gets the safety message, as if
the route had worked; the apology that follows keeps the crisis contacts (bot/turn/run.py).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot import router
from bot.escalation import screening
from bot.render.calls import parse_callback_data, reply_call
from bot.turn.context import Turn, TurnInput, World
from bot.turn.run import open_turn
from dialogues.types import Reply
from storage import outbox


def raise_what_the_update_carried(
    conn: sqlite3.Connection, world: World, turn_input: TurnInput, now: datetime
) -> bool:
    """Run in its own transaction after a turn failed; True when a flag was raised."""
    turn = open_turn(conn, world, turn_input, now)
    replies = _safety_replies(turn)
    for reply in replies:
        outbox.enqueue(conn, reply_call(reply, turn_input.chat_id, 0), now)
    return bool(replies)


def _safety_replies(turn: Turn) -> tuple[Reply, ...]:
    incoming = turn.incoming
    if incoming.kind in ("text", "edited", "command") and incoming.text:
        safety = screening.screen_text(turn, incoming.text)
        return safety.replies if safety else ()
    if incoming.kind == "button":
        return screening.flag_risk_events(turn, _risk_events(turn))
    return ()


def _risk_events(turn: Turn):
    parsed = parse_callback_data(turn.input.callback_data)
    if parsed is None or turn.patient is None:
        return ()
    revision, action = parsed
    if revision != turn.state.revision:
        return ()  # a stale press records nothing, so it carries no answer
    return router.risk_events_of_press(turn, action)
