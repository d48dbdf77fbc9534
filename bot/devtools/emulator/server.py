"""The emulator's HTTP face: `POST /bot<token>/<method>` on 127.0.0.1, Telegram's envelope.

A webhook set by the bot (`webhook.py`) is served from here too: getUpdates is then refused
with 409 Conflict, as by Telegram. The script runner gives each of several bot workers a base
URL of its own, `/worker<n>/bot<token>/<method>`, so the emulator knows whose request it is
(to see each worker ready, and for `@crash on-send` to kill the worker that sent). The
standalone emulator (`standalone.py`) adds its client API's routes (`extra_routes`) and may
accept any token of a bot token's shape (`token=None`).

Besides answering, the server keeps what the script runner needs to know: every request made
(for the conformance check), how many requests are open (for the idle check), how many times
the bot has polled, per worker how often it made itself reachable (getUpdates or
setWebhook: readiness), the fault queue and the armed `@crash on-send`, and, when
asked, Telegram's sending limits (`limits.py`).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.devtools.emulator.errors import ApiError
from bot.devtools.emulator.limits import TelegramLimits
from bot.devtools.emulator.methods import BotApi
from bot.devtools.emulator.params import FileUpload, Params
from bot.devtools.emulator.random_faults import RandomFaults
from bot.devtools.emulator.webhook import WEBHOOK_METHODS, Webhook
from bot.devtools.emulator.world import World, is_send_call

MAX_POLL_SECONDS = 50
HOLD_SECONDS = 120  # a `@fault timeout` call is held at most this long
UPLOAD_LIMIT = 50 * 1024 * 1024
TOKEN_SHAPE = re.compile(r"^[0-9]{3,}:[A-Za-z0-9_-]{30,}$")
_WEBHOOK_NAMES = {name.lower(): name for name in WEBHOOK_METHODS}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    params: dict[str, Any]


class EmulatorServer:
    def __init__(
        self,
        world: World,
        token: str | None,
        *,
        telegram_limits: bool = False,
        random_faults: RandomFaults | None = None,
        round_trip_seconds: float = 0.0,
        webhook_workers: list[str] | None = None,
    ):
        """`telegram_limits=True` answers 429 when the bot breaks Telegram's sending limits
        (see limits.py); off by default, so scripts are not slowed or failed by them.
        `token=None` accepts any token of a bot token's shape (the standalone emulator).
        `random_faults` fails a seeded share of send calls (random_faults.py).
        `round_trip_seconds` adds a network's round trip to every request: half before the
        request is handled (and counted against the limits), half before its answer."""
        self.world = world
        self.random_faults = random_faults
        self.on_fault: Callable[[str, str], None] | None = None  # (kind, method)
        self.round_trip_seconds = round_trip_seconds
        self.limits: TelegramLimits | None = TelegramLimits() if telegram_limits else None
        self.api = BotApi(world)
        self.webhook = Webhook(world, webhook_workers)
        self.token = token
        self.requests: list[RecordedRequest] = []
        self.open_requests = 0
        self.polls = 0
        # worker number -> getUpdates and setWebhook calls (0: the plain `/bot` URL)
        self.reachable_calls: Counter[int] = Counter()
        # Called with the worker number of the send call it crashes.
        self.on_crash_on_send: Callable[[int], None] | None = None
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0

    @property
    def api_base_url(self) -> str:
        """What the bot's TELEGRAM_API_BASE_URL is: python-telegram-bot appends the token."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}/bot"

    def worker_base_url(self, worker: int) -> str:
        """The base URL of one of several bot workers: its requests are told apart."""
        return f"{self.api_base_url.removesuffix('/bot')}/worker{worker}/bot"

    async def start(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        extra_routes: Callable[[web.Application], None] | None = None,
    ) -> None:
        """Listen on `host:port` (port 0: a free one, then in `self.port`)."""
        app = web.Application(client_max_size=UPLOAD_LIMIT)
        app.router.add_route("*", r"/bot{token}/{method}", self._handle)
        app.router.add_route("*", r"/worker{worker:\d+}/bot{token}/{method}", self._handle)
        if extra_routes is not None:
            extra_routes(app)
        # Cancel a handler when its client goes away: a held `@fault timeout` request and a
        # killed bot's long poll then end instead of counting as open.
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        if not self._token_accepted(request.match_info["token"]):
            return _reply(ApiError(401, "Unauthorized").to_api(), 401)
        method = request.match_info["method"]
        self.open_requests += 1
        try:
            await self._travel()  # on its way to Telegram
            worker = int(request.match_info.get("worker", 0))
            reply = await self._answer(method, request, worker)
            await self._travel()  # the answer on its way back
            return reply
        finally:
            self.open_requests -= 1

    async def _travel(self) -> None:
        if self.round_trip_seconds > 0:
            await asyncio.sleep(self.round_trip_seconds / 2)

    async def _answer(self, method: str, request: web.Request, worker: int) -> web.Response:
        try:
            params = Params(await _read_params(request))
            self.requests.append(RecordedRequest(method, dict(params.raw)))
            if method.lower() == "getupdates":
                self.webhook.refuse_get_updates()
                self.reachable_calls[worker] += 1
                result = await self._get_updates(params)
            elif method.lower() in _WEBHOOK_NAMES:
                name = _WEBHOOK_NAMES[method.lower()]
                result = self.webhook.call(name, params)
                if name == "setWebhook" and self.webhook.active:
                    self.reachable_calls[worker] += 1
            else:
                result = await self._call(method, params, worker)
            return _reply({"ok": True, "result": result}, 200)
        except ApiError as error:
            return _reply(error.to_api(), error.code)

    def _token_accepted(self, token: str) -> bool:
        if self.token is None:
            return bool(TOKEN_SHAPE.match(token))
        return token == self.token

    async def _call(self, method: str, params: Params, worker: int) -> Any:
        name = self.api.canonical_name(method) or method
        send_call = is_send_call(name)
        if send_call:
            fault = self._next_fault(name, params)
            if fault is not None:
                await self._fail(fault)
        if send_call and self.limits is not None:
            self.limits.admit(params.raw.get("chat_id"))
        result = self.api.call(name, params)
        if send_call and self.world.crash_on_send_armed:
            self.world.crash_on_send_armed = False
            if self.on_crash_on_send is not None:
                self.on_crash_on_send(worker)  # it dies before it reads this answer
        return result

    def _next_fault(self, method: str, params: Params) -> str | None:
        """A queued `@fault` first; else, at the random rate, a drawn one."""
        if self.world.faults:
            return self.world.faults.popleft()
        if self.random_faults is None:
            return None
        fault = self.random_faults.pick(method, dict(params.raw))
        if fault is not None and self.on_fault is not None:
            self.on_fault(fault, method)
        return fault

    async def _fail(self, fault: str) -> None:
        if fault == "429":
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if fault == "500":
            raise ApiError(500, "Internal Server Error")
        # "timeout": no answer; the client gives up and disconnects, which cancels this wait.
        await asyncio.sleep(HOLD_SECONDS)
        raise ApiError(504, "Gateway Timeout")

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        self.polls += 1
        limit = min(max(params.int("limit") or 100, 1), 100)
        timeout = min(max(params.int("timeout") or 0, 0), MAX_POLL_SECONDS)
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            self.world.allowed_updates = [str(kind) for kind in allowed] or None
        self.world.confirm_updates(params.int("offset"))
        updates = self.world.deliverable_updates(limit)
        if not updates and timeout > 0:
            self.open_requests -= 1  # a long poll that just waits is not an open request
            try:
                await self.world.wait_for_updates(timeout)
            finally:
                self.open_requests += 1
            updates = self.world.deliverable_updates(limit)
        return updates


async def _read_params(request: web.Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return raw
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON request body") from None
        if isinstance(body, dict):
            raw.update(body)
        return raw
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            size = len(value.file.read())
            raw[key] = FileUpload(key, value.filename, value.content_type, size)
        else:
            raw[key] = value
    return raw


def _reply(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
    )
