"""The sender: one loop that drains the outbox into Telegram.

Rows are taken by lane (safety first, then replies, staff messages, reminders) and, within a
chat, strictly in the order they were queued. Each row is marked 'sending' before the call
and 'sent' with Telegram's message id after it, each in its own transaction, so a crash in
between leaves a row that `recover_after_crash` decides on at the next start.

Telegram's limits (bot/rate_limits.py) are kept before each call: a chat over its limit is
passed over, its rows staying 'pending' and due, and other chats go meanwhile; sends are
spaced to the overall limit. The outbox is read in batches, one query per lane, so a safety
alert is found at once however many reminders wait; a wake (a new row) looks again.

Transport waits (RetryAfter, back-off, rate limits) are real time, not the bot's clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot import charts
from bot.clock import Clock
from bot.escalation.alerts import channel_lost, delivered
from bot.rate_limits import RateLimiter
from bot.reminders.reachability import mark_unreachable
from bot.rendering import as_document_upload
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
CANDIDATES_PER_LANE = 100  # rows found per lane in one look at the outbox
CANDIDATES_MAX_AGE = 0.5  # seconds (real) before looking again while busy


class Sender:
    def __init__(
        self,
        bot: Bot,
        database: Database,
        clock: Clock,
        poll_interval: float,
        limiter: RateLimiter | None = None,
    ):
        self._bot = bot
        self._db = database
        self._clock = clock
        self._poll_interval = poll_interval
        self._limiter = limiter or RateLimiter()
        self._wake = asyncio.Event()
        self._held_chats: dict[int, float] = {}  # chat -> monotonic time it may send again
        self._paused_until = 0.0  # a global RetryAfter
        # Rows found by the last look at the outbox, best first: (lane to treat it in, row).
        # Each is the head of its chat; looked at again on wake, after anything but a plain
        # send, when the chat just sent to has more, or after CANDIDATES_MAX_AGE.
        self._candidates: list[tuple[int, OutboxRow]] = []
        self._candidates_at = float("-inf")
        self._stale = True

    def wake(self) -> None:
        self._stale = True
        self._wake.set()

    async def recover(self) -> None:
        repeated, dropped = await self._db.transaction(
            lambda conn: outbox.recover_after_crash(conn, self._clock.now())
        )
        if repeated or dropped:
            log.warning("outbox recovery: %d repeated, %d not repeated", repeated, dropped)

    async def run(self) -> None:
        while True:
            row, wait = await self._next_row()
            if row is None:
                await self._sleep(wait)
                continue
            await self._send(row)

    async def _sleep(self, seconds: float | None = None) -> None:
        self._wake.clear()
        timeout = self._poll_interval if seconds is None else min(seconds, self._poll_interval)
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=max(timeout, 0.001))
        except TimeoutError:
            pass

    async def _next_row(self) -> tuple[OutboxRow | None, float | None]:
        """The row to send now, claimed ('sending'); or None and how long to wait at most.

        A row its chat's limit holds back stays 'pending' and due (never moved to a later
        time): the outbox shows it as work to do, and it goes as soon as the limit allows."""
        now_real = time.monotonic()
        if now_real < self._paused_until:
            return None, self._paused_until - now_real
        overall = self._limiter.overall_wait()
        if overall > 0 and self._candidates:
            return None, overall  # the next send slot is not open yet
        self._held_chats = {c: t for c, t in self._held_chats.items() if t > now_real}
        if (
            self._stale
            or not self._candidates
            or (now_real - self._candidates_at > CANDIDATES_MAX_AGE)
        ):
            await self._look()
        for index, (lane, row) in enumerate(self._candidates):
            if row.chat_id in self._held_chats:
                continue
            wait = self._limiter.wait(row.chat_id, lane, row.method)
            if wait > 0:
                if self._limiter.chat_wait(row.chat_id, lane) > 0:
                    continue  # this chat is held; a later chat may go
                return None, wait  # only the overall slot: keep the order, wait for it
            del self._candidates[index]
            now = self._clock.now()
            claimed = await self._db.transaction(
                lambda conn, row=row, now=now: outbox.claim(conn, row, now)
            )
            if claimed:
                return row, None
            self._stale = True
            return None, 0.0
        if self._candidates:
            self._stale = True  # every chat found is held: look past them next time
        waits = [until - now_real for until in self._held_chats.values()]
        release = self._limiter.next_release()
        if release is not None:
            waits.append(release)
        return None, min(waits) if waits else None

    async def _look(self) -> None:
        blocked, blocked_above_safety = self._limiter.blocked_chats()
        blocked |= set(self._held_chats)
        now = self._clock.now()
        self._candidates = await self._db.call(
            lambda conn: outbox.due_heads(
                conn,
                now,
                blocked=blocked,
                blocked_above_safety=blocked_above_safety,
                per_lane=CANDIDATES_PER_LANE,
            )
        )
        self._candidates_at = time.monotonic()
        self._stale = False

    async def _send(self, row: OutboxRow) -> None:
        params = dict(row.params)
        params.pop(outbox.REPEAT_NOTE, None)  # ours, not Telegram's
        if row.method not in _NO_CHAT_PARAM:
            params["chat_id"] = row.chat_id
        if row.status == "pending" and row.attempts > 0 and row.repeat_if_unsure:
            log.info("outbox %d: repeating after an uncertain send", row.id)
        try:
            params = await charts.as_upload(params)  # a chart is drawn only when it is sent
            params = as_document_upload(params)
            result = await self._call(row, params)
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
            return
        self._stale = True  # anything but a plain send: look at the outbox afresh

    async def _call(self, row: OutboxRow, params: dict):
        self._limiter.started(row.method)
        try:
            return await self._bot.do_api_request(row.method, api_kwargs=params)
        finally:
            # Counted once the answer (or error) is back: see bot/rate_limits.py.
            self._limiter.record(row.chat_id, row.method)

    async def _retry(self, row: OutboxRow, reason: str, *, hold: bool) -> None:
        if hold:
            delay = BACKOFF_SECONDS[min(row.attempts, len(BACKOFF_SECONDS) - 1)]
            self._held_chats[row.chat_id] = time.monotonic() + delay
        await self._db.transaction(
            lambda conn: outbox.retry_later(conn, row.id, self._clock.now(), reason)
        )

    async def _finish_sent(self, row: OutboxRow, message_id: int | None) -> None:
        now = self._clock.now()

        def record(conn):
            outbox.mark_sent(conn, row, message_id, now)
            delivered(conn, row.id)  # a flag's alert reached someone
            return row.chat_id is not None and outbox.chat_has_due(conn, row.chat_id, now)

        if await self._db.transaction(record):
            self._stale = True  # the chat's next row is due: find it in its lane

    async def _finish_forbidden(self, row: OutboxRow) -> None:
        """The chat is closed to the bot: this row fails; a patient becomes unreachable, and
        a lost therapist channel sends its alerts privately instead."""
        now = self._clock.now()

        def record(conn):
            outbox.mark_failed(conn, row, "forbidden", now)
            if not channel_lost(conn, row.chat_id, now):
                mark_unreachable(conn, row.chat_id, now)

        await self._db.transaction(record)
        self.wake()

    async def _finish_failed(self, row: OutboxRow, reason: str) -> None:
        await self._db.transaction(
            lambda conn: outbox.mark_failed(conn, row, reason, self._clock.now())
        )


def _seconds(retry_after) -> float:
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else retry_after
