"""Updates from the inbox to their turns: what the poller and the webhook share.

Both ways in (long polling, `polling.py`; the webhook, `webhook.py`) store an update in the
inbox before Telegram is told it arrived, and then hand it on here. Handling is one update at
a time: chats with a crisis text first, then chats in turn, within a chat in order
(storage.inbox.unprocessed / fair_order), so one chat's flood queues behind itself.

Several workers on one PostgreSQL database (webhook workers behind one URL) share the inbox:
a worker handles an update only while it holds the chat's turn lock
(storage/worker_locks.py: tried, never waited for) and only when the update is the chat's
oldest waiting one. So a chat's updates are turned one at a time and in order across the
workers; a worker that finds the chat taken skips it, and the worker that has it reads the
inbox again when done and drains it. A worker that dies mid-turn leaves its update waiting
(the turn's transaction rolls back, the lock goes with its connection): the next worker to
read the inbox (on the next post, or its periodic pass) turns it. The turn's own claim in
its transaction (storage.inbox.claim) still makes a repeat change nothing.

Never silent: each update is parsed on its own, so one that python-telegram-bot cannot parse
is set aside alone (its id, top-level keys and the error's type; never its content); a
failure while handling one update sets that update aside and the next goes on. An update of
which nothing at all could be stored raises `UpdateNotFinished` and stays in the inbox: the
loop calling us pauses and tries again.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from bot.escalation.screening import crisis_terms_in
from bot.ops import metrics
from bot.supervisor import Heartbeat
from storage import inbox
from storage.database import Database
from storage.worker_locks import WorkerLocks

log = logging.getLogger(__name__)

# Updates taken from the inbox at a time, in fair order: a chat that writes while another
# floods waits for at most this many turns (a few ms each).
FAIR_BATCH = 25


class UpdateNotFinished(Exception):
    """An update whose handling stored nothing at all: it stays in the inbox."""


# What became of one update a worker set out to handle.
HANDLED = "handled"  # handled now, or found handled already (by another worker)
BUSY = "busy"  # another worker is handling its chat: that worker drains the chat
BEHIND = "behind"  # an older update of its chat waits: read the inbox again, in order


class InboxHandler:
    def __init__(
        self,
        application: Application,
        database: Database,
        clock: Clock,
        heartbeat: Heartbeat,
        locks: WorkerLocks | None = None,
    ):
        self._app = application
        self._db = database
        self._clock = clock
        self._heartbeat = heartbeat
        if locks is None:
            if database.dialect != "sqlite":  # several workers may share it: never unlocked
                raise ValueError("a shared database needs the worker's locks")
            locks = WorkerLocks.single_process()
        self._locks = locks
        self._stopping = False

    def stop(self) -> None:
        """A graceful stop: finish the update in hand and handle no more; what is stored and
        not yet handled stays in the inbox for the next start."""
        self._stopping = True

    async def store(self, raw: list, offset: int | None) -> tuple[int | None, list[dict]]:
        """Store what can be stored in one transaction; returns the next offset (past every
        update seen, also the ones set aside) and the updates stored."""
        now = self._clock.now()
        good = [item for item in raw if has_id(item)]
        for item in raw:
            if not has_id(item):
                # Without an id an update cannot be stored or confirmed on its own: moving the
                # offset past its neighbours is all that can be done.
                log.error("update without a usable update_id set aside (keys %s)", keys_of(item))
        if good:
            await self._db.transaction(
                lambda conn: inbox.add(conn, good, now, is_urgent=has_crisis_terms)
            )
            return max(item["update_id"] for item in good) + 1, good
        return offset, []

    async def handle_fresh(self, updates: list[dict]) -> bool:
        """Handle a batch just stored, in the inbox's fair order; True when all are done (an
        update that could not be finished raises, and the inbox has it for the next round;
        one whose chat is not this worker's to turn now is left to `handle_stored`)."""
        for update in inbox.fair_order(updates, has_crisis_terms):
            if self._stopping:
                return False  # the rest waits in the inbox for the next start
            if await self._turn(update["update_id"], update) != HANDLED:
                return False
            self._heartbeat.beat()
        return True

    async def handle_stored(self) -> bool:
        """Handle every update waiting in the inbox that is this worker's to handle; True once
        none is left but those of chats another worker is handling (that worker reads the
        inbox again once done, so it drains them; a periodic pass picks up after a worker
        that died)."""
        busy: set[int] = set()
        while True:
            stored = await self._db.call(
                lambda conn: inbox.unprocessed(conn, FAIR_BATCH, skip_chats=busy)
            )
            if not stored:
                return True
            behind: set[int] = set()
            for update_id, payload in stored:
                if self._stopping:
                    return False
                chat = inbox.chat_of(payload) if isinstance(payload, dict) else None
                if chat in busy or chat in behind:
                    continue
                done = await self._turn(update_id, payload)
                if done == BUSY:
                    busy.add(chat)
                elif done == BEHIND:
                    behind.add(chat)
                self._heartbeat.beat()

    async def _turn(self, update_id: int, payload: dict | None) -> str:
        """Handle one update if it is this worker's to handle: on a shared database only while
        holding its chat's turn lock, and only when it is the chat's oldest waiting update
        (read after the lock was taken, so what another worker finished is seen). One process
        alone (SQLite) asks neither: it handles its chats one update at a time, in order."""
        chat = inbox.chat_of(payload) if isinstance(payload, dict) else None
        if chat is None or not self._locks.shared:
            await self._handle(update_id, payload)
            return HANDLED
        async with self._locks.chat(chat) as ours:
            if not ours:
                return BUSY
            first = await self._db.call(lambda conn: inbox.first_waiting(conn, chat))
            if first is None or first > update_id:
                return HANDLED  # by another worker, since we read it
            if first < update_id:
                return BEHIND
            await self._handle(update_id, payload)
            return HANDLED

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
        keys = keys_of(payload)
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


# SQLite's integers are 64-bit: an id outside them cannot be stored, so it is no usable id
# (one such update must not fail the store of every update beside it, again and again).
_SQLITE_INTEGERS = range(-(2**63), 2**63)


def has_id(item) -> bool:
    if not isinstance(item, dict):
        return False
    update_id = item.get("update_id")
    return type(update_id) is int and update_id in _SQLITE_INTEGERS


def keys_of(item) -> list[str]:
    return sorted(str(key) for key in item)[:10] if isinstance(item, dict) else []


def has_crisis_terms(update: dict) -> bool:
    """Whether a raw update's text has crisis terms: its chat is then handled first."""
    for key in ("message", "edited_message"):
        message = update.get(key)
        text = message.get("text") if isinstance(message, dict) else None
        if isinstance(text, str) and crisis_terms_in(text):
            return True
    return False
