"""The sender: one loop that drains the outbox into Telegram.

Rows are taken by lane (safety first, then replies, staff messages, reminders) and, within a
chat, strictly in the order they were queued. Each row is marked 'sending' before the call
and 'sent' with Telegram's message id after it, each in its own transaction, so a crash in
between leaves a row that `recover_after_crash` decides on at the next start.

Transport waits (RetryAfter, back-off) are real time, not the bot's clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.reminders.reachability import mark_unreachable
from storage import outbox
from storage.database import Database
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

# The outbox stores Bot API method names, so the sender calls them generically on purpose.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

# Methods whose parameters hold no chat_id (the row's chat only orders them).
_NO_CHAT_PARAM = frozenset({"setMyCommands", "deleteMyCommands"})
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (1, 2, 4, 8, 16, 30)


class Sender:
    def __init__(self, bot: Bot, database: Database, clock: Clock, poll_interval: float):
        self._bot = bot
        self._db = database
        self._clock = clock
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._held_chats: dict[int, float] = {}  # chat -> monotonic time it may send again
        self._paused_until = 0.0  # a global RetryAfter

    def wake(self) -> None:
        self._wake.set()

    async def recover(self) -> None:
        repeated, dropped = await self._db.transaction(
            lambda conn: outbox.recover_after_crash(conn, self._clock.now())
        )
        if repeated or dropped:
            log.warning("outbox recovery: %d repeated, %d not repeated", repeated, dropped)

    async def run(self) -> None:
        while True:
            row = await self._next_row()
            if row is None:
                await self._sleep()
                continue
            await self._send(row)

    async def _sleep(self) -> None:
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)
        except TimeoutError:
            pass

    async def _next_row(self) -> OutboxRow | None:
        now_real = time.monotonic()
        if now_real < self._paused_until:
            return None
        held = {chat for chat, until in self._held_chats.items() if until > now_real}
        self._held_chats = {chat: until for chat, until in self._held_chats.items() if chat in held}
        now = self._clock.now()

        def take(conn):
            row = outbox.next_due(conn, now, held)
            if row is not None:
                outbox.mark_sending(conn, row.id)
            return row

        return await self._db.transaction(take)

    async def _send(self, row: OutboxRow) -> None:
        params = dict(row.params)
        if row.method not in _NO_CHAT_PARAM:
            params["chat_id"] = row.chat_id
        if row.status == "pending" and row.attempts > 0 and row.repeat_if_unsure:
            log.info("outbox %d: repeating after an uncertain send", row.id)
        try:
            result = await self._bot.do_api_request(row.method, api_kwargs=params)
        except RetryAfter as error:
            self._paused_until = time.monotonic() + _seconds(error.retry_after)
            await self._retry(row, "retry_after", hold=False)
        except ChatMigrated as migrated:
            new_chat_id = migrated.new_chat_id
            await self._db.transaction(
                lambda conn: outbox.move_chat(conn, row.chat_id, new_chat_id)
            )
        except Forbidden:
            log.warning("outbox %d: forbidden (blocked or removed) chat", row.id)
            await self._finish_forbidden(row)
        except BadRequest as error:
            if "message is not modified" in error.message:
                await self._finish_sent(row, None)
            else:
                log.error("outbox %d: %s rejected: %s", row.id, row.method, error.message)
                await self._finish_failed(row, "bad_request")
        except (TimedOut, NetworkError) as error:
            log.warning("outbox %d: %s, attempt %d", row.id, type(error).__name__, row.attempts + 1)
            if row.attempts + 1 >= MAX_ATTEMPTS:
                await self._finish_failed(row, "network")
            else:
                await self._retry(row, type(error).__name__, hold=True)
        else:
            message_id = result.get("message_id") if isinstance(result, dict) else None
            await self._finish_sent(row, message_id)

    async def _retry(self, row: OutboxRow, reason: str, *, hold: bool) -> None:
        if hold:
            delay = BACKOFF_SECONDS[min(row.attempts, len(BACKOFF_SECONDS) - 1)]
            self._held_chats[row.chat_id] = time.monotonic() + delay
        await self._db.transaction(
            lambda conn: outbox.retry_later(conn, row.id, self._clock.now(), reason)
        )

    async def _finish_sent(self, row: OutboxRow, message_id: int | None) -> None:
        await self._db.transaction(
            lambda conn: outbox.mark_sent(conn, row, message_id, self._clock.now())
        )

    async def _finish_forbidden(self, row: OutboxRow) -> None:
        """The person blocked the bot: this row fails, and a patient becomes unreachable."""
        now = self._clock.now()

        def record(conn):
            outbox.mark_failed(conn, row, "forbidden", now)
            mark_unreachable(conn, row.chat_id, now)

        await self._db.transaction(record)
        self.wake()

    async def _finish_failed(self, row: OutboxRow, reason: str) -> None:
        await self._db.transaction(
            lambda conn: outbox.mark_failed(conn, row, reason, self._clock.now())
        )


def _seconds(retry_after) -> float:
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else retry_after
