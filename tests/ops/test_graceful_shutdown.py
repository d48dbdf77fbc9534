"""SIGTERM to a real `python -m bot run` in the middle of work: it exits with code 0 within
8 s (Docker waits 10 s before SIGKILL), the request in flight is finished (no row is left
'sending'), and the next start handles what was stored: every person gets their one answer,
none twice. The emulator takes 0.3 s per send, so there is always one in flight."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import World, is_send_call
from bot.settings import Settings
from storage.database import connect_sync

pytestmark = pytest.mark.scripts

TOKEN = "123456789:AAEmulatorDemoTokenNotForRealUse_000"
PEOPLE = 12
SEND_SECONDS = 0.3
STOP_WITHIN = 8.0


class SlowEmulator(EmulatorServer):
    """Every send takes SEND_SECONDS, as if Telegram were far away."""

    async def _call(self, method, params, worker):
        if is_send_call(self.api.canonical_name(method) or method):
            await asyncio.sleep(SEND_SECONDS)
        return await super()._call(method, params, worker)


def _environment(tmp_path, base_url) -> dict[str, str]:
    ours = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key not in ours}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=base_url,
        TELEGRAM_REQUEST_TIMEOUT_SECONDS="5",
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        TICK_INTERVAL_SECONDS="0.5",
        METRICS_PORT="0",  # any free port: the log names it
        LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
    )
    return env


async def _start(tmp_path, env, log):
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,  # no .env here
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )


async def _until(condition, what, process, log_path, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if process.returncode is not None:
            pytest.fail(f"the bot ended before {what}:\n{log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{log_path.read_text()[-3000:]}")
        await asyncio.sleep(0.02)


def _answers(world, people) -> list[int]:
    return [
        sum(
            1
            for message in world.private_chat(person).messages.values()
            if message.sender is world.bot
        )
        for person in people
    ]


async def _check_the_endpoint(log_path) -> None:
    """The running bot's endpoint (its port from the log): ready, reachable, counting."""
    events = [json.loads(line)["event"] for line in log_path.read_text().splitlines()]
    port = int(re.findall(r"endpoint on http://127\.0\.0\.1:(\d+)", "\n".join(events))[-1])
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as session:
        async with session.get("/healthz") as health:
            assert health.status == 200
        async with session.get("/readyz") as ready:
            assert ready.status == 200
            assert (await ready.json())["telegram"]["reachable"] is True
        async with session.get("/metrics") as scraped:
            text = await scraped.text()
    assert re.search(r'^ikbt_sends_total\{method="sendMessage",outcome="ok"\} [1-9]', text, re.M)
    assert re.search(r"^ikbt_updates_handled_total [1-9]", text, re.M)


def _stop(process) -> None:
    if process.returncode is None:
        os.killpg(process.pid, signal.SIGKILL)


async def test_sigterm_mid_work_exits_0_in_time_and_the_next_start_loses_nothing(tmp_path):
    world = World(bot_id=123456789, now=lambda: datetime.now(UTC))
    server = SlowEmulator(world, TOKEN)
    await server.start()
    env = _environment(tmp_path, server.api_base_url)
    log_path = tmp_path / "bot.log"
    log = open(log_path, "ab")  # noqa: SIM115 - closed below
    first = second = None
    try:
        first = await _start(tmp_path, env, log)
        await _until(lambda: server.polls > 0, "the first poll", first, log_path)
        people = [world.user(f"person{number}") for number in range(PEOPLE)]
        for person in people:
            world.send_text(person, world.private_chat(person), "hej")
        await _until(lambda: sum(_answers(world, people)) >= 2, "answers", first, log_path)

        stopped_at = time.monotonic()
        first.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(first.wait(), STOP_WITHIN + 2)
        took = time.monotonic() - stopped_at
        assert code == 0, log_path.read_text()[-3000:]
        assert took < STOP_WITHIN
        answered_before = _answers(world, people)
        assert sum(answered_before) < PEOPLE, "stopped too late to show anything"

        conn = connect_sync(tmp_path / "bot.sqlite3")
        in_flight = conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sending'")
        assert in_flight.fetchone()[0] == 0  # the request in flight was finished and recorded
        conn.close()

        second = await _start(tmp_path, env, log)
        await _until(
            lambda: all(count >= 1 for count in _answers(world, people)),
            "every answer after the restart",
            second,
            log_path,
        )
        await asyncio.sleep(1.0)  # a duplicate would come now
        assert _answers(world, people) == [1] * PEOPLE
        late = world.user("late")  # and a new message is handled as ever
        world.send_text(late, world.private_chat(late), "hej")
        await _until(lambda: _answers(world, [late]) == [1], "the late answer", second, log_path)
        await _check_the_endpoint(log_path)
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), STOP_WITHIN + 2) == 0
    finally:
        for process in (first, second):
            if process is not None:
                _stop(process)
        log.close()
        await server.stop()

    lines = log_path.read_text().splitlines()
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)  # LOG_FORMAT=json
    events = [json.loads(line)["event"] for line in lines]
    assert events.count("stopping") == 2 and events.count("bot stopped") == 2
    assert not [line for line in lines if json.loads(line)["level"] in ("ERROR", "CRITICAL")]


class SlowStartEmulator(EmulatorServer):
    """getMe (the first call of a start) takes 2 s: a SIGTERM can come while the bot starts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked_who = asyncio.Event()

    async def _call(self, method, params, worker):
        if method.lower() == "getme":
            self.asked_who.set()
            await asyncio.sleep(2.0)
        return await super()._call(method, params, worker)


async def test_sigterm_while_starting_is_a_clean_stop_too(tmp_path):
    """A stop during the start (Docker's `stop` right after `start`) must not kill the
    process outright, nor be lost: as PID 1 in a container an unhandled SIGTERM is ignored,
    and Docker then waits its 10 s and kills it. The start finishes and the bot stops at once,
    with code 0."""
    world = World(bot_id=123456789, now=lambda: datetime.now(UTC))
    server = SlowStartEmulator(world, TOKEN)
    await server.start()
    env = _environment(tmp_path, server.api_base_url)
    log_path = tmp_path / "bot.log"
    log = open(log_path, "ab")  # noqa: SIM115 - closed below
    process = None
    try:
        process = await _start(tmp_path, env, log)
        await asyncio.wait_for(server.asked_who.wait(), 30)
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), STOP_WITHIN + 2)
        assert code == 0, log_path.read_text()[-3000:]
    finally:
        if process is not None:
            _stop(process)
        log.close()
        await server.stop()
    events = [json.loads(line)["event"] for line in log_path.read_text().splitlines()]
    assert "bot stopped" in events
