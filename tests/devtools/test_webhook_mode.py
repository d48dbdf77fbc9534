"""Webhook mode end to end: the standalone emulator (`python -m bot emulator`) and the real bot
(`python -m bot run --webhook`), each a process of its own, talking HTTP as with Telegram."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.devtools.bot_process import REPO_ROOT, BotProcess

pytestmark = pytest.mark.scripts

TOKEN = "123456789:AAWebhookTestTokenNotForRealUse_0001"
SECRET = "webhook-test-secret-0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WAIT_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Rig:
    """The emulator's process, the bot's process (polling or webhook) and an HTTP client."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.db_path = tmp_path / "bot.sqlite3"
        self.webhook_port = _free_port()
        self.webhook_url = f"http://127.0.0.1:{self.webhook_port}/telegram/updates"
        self.emulator: asyncio.subprocess.Process | None = None
        self.base_url = ""
        self.client: aiohttp.ClientSession | None = None
        self.bot: BotProcess | None = None

    async def start_emulator(self) -> None:
        self.emulator = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "emulator",
            "--port",
            "0",
            cwd=str(REPO_ROOT),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert self.emulator.stdout is not None
        first = await asyncio.wait_for(self.emulator.stdout.readline(), WAIT_SECONDS)
        self.base_url = first.decode().strip()
        assert self.base_url.startswith("http://127.0.0.1:") and self.base_url.endswith("/bot")
        self.client = aiohttp.ClientSession()

    @property
    def api(self) -> str:
        return self.base_url.removesuffix("/bot") + "/_emulator"

    async def start_bot(self, *, webhook: bool) -> None:
        env = dict(os.environ)
        for name in ("FAKE_CLOCK_FILE", "PROGRAMS_DIR", "TRANSPORT_SPEEDUP"):
            env.pop(name, None)
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": self.base_url,
                "DATABASE_PATH": str(self.db_path),
                "TICK_INTERVAL_SECONDS": "0.2",
                "TELEGRAM_REQUEST_TIMEOUT_SECONDS": "5",
                "WEBHOOK_URL": self.webhook_url,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(self.webhook_port),
                "WEBHOOK_SECRET": SECRET,
                "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
            }
        )
        command = [sys.executable, "-m", "bot", "run", *(["--webhook"] if webhook else [])]
        self.bot = BotProcess(
            command=command, env=env, log_path=self.tmp_path / "bot.log", polls=lambda: 0
        )
        await self.bot.start()
        if webhook:
            await self.until(lambda status: status["webhook"]["url"] == self.webhook_url)
        else:
            await self.until(lambda status: status["polls"] > 0 and not status["webhook"]["url"])

    async def stop_bot(self) -> None:
        assert self.bot is not None
        await self.bot.stop()

    async def close(self) -> None:
        if self.bot is not None:
            await self.bot.stop()
        if self.client is not None:
            await self.client.close()
        if self.emulator is not None and self.emulator.returncode is None:
            self.emulator.terminate()
            await self.emulator.wait()

    async def status(self) -> dict:
        async with self.client.get(f"{self.api}/status") as response:
            return await response.json()

    async def until(self, holds, what: str = "the emulator's status") -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            status = await self.status()
            if holds(status):
                return
            if self.bot is not None and self.bot.started and not self.bot.alive:
                pytest.fail(f"the bot exited:\n{self.bot.log_tail(30)}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting on {what}: {status}\n{self.bot.log_tail(30)}")
            await asyncio.sleep(0.1)

    async def send(self, user: str, text: str) -> int:
        async with self.client.post(
            f"{self.api}/send", json={"user": user, "text": text}
        ) as response:
            assert response.status == 200, await response.text()
            return (await response.json())["update_id"]

    async def messages(self, chat: str) -> list[dict]:
        async with self.client.get(f"{self.api}/messages", params={"chat": chat}) as response:
            return (await response.json())["messages"]

    async def answered(self, chat: str, count: int) -> list[dict]:
        """Wait until the bot has said at least `count` things in the chat."""
        deadline = time.monotonic() + WAIT_SECONDS
        while len(found := await self.messages(chat)) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"no answer in {chat}'s chat:\n{self.bot.log_tail(30)}")
            await asyncio.sleep(0.1)
        return found

    def inbox(self) -> dict[int, str | None]:
        """update_id -> processed_at, read from the bot's database."""
        conn = sqlite3.connect(self.db_path)
        try:
            return dict(conn.execute("SELECT update_id, processed_at FROM inbox").fetchall())
        finally:
            conn.close()


@pytest.fixture
async def rig(tmp_path):
    rig = Rig(tmp_path)
    await rig.start_emulator()
    try:
        yield rig
    finally:
        await rig.close()


def _update(update_id: int, user_id: int, text: str) -> dict:
    person = {"id": user_id, "is_bot": False, "first_name": "Eve", "language_code": "sv"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Eve"},
            "from": person,
            "text": text,
        },
    }


async def test_the_webhook_stores_what_carries_the_secret_and_nothing_else(rig):
    await rig.start_bot(webhook=True)
    status = await rig.status()
    assert status["webhook"]["allowed_updates"] == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ]
    # While the webhook is set, getUpdates is refused as by Telegram.
    async with rig.client.post(f"{rig.base_url}{TOKEN}/getUpdates") as response:
        assert response.status == 409

    # Posted straight to the bot: without the secret, or with a wrong one, nothing is stored.
    async with rig.client.post(rig.webhook_url, json=_update(900001, 77, "hej")) as response:
        assert response.status == 401
    wrong = {SECRET_HEADER: SECRET[:-1] + "X"}
    async with rig.client.post(
        rig.webhook_url, json=_update(900002, 77, "hej"), headers=wrong
    ) as response:
        assert response.status == 403
    assert not {900001, 900002} & set(rig.inbox())

    # A person writes; the emulator posts it with the secret; the bot answers.
    update_id = await rig.send("alice", "hej")
    [reply, *_] = await rig.answered("alice", 1)
    assert reply["kind"] == "send" and reply["text"]
    assert update_id in rig.inbox()
    await rig.until(lambda status: rig.inbox().get(update_id) is not None, "the update handled")
    assert (await rig.status())["webhook_deliveries"] >= 1

    # With the secret, posted straight to the bot: stored by the time 200 is answered.
    right = {SECRET_HEADER: SECRET}
    async with rig.client.post(
        rig.webhook_url, json=_update(900003, 78, "hej"), headers=right
    ) as response:
        assert response.status == 200
        assert 900003 in rig.inbox()
    assert not {900001, 900002} & set(rig.inbox())


async def test_switching_between_polling_and_webhook_keeps_a_waiting_update(rig):
    await rig.start_bot(webhook=False)
    await rig.send("alice", "hej")
    before = len(await rig.answered("alice", 1))
    await rig.stop_bot()

    # Sent while no bot runs: it waits at Telegram, and the webhook's start gets it.
    waiting = await rig.send("alice", "/help")
    assert (await rig.status())["waiting_updates"] == 1
    await rig.start_bot(webhook=True)
    after_webhook = len(await rig.answered("alice", before + 1))
    await rig.until(lambda status: rig.inbox().get(waiting) is not None, "the update handled")
    await rig.stop_bot()

    # Sent while no bot runs and a webhook is set: polling's start takes it by getUpdates.
    waiting = await rig.send("alice", "/help")
    await rig.start_bot(webhook=False)
    await rig.answered("alice", after_webhook + 1)
    await rig.until(lambda status: rig.inbox().get(waiting) is not None, "the update handled")
    assert (await rig.status())["waiting_updates"] == 0
