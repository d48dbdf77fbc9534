"""A real database in a temp dir and the bundled programs, for driving turns without Telegram."""

import json
from datetime import UTC, datetime
from itertools import count

import pytest

from bot import router
from bot.clock import FixedClock
from bot.router import button, text
from bot.telegram.handlers import _incoming  # noqa: F401  (kept: the same parsing as production)
from bot.turn.context import TurnInput, World
from bot.turn.run import run_turn
from dialogues.types import Incoming
from storage import inbox, staff
from storage.database import connect_sync, migrate_sync, run_in_transaction
from tests.bot.commands import start
from tests.harness.bundled import bundled_programs, bundled_questionnaires
from tests.harness.databases import database_for

START = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


class Chat:
    """Drives routes the way the handlers do: an inbox row, then one transaction per turn."""

    def __init__(self, conn, world, clock):
        self.conn = conn
        self.world = world
        self.clock = clock
        self._update_ids = count(1)

    def turn(
        self,
        route,
        user_id,
        incoming,
        *,
        data=None,
        message_id=None,
        language="sv",
        chat_id=None,
        display_name=None,
    ):
        """`chat_id`: where it happens (default the person's private chat; a group's id);
        `display_name`: the person's Telegram name, as the handlers pass it."""
        update_id = next(self._update_ids)
        now = self.clock.now()
        run_in_transaction(self.conn, lambda c: inbox.add(c, [{"update_id": update_id}], now))
        turn_input = TurnInput(
            update_id=update_id,
            user_id=user_id,
            chat_id=user_id if chat_id is None else chat_id,
            language_code=language,
            incoming=incoming,
            callback_data=data,
            pressed_message_id=message_id,
            display_name=display_name,
        )
        routed = router.routed(route)  # what follows an outcome, as the handlers do
        result = run_in_transaction(
            self.conn, lambda c: run_turn(c, self.world, routed, turn_input, now)
        )
        return result, update_id

    def command(self, route, user_id, name, *args):
        return self.turn(route, user_id, Incoming(kind="command", command=name, args=args))

    def text(self, user_id, value):
        return self.turn(text, user_id, Incoming(kind="text", text=value))

    def press(self, user_id, label):
        """Press the button with this label on the newest queued message that has it."""
        for row in reversed(self.outbox(user_id)):
            markup = row["params"].get("reply_markup")
            if not markup:
                continue
            for buttons in json.loads(markup)["inline_keyboard"]:
                for candidate in buttons:
                    if candidate["text"] == label:
                        return self.turn(
                            button,
                            user_id,
                            Incoming(kind="button"),
                            data=candidate["callback_data"],
                            message_id=row["id"],
                        )
        raise AssertionError(f"no button {label!r} for {user_id}")

    def outbox(self, chat_id):
        rows = self.conn.execute(
            "SELECT id, method, payload_json FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        return [
            # a row already sent keeps no payload (storage.outbox.mark_sent): params {}
            {"id": r["id"], "method": r["method"], "params": json.loads(r["payload_json"] or "{}")}
            for r in rows
        ]

    def texts(self, chat_id):
        return [row["params"]["text"] for row in self.outbox(chat_id) if "text" in row["params"]]

    def last_text(self, chat_id):
        return self.texts(chat_id)[-1]


@pytest.fixture
def chat(tmp_path):
    conn = connect_sync(database_for(tmp_path))
    migrate_sync(conn)
    world = World(
        programs=bundled_programs(),
        questionnaires=bundled_questionnaires(),
        bot_username="ikbt_test_bot",
        invite_valid_days=14,
        default_language="sv",
        commands=router.COMMAND_LISTS,
    )
    return Chat(conn, world, FixedClock(START))


@pytest.fixture
def therapist(chat):
    """A bound therapist (Telegram user 100) in unit Växjö."""
    code = run_in_transaction(
        chat.conn,
        lambda c: staff.add_staff_role(
            c,
            name="Anna",
            role="therapist",
            unit_name="Växjö",
            telegram_user_id=None,
            now=chat.clock.now(),
        ),
    )
    chat.command(start, 100, "start", code)
    return 100
