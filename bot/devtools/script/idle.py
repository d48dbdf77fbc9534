"""Waiting until the bot is idle: every update confirmed, no request open but a waiting long
poll, every worker of the bot polling (or, on the webhook, having set it since it started),
and no work left in its database at the fake now. It must hold on two checks in a row; a bot
that is not idle within the time limit fails the script."""

from __future__ import annotations

import asyncio
import time

from bot.devtools.bot_database import DATABASE_ERRORS, BotDatabase
from bot.devtools.bot_workers import BotWorkers
from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.fake_clock import FakeClock

IDLE_TIMEOUT_SECONDS = 60.0
PRESS_ANSWER_SECONDS = 5.0
CHECK_INTERVAL_SECONDS = 0.01


class NotIdle(Exception):
    pass


class IdleWatch:
    def __init__(
        self,
        *,
        server: EmulatorServer,
        bot: BotWorkers,
        database: BotDatabase,
        clock: FakeClock,
        timeout: float = IDLE_TIMEOUT_SECONDS,
    ):
        self.server = server
        self.bot = bot
        self.database = database
        self.clock = clock
        self.timeout = timeout

    def busy_with(self) -> list[str]:
        """Why the bot is not idle now; empty when it is."""
        if not self.bot.ready:
            return ["the bot (every worker) has not polled or set its webhook yet"]
        reasons = []
        if self.server.world.updates:
            reasons.append(f"{len(self.server.world.updates)} update(s) not yet confirmed")
        if self.server.open_requests:
            reasons.append(f"{self.server.open_requests} request(s) to the emulator open")
        if self.bot.plan.uses_webhook and (waiting := self._presses_being_turned()):
            reasons.append(f"{waiting} button press(es) not yet answered")
        try:
            pending = self.database.pending_work(self.clock.now)
        except DATABASE_ERRORS as error:  # e.g. locked for longer than the busy timeout
            return [*reasons, f"its database could not be read ({error})"]
        if pending:
            reasons.append(f"{pending} thing(s) to do in its database (pending_work)")
        return reasons

    def _presses_being_turned(self) -> int:
        """On the webhook a post is answered once the update is stored, before its turn, so
        a stored press may still be in its turn, whose toast comes after the turn's commit:
        recent presses not yet answered (an older one never will be, e.g. its worker died)."""
        now = time.monotonic()
        return sum(
            1
            for query in self.server.world.callback_queries.values()
            if not query.answered and now - query.pressed_at < PRESS_ANSWER_SECONDS
        )

    async def wait(self) -> None:
        """Return once idle; raise NotIdle after the time limit, BotExited if the bot died."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        calm_checks = 0
        while True:
            await self.bot.supervise()
            reasons = self.busy_with()
            calm_checks = 0 if reasons else calm_checks + 1
            if calm_checks >= 2:
                return
            if loop.time() > deadline:
                raise NotIdle(
                    f"the bot was not idle within {self.timeout:g} s: {'; '.join(reasons)}"
                )
            await asyncio.sleep(CHECK_INTERVAL_SECONDS)
