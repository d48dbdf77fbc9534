"""The emulator's webhook, as Telegram's: setWebhook, deleteWebhook, getWebhookInfo, and the
pushing of updates to the URL that was set.

With a webhook set, Telegram POSTs each update as JSON to its URL, with the header
`X-Telegram-Bot-Api-Secret-Token` when a secret token was given, and takes any 2xx answer as
received; otherwise it keeps the update and tries again later (getWebhookInfo shows the last
error). getUpdates is refused meanwhile with 409 Conflict. deleteWebhook (or setWebhook with an
empty URL) keeps the waiting updates for getUpdates unless `drop_pending_updates`.

Unlike Telegram, the emulator posts to http:// and to any port (it is for local use), one
update at a time and in order (Telegram may use up to `max_connections` at once), and retries
within seconds rather than minutes.

Several workers behind one URL: with `workers` set (the script runner's `--workers N`, the
standalone emulator's `--webhook-worker URL`), the emulator plays the load balancer in front
of the URL that was set, too: it posts to the workers' own URLs in turn (round-robin). A post
that fails (the worker is down, or answered other than 2xx) goes to the next worker at once,
as Telegram's retry would reach another worker; only when every worker failed does it pause.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import aiohttp

from bot.devtools.emulator.errors import ApiError, bad_request
from bot.devtools.emulator.params import Params
from bot.devtools.emulator.world import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_METHODS = ("setWebhook", "deleteWebhook", "getWebhookInfo")
CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first"
)
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
POST_TIMEOUT_SECONDS = 30.0
WAIT_SECONDS = 5.0  # how long the pusher rests when nothing waits (it is woken by news)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Webhook:
    def __init__(self, world: World, workers: list[str] | None = None):
        self.world = world
        self.set_workers(workers or [])
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.deliveries = 0  # updates the webhook answered with 2xx
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task | None = None
        self._session: aiohttp.ClientSession | None = None

    def set_workers(self, urls: list[str]) -> None:
        """The workers' own URLs behind the URL the bot sets, posted to in turn (none: the
        URL itself)."""
        self.workers = list(urls)
        self.deliveries_by_worker = [0] * len(self.workers)
        self._next_worker = 0

    @property
    def active(self) -> bool:
        return bool(self.url)

    def refuse_get_updates(self) -> None:
        if self.active:
            raise ApiError(409, CONFLICT)

    def call(self, method: str, params: Params) -> Any:
        if method == "setWebhook":
            return self.set(params)
        if method == "deleteWebhook":
            return self.delete(params)
        return self.info()

    def set(self, params: Params) -> bool:
        url = params.str("url") or ""
        if not url:
            return self.delete(params)  # Telegram: an empty URL removes the webhook
        if not re.match(r"^https?://[^/\s]+", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.str("secret_token")
        if secret is not None and not _SECRET.match(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            self.world.allowed_updates = [str(kind) for kind in allowed] or None
        if params.bool("drop_pending_updates"):
            self.world.updates.clear()
        self.url, self.secret = url, secret
        self.max_connections = params.int("max_connections") or 40
        self.last_error_date = self.last_error_message = None
        self._restart_pusher()
        return True

    def delete(self, params: Params) -> bool:
        self.url, self.secret = "", None
        if params.bool("drop_pending_updates"):
            self.world.updates.clear()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        return True

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if self.active:
            info["max_connections"] = self.max_connections
            if self.world.allowed_updates:
                info["allowed_updates"] = list(self.world.allowed_updates)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _restart_pusher(self) -> None:
        if self._task is not None:
            self._task.cancel()  # a post in flight may arrive twice: the bot's inbox ignores it
        self._task = asyncio.get_running_loop().create_task(self._push(), name="webhook push")

    async def _push(self) -> None:
        """Post the waiting updates one at a time, in order; an update leaves the queue only
        when the webhook answered 2xx."""
        failures = 0
        while self.active:
            waiting = self.world.deliverable_updates(1)
            if not waiting:
                await self.world.wait_for_updates(WAIT_SECONDS)
                continue
            update = waiting[0]
            if await self._deliver(update):
                failures = 0
                self.world.confirm_updates(update["update_id"] + 1)
            else:
                await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1

    async def _deliver(self, update: dict[str, Any]) -> bool:
        """Post to the URL set, or to the workers behind it in turn: a failed post goes to the
        next worker at once; False when none took it."""
        if not self.workers:
            return await self._post(self.url, update)
        for _ in range(len(self.workers)):
            worker = self._next_worker
            self._next_worker = (worker + 1) % len(self.workers)
            if await self._post(self.workers[worker], update):
                self.deliveries_by_worker[worker] += 1
                return True
        return False

    async def _post(self, url: str, update: dict[str, Any]) -> bool:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT_SECONDS)
            self._session = aiohttp.ClientSession(timeout=timeout)
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    self.deliveries += 1
                    return True
                self._failed(
                    f"Wrong response from the webhook: {response.status} {response.reason}"
                )
        except TimeoutError:
            self._failed("Read timeout expired")
        except aiohttp.ClientError:
            self._failed("Connection refused")
        return False

    def _failed(self, message: str) -> None:
        self.last_error_date = int(time.time())
        self.last_error_message = message
