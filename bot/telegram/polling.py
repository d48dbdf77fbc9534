"""Durable long polling: updates are stored in the inbox before Telegram is told.

Telegram considers updates received once getUpdates is called with a higher offset. We call
it with that offset only after the updates are committed to the inbox, so a crash at any
point loses nothing; a repeated update_id is ignored by the inbox, so it changes nothing.

Never silent: getUpdates is fetched as raw JSON and each update is parsed on its own
(`inbox_handler.py`, shared with the webhook), so one update python-telegram-bot cannot parse
is set aside alone and the offset moves past it. Telegram's refusals (Conflict: another
instance polls, or a webhook is set; Unauthorized: the token was revoked; RetryAfter; server
errors) are waited out with back-off and a clear log line; the heartbeat beats only when
getUpdates answers, so a refusal that lasts makes the supervisor restart the process.

Switching from the webhook (`python -m bot run --webhook`) back to polling: the poller first
calls deleteWebhook with drop_pending_updates=False, so what Telegram holds for the webhook
comes by getUpdates instead (again after a Conflict: someone set a webhook meanwhile).

`stop()` (a graceful stop) ends the loop at its next safe point: a long poll in progress is
abandoned (Telegram keeps what it did not see confirmed), the update in hand is finished, and
what is stored but not yet handled stays in the inbox for the next start.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.error import Conflict, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot.clock import Clock
from bot.ops import metrics
from bot.supervisor import Heartbeat
from bot.telegram.inbox_handler import (  # noqa: F401  (has_crisis_terms: tests import it here)
    InboxHandler,
    UpdateNotFinished,
    has_crisis_terms,
)
from storage import inbox
from storage.database import Database
from storage.worker_locks import WorkerLocks

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
BACKOFF_SECONDS = (1, 2, 4, 8, 16, 30)


class InboxPoller:
    def __init__(
        self,
        application: Application,
        database: Database,
        clock: Clock,
        long_poll_seconds: int = 25,
        heartbeat: Heartbeat | None = None,
        locks: WorkerLocks | None = None,
    ):
        self._app = application
        self._db = database
        self._clock = clock
        self._long_poll_seconds = long_poll_seconds
        self._heartbeat = heartbeat or Heartbeat("poller")
        self._inbox = InboxHandler(application, database, clock, self._heartbeat, locks)
        self._failures = 0  # getUpdates refusals in a row, for the back-off
        self._webhook_may_be_set = True  # until deleteWebhook has answered
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Take no new updates; the loop returns once the update in hand is finished."""
        self._stopping.set()
        self._inbox.stop()

    async def run(self) -> None:
        # Updates left over from before a crash, and any the last pass could not finish (the
        # database failing): handled before anything new, and tried again on every round.
        backlog = not await self._contained(self.handle_stored)
        offset = await self._db.call(inbox.last_update_id)
        offset = offset + 1 if offset is not None else None
        while not self._stopping.is_set():
            if self._webhook_may_be_set:
                await self._delete_webhook()
            raw = await self._fetch_unless_stopped(offset)
            if raw is None:
                continue
            fresh: list[dict] = []
            if raw:
                stored = await self._contained(self.store, raw, offset)
                if stored is not None:
                    offset, fresh = stored
            if fresh and not backlog:
                # Just stored and nothing older waiting: handled as fetched, not read back.
                backlog = not await self._contained(self.handle_fresh, fresh)
            elif raw or backlog:
                backlog = not await self._contained(self.handle_stored)
            if not backlog:
                self._heartbeat.beat()  # reading and handling both work

    async def _contained(self, step, *args):
        """A step that failed outside any one update (the database, say): an ERROR line and
        a pause; the loop goes on, and no beat, so a failure that lasts is noticed."""
        try:
            return await step(*args)
        except Exception as error:
            log.error("poller: %s failed: %s", step.__name__, type(error).__name__)
            await self._pause(BACKOFF_SECONDS[min(self._failures, len(BACKOFF_SECONDS) - 1)])
            self._failures += 1
            return None

    async def _delete_webhook(self) -> None:
        """Polling after the webhook: Telegram keeps what waits (drop_pending_updates=False)
        and hands it to getUpdates. A failure is only a warning: getUpdates says Conflict if a
        webhook is still set, and then this is tried again."""
        try:
            await self._app.bot.do_api_request(
                "deleteWebhook", api_kwargs={"drop_pending_updates": False}
            )
            self._webhook_may_be_set = False
        except Exception as error:
            log.warning("deleteWebhook failed: %s; getUpdates goes on", type(error).__name__)

    async def _pause(self, seconds: float) -> None:
        """A back-off that a stop cuts short."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _fetch_unless_stopped(self, offset: int | None) -> list | None:
        """`_fetch`, abandoned when a stop comes first (nothing is lost: the offset was not
        moved, so Telegram hands the same updates to the next start)."""
        fetch = asyncio.create_task(self._fetch(offset), name="getUpdates")
        stopped = asyncio.create_task(self._stopping.wait(), name="poller stop")
        try:
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            if not fetch.done():
                fetch.cancel()
                await asyncio.gather(fetch, return_exceptions=True)
        return None if fetch.cancelled() else fetch.result()

    async def _fetch(self, offset: int | None) -> list | None:
        """One getUpdates as raw JSON; None after a refusal (logged, waited out)."""
        try:
            raw = await self._app.bot.do_api_request(
                "getUpdates",
                api_kwargs={
                    "offset": offset,
                    "timeout": self._long_poll_seconds,
                    "allowed_updates": ALLOWED_UPDATES,
                },
                read_timeout=self._long_poll_seconds + 10,
            )
        except RetryAfter as error:
            metrics.too_many_requests("get_updates")
            wait = _seconds(error.retry_after)
            log.warning("getUpdates: RetryAfter; waiting %.0f s", wait)
            while wait > 0:  # a wait Telegram asked for is progress, not a hang
                self._heartbeat.beat()
                await asyncio.sleep(min(wait, 10))
                wait -= 10
            return None
        except Exception as error:
            await self._back_off(error)
            return None
        self._failures = 0
        metrics.telegram_answered()
        return raw if isinstance(raw, list) else []

    async def _back_off(self, error: Exception) -> None:
        delay = BACKOFF_SECONDS[min(self._failures, len(BACKOFF_SECONDS) - 1)]
        self._failures += 1
        name = type(error).__name__
        if isinstance(error, Conflict):
            self._webhook_may_be_set = True
            log.error(
                "getUpdates: Conflict: another instance polls with this token (or a"
                " webhook is set); retrying in %d s",
                delay,
            )
        elif isinstance(error, (Forbidden, InvalidToken)):
            log.error("getUpdates: %s: the bot token was refused; retrying in %d s", name, delay)
        elif isinstance(error, TelegramError):
            log.warning("getUpdates failed: %s; retrying in %d s", name, delay)
        else:
            log.error("getUpdates failed unexpectedly: %s; retrying in %d s", name, delay)
        await asyncio.sleep(delay)

    # What the handler does, under the names tests and the bench use.

    async def store(self, raw: list, offset: int | None) -> tuple[int | None, list[dict]]:
        return await self._inbox.store(raw, offset)

    async def handle_fresh(self, updates: list[dict]) -> bool:
        return await self._inbox.handle_fresh(updates)

    async def handle_stored(self) -> bool:
        return await self._inbox.handle_stored()


def _seconds(retry_after) -> float:
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else retry_after
