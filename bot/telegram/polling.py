"""Durable long polling: updates are stored in the inbox before Telegram is told.

Telegram considers updates received once getUpdates is called with a higher offset. We call
it with that offset only after the updates are committed to the inbox, so a crash at any
point loses nothing; a repeated update_id is ignored by the inbox, so it changes nothing.

Never silent: getUpdates is fetched as raw JSON and each update is parsed on its own, so one
update python-telegram-bot cannot parse is set aside alone (its id, top-level keys and the
error's type; never its content) and the offset moves past it. A failure while handling one
update sets that update aside and the loop goes on. Telegram's refusals (Conflict: another
instance polls; Unauthorized: the token was revoked; RetryAfter; server errors) are waited
out with back-off and a clear log line; the heartbeat beats only when getUpdates answers, so
a refusal that lasts makes the supervisor restart the process.

Updates are handled one at a time: chats with a crisis text first, then chats in turn, so one
chat's flood queues behind itself (storage.inbox.unprocessed).

`stop()` (a graceful stop) ends the loop at its next safe point: a long poll in progress is
abandoned (Telegram keeps what it did not see confirmed), the update in hand is finished, and
what is stored but not yet handled stays in the inbox for the next start.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot.clock import Clock
from bot.escalation.screening import crisis_terms_in
from bot.ops import metrics
from bot.supervisor import Heartbeat
from storage import inbox
from storage.database import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
BACKOFF_SECONDS = (1, 2, 4, 8, 16, 30)
# Updates taken from the inbox at a time, in fair order: a chat that writes while another
# floods waits for at most this many turns (a few ms each).
FAIR_BATCH = 25


class UpdateNotFinished(Exception):
    """An update whose handling stored nothing at all: it stays in the inbox."""


class InboxPoller:
    def __init__(
        self,
        application: Application,
        database: Database,
        clock: Clock,
        long_poll_seconds: int = 25,
        heartbeat: Heartbeat | None = None,
    ):
        self._app = application
        self._db = database
        self._clock = clock
        self._long_poll_seconds = long_poll_seconds
        self._heartbeat = heartbeat or Heartbeat("poller")
        self._failures = 0  # getUpdates refusals in a row, for the back-off
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Take no new updates; the loop returns once the update in hand is finished."""
        self._stopping.set()

    async def run(self) -> None:
        # Updates left over from before a crash, and any the last pass could not finish (the
        # database failing): handled before anything new, and tried again on every round.
        backlog = not await self._contained(self.handle_stored)
        offset = await self._db.call(inbox.last_update_id)
        offset = offset + 1 if offset is not None else None
        while not self._stopping.is_set():
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

    async def store(self, raw: list, offset: int | None) -> tuple[int | None, list[dict]]:
        """Store what can be stored in one transaction; returns the next offset (past every
        update seen, also the ones set aside) and the updates stored."""
        now = self._clock.now()
        good = [item for item in raw if _has_id(item)]
        for item in raw:
            if not _has_id(item):
                # Without an id an update cannot be stored or confirmed on its own: moving the
                # offset past its neighbours is all that can be done.
                log.error("update without a usable update_id set aside (keys %s)", _keys(item))
        if good:
            await self._db.transaction(
                lambda conn: inbox.add(conn, good, now, is_urgent=has_crisis_terms)
            )
            return max(item["update_id"] for item in good) + 1, good
        return offset, []

    async def handle_fresh(self, updates: list[dict]) -> bool:
        """Handle a batch just stored, in the inbox's fair order; True when all are done (an
        update that could not be finished raises, and the inbox has it for the next round)."""
        for update in inbox.fair_order(updates, has_crisis_terms):
            if self._stopping.is_set():
                return False  # the rest waits in the inbox for the next start
            await self._handle(update["update_id"], update)
            self._heartbeat.beat()
        return True

    async def handle_stored(self) -> bool:
        """Handle every update waiting in the inbox; True once none is left."""
        while True:
            stored = await self._db.call(lambda conn: inbox.unprocessed(conn, FAIR_BATCH))
            if not stored:
                return True
            for update_id, payload in stored:
                if self._stopping.is_set():
                    return False
                await self._handle(update_id, payload)
                self._heartbeat.beat()

    async def _handle(self, update_id: int, payload: dict | None) -> None:
        try:
            update = Update.de_json(payload, self._app.bot)
        except Exception as error:
            await self._set_aside(update_id, payload, error, "could not be parsed")
            return
        try:
            await self._app.process_update(update)
            if self._taken(update_id, "unfinished_updates"):
                # Nothing of it could be stored, not even the apology: leave it in the inbox
                # and pause (no beat); it is handled again, and a lasting failure restarts us.
                raise UpdateNotFinished(update_id)
            # Updates no route claimed (a group's chatter, a kind we ignore) are closed here;
            # a turn closes its own in its transaction, and then no second trip is needed.
            if not self._taken(update_id, "closed_updates"):
                await self._close(update_id)
        except UpdateNotFinished:
            raise
        except Exception as error:
            await self._set_aside(update_id, payload, error, "failed")

    def _taken(self, update_id: int, which: str) -> bool:
        """Whether the handlers put this update in one of the runtime's sets (and take it out):
        `closed_updates` (its turn closed it) or `unfinished_updates`."""
        runtime = self._app.bot_data.get("runtime")
        found = getattr(runtime, which, set())
        if update_id in found:
            found.discard(update_id)
            return True
        return False

    async def _set_aside(self, update_id: int, payload, error: Exception, what: str) -> None:
        keys = _keys(payload)
        log.error(
            "update %d %s (%s; keys %s); set aside",
            update_id,
            what,
            type(error).__name__,
            keys,
            extra={"update_id": update_id},
        )
        metrics.set_aside("update")
        now = self._clock.now()
        await self._db.transaction(
            lambda conn: inbox.set_aside(conn, update_id, keys, type(error).__name__, now)
        )

    async def _close(self, update_id: int) -> None:
        now = self._clock.now()
        await self._db.transaction(lambda conn: inbox.claim(conn, update_id, now))


def _has_id(item) -> bool:
    return isinstance(item, dict) and type(item.get("update_id")) is int


def _keys(item) -> list[str]:
    return sorted(str(key) for key in item)[:10] if isinstance(item, dict) else []


def has_crisis_terms(update: dict) -> bool:
    """Whether a raw update's text has crisis terms: its chat is then handled first."""
    for key in ("message", "edited_message"):
        message = update.get(key)
        text = message.get("text") if isinstance(message, dict) else None
        if isinstance(text, str) and crisis_terms_in(text):
            return True
    return False


def _seconds(retry_after) -> float:
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else retry_after
