from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import World

TOKEN = "123456789:AAEmulatorDemoTokenNotForRealUse_000"


class Harness:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
        self.world = World(bot_id=123456789, now=lambda: self.now)
        self.server = EmulatorServer(self.world, TOKEN)
        self.bot: Bot | None = None

    async def start(self) -> Bot:
        await self.server.start()
        request = HTTPXRequest(read_timeout=2, connect_timeout=2)
        self.bot = Bot(TOKEN, base_url=self.server.api_base_url, request=request)
        await self.bot.initialize()
        return self.bot


@pytest.fixture
async def emulator():
    harness = Harness()
    await harness.start()
    try:
        yield harness
    finally:
        await harness.bot.shutdown()
        await harness.server.stop()
