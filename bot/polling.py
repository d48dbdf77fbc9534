"""Durable long polling: updates are stored in the inbox before Telegram is told.

Telegram considers updates received once getUpdates is called with a higher offset. We call
it with that offset only after the updates are committed to the inbox, so a crash at any
point loses nothing; a repeated update_id is ignored by the inbox, so it changes nothing.
Updates are then handled one at a time, in order, from the inbox.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application

from bot.clock import Clock
from storage import inbox
from storage.database import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class InboxPoller:
    def __init__(
        self,
        application: Application,
        database: Database,
        clock: Clock,
        long_poll_seconds: int = 25,
    ):
        self._app = application
        self._db = database
        self._clock = clock
        self._long_poll_seconds = long_poll_seconds

    async def run(self) -> None:
        await self.handle_stored()  # left over from before a crash
        offset = await self._db.call(inbox.last_update_id)
        offset = offset + 1 if offset is not None else None
        while True:
            try:
                updates = await self._app.bot.get_updates(
                    offset=offset,
                    timeout=self._long_poll_seconds,
                    allowed_updates=ALLOWED_UPDATES,
                    read_timeout=self._long_poll_seconds + 10,
                )
            except (TimedOut, NetworkError) as error:
                log.warning("getUpdates failed: %s; retrying", type(error).__name__)
                await asyncio.sleep(1)
                continue
            if not updates:
                continue
            await self._store([update.to_dict() for update in updates])
            offset = updates[-1].update_id + 1
            await self.handle_stored()

    async def handle_stored(self) -> None:
        while True:
            payloads = await self._db.call(inbox.unprocessed)
            if not payloads:
                return
            for payload in payloads:
                update = Update.de_json(payload, self._app.bot)
                await self._app.process_update(update)
                # Updates no route claimed (a group's chatter, a kind we ignore) are closed here.
                await self._close(update.update_id)

    async def _store(self, payloads: list[dict]) -> None:
        now = self._clock.now()
        await self._db.transaction(lambda conn: inbox.add(conn, payloads, now))

    async def _close(self, update_id: int) -> None:
        now = self._clock.now()
        await self._db.transaction(lambda conn: inbox.claim(conn, update_id, now))
