"""Webhook mode (`python -m bot run --webhook`): Telegram posts each update to us.

Our own small aiohttp handler, not python-telegram-bot's (which answers 200 before anything is
stored): every request must carry the secret token in `X-Telegram-Bot-Api-Secret-Token`
(compared in constant time; 401 without it, 403 when wrong, and nothing is stored). The raw
JSON is stored in the inbox exactly as the poller stores a getUpdates batch
(`inbox_handler.py`); only then is 200 answered, so Telegram forgets an update only once we
have it. A body that is not a JSON object is 400; an update without a usable update_id is set
aside with an ERROR line and answered 200 (as the poller moves its offset past it); a failure
to store is 500, and Telegram posts the update again.

Handling is the poller's: the loop here takes what waits in the inbox in fair order (crisis
chats first, then chats in turn, one chat in order). Telegram posts a chat's next update only
after the previous one was answered, and we answer only once it is stored, so the inbox has a
chat's updates in order.

Several workers behind one URL (PostgreSQL) store whatever reaches them and share the
handling through the inbox (inbox_handler.py: a chat's turn lock, its oldest update first);
the loop's pass every REST_SECONDS picks up what a worker that died left waiting.

At start: what is stored and unhandled is handled first, then we listen, then setWebhook with
the allowed updates (the poller's list), the secret and drop_pending_updates=False, so
switching from polling loses nothing (and polling's start calls deleteWebhook likewise). The
loop beats its heartbeat after every pass that left nothing waiting, and at rest every
REST_SECONDS; a setWebhook that keeps failing, or an inbox that cannot be read, does not beat,
so the supervisor restarts the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web
from telegram.ext import Application

from bot.clock import Clock
from bot.supervisor import Heartbeat
from bot.telegram.inbox_handler import InboxHandler
from bot.telegram.polling import ALLOWED_UPDATES
from storage.database import Database
from storage.worker_locks import WorkerLocks

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BACKOFF_SECONDS = (1, 2, 4, 8, 16, 30)
REST_SECONDS = 10.0  # the loop wakes at least this often without posts, to beat
BODY_LIMIT = 1024 * 1024  # an update is a few kB; Telegram sends no files in it
# On stop, posts in flight may finish storing for this long (a store takes milliseconds); one
# cut off is not answered, so Telegram posts it again. Docker stops a container after 10 s.
SHUTDOWN_SECONDS = 2.0


class WebhookReceiver:
    def __init__(
        self,
        application: Application,
        database: Database,
        clock: Clock,
        *,
        url: str,
        listen: str,
        port: int,
        secret: str,
        heartbeat: Heartbeat | None = None,
        locks: WorkerLocks | None = None,
    ):
        self._app = application
        self._url = url
        self._listen = listen
        self._port = port
        self._secret = secret.encode()
        self._heartbeat = heartbeat or Heartbeat("webhook")
        self._inbox = InboxHandler(application, database, clock, self._heartbeat, locks)
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._failures = 0
        self._stopping = False
        self._stopped = asyncio.Event()  # cuts a back-off short
        self.port = port  # the port listened on (when `port` was 0: the one chosen)

    @property
    def path(self) -> str:
        """The path we serve: the public URL's (a proxy passes it on unchanged)."""
        return urlsplit(self._url).path or "/"

    def stop(self) -> None:
        """A graceful stop: finish the update in hand, answer no more posts (Telegram sends
        them again to the next instance), and return."""
        self._stopping = True
        self._inbox.stop()
        self._arrived.set()
        self._stopped.set()

    async def run(self) -> None:
        await self._contained(self._inbox.handle_stored)  # what waited from before, first
        await self._serve()
        try:
            while not self._stopping and not await self._contained(self._set_webhook):
                pass
            while not self._stopping:
                self._arrived.clear()
                if await self._contained(self._inbox.handle_stored):
                    self._heartbeat.beat()
                try:
                    await asyncio.wait_for(self._arrived.wait(), timeout=REST_SECONDS)
                except TimeoutError:
                    pass
        finally:
            await self._stop_serving()

    async def _serve(self) -> None:
        app = web.Application(client_max_size=BODY_LIMIT)
        app.router.add_post(self.path, self.receive)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._listen, self._port).start()
        self.port = self._runner.addresses[0][1]
        log.info("webhook: listening on %s:%d%s", self._listen, self.port, self.path)

    async def _stop_serving(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _set_webhook(self) -> bool:
        await self._app.bot.set_webhook(
            url=self._url,
            secret_token=self._secret.decode(),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            # One post at a time: a chat's updates then reach the inbox in order whatever
            # Telegram does with parallel connections. Each post is answered once stored (a few
            # milliseconds), not once handled, so one connection keeps up.
            max_connections=1,
        )
        log.info("webhook: set with Telegram")
        return True

    async def receive(self, request: web.Request) -> web.Response:
        """One post from Telegram: checked, stored, then answered 200."""
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            log.warning("webhook: a post without the secret token refused")
            return web.Response(status=401)
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self._secret):
            log.warning("webhook: a post with a wrong secret token refused")
            return web.Response(status=403)
        try:
            update = json.loads(await request.read())
        except (ValueError, RecursionError):  # RecursionError: nested too deep to read
            log.error("webhook: a post whose body is not JSON refused")
            return web.Response(status=400)
        if not isinstance(update, dict):
            log.error("webhook: a post whose body is not a JSON object refused")
            return web.Response(status=400)
        try:
            await self._inbox.store([update], None)
        except Exception as error:  # Telegram posts it again: nothing is lost
            log.error("webhook: an update could not be stored (%s)", type(error).__name__)
            return web.Response(status=500)
        self._arrived.set()
        return web.Response(status=200)

    async def _contained(self, step) -> bool:
        """A step that failed (the database, Telegram): an ERROR line and a pause, no beat."""
        try:
            await step()
        except Exception as error:
            delay = BACKOFF_SECONDS[min(self._failures, len(BACKOFF_SECONDS) - 1)]
            self._failures += 1
            log.error(
                "webhook: %s failed: %s; again in %d s", step.__name__, type(error).__name__, delay
            )
            with contextlib.suppress(TimeoutError):  # a stop ends the pause
                await asyncio.wait_for(self._stopped.wait(), timeout=delay)
            return False
        self._failures = 0
        return True
