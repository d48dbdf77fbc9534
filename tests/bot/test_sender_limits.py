"""The sender under Telegram's limits, against the emulator with limits on: order per chat,
no row lost, held rows stay due, a safety alert finds room and goes first.

Where a test would wait out a limit, the sender runs with `transport_speedup` (the
development setting the script suite uses) and the emulator's judge counts the same faster
time, so the test takes a tenth of the time and the judge is just as strict."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.clock import FixedClock
from bot.devtools.emulator.limits import TelegramLimits
from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import World
from bot.telegram.rate_limits import Limits, RateLimiter
from bot.telegram.sender import Sender
from storage import idle, outbox
from storage.database import Database

TOKEN = "123456789:AAEmulatorDemoTokenNotForRealUse_000"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def rig(tmp_path):
    world = World(bot_id=123456789, now=lambda: NOW)
    server = EmulatorServer(world, TOKEN, telegram_limits=True)
    await server.start()
    database = await Database.open(tmp_path / "bot.db")
    bot = Bot(TOKEN, base_url=server.api_base_url, request=HTTPXRequest(read_timeout=5))
    await bot.initialize()
    tasks = []

    def start(limits: Limits | None = None, speedup: float = 1.0) -> Sender:
        def transport_now() -> float:
            return time.monotonic() * speedup

        server.limits = TelegramLimits(monotonic=transport_now)  # the judge keeps that time
        limiter = RateLimiter(limits, monotonic=transport_now)
        sender = Sender(bot, database, FixedClock(NOW), 0.2, limiter, transport_speedup=speedup)
        tasks.append(asyncio.create_task(sender.run()))
        return sender

    yield world, server, database, start
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await bot.shutdown()
    await database.close()
    await server.stop()


async def enqueue(database, calls):
    await database.transaction(lambda conn: [outbox.enqueue(conn, c, NOW) for c in calls])


def call(chat, text, lane=outbox.LANE_REPLY):
    return outbox.OutgoingCall(chat, "sendMessage", {"text": text}, lane=lane)


async def sent_count(database) -> int:
    return await database.call(
        lambda conn: conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
    )


async def until_async(read, expected, seconds=10.0):
    deadline = time.monotonic() + seconds
    while await read() != expected:
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def until(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def bodies(world, key):
    return [e.body for e in world.entries if e.chat_key == key]


async def test_a_long_reply_to_one_chat_goes_in_order_held_rows_stay_due(rig):
    world, server, database, start = rig
    alice = world.user("alice").id
    bob = world.user("bob").id
    burst = Limits().private_burst
    total = burst + 3
    await enqueue(database, [call(alice, f"a{n}") for n in range(total)] + [call(bob, "b0")])
    # Real time here: sped up, the next held row can go before the burst is seen whole on a
    # busy machine (the check below needs the moment the burst is spent).
    start()
    await until(lambda: len(bodies(world, "alice")) == burst and bodies(world, "bob") == ["b0"])
    # the sender records a send just after the emulator has it: wait for the records
    await until_async(lambda: sent_count(database), burst + 1)
    # alice's burst is spent: her next rows wait, still due (the idle check sees them)
    due = await database.call(lambda conn: idle.pending_work(conn, NOW))
    assert due == 3
    await until(lambda: len(bodies(world, "alice")) == total, seconds=8)
    assert bodies(world, "alice") == [f"a{n}" for n in range(total)]
    assert server.limits.refused == 0


async def test_a_group_keeps_room_for_a_safety_alert(rig):
    world, server, database, start = rig
    group = world.create_group("therapists", [world.user("anna")]).id
    limits = Limits(group_per_minute=6, group_reserved_from=3)
    await enqueue(database, [call(group, f"staff {n}", outbox.LANE_STAFF) for n in range(5)])
    sender = start(limits)
    await until(lambda: len(bodies(world, "#therapists")) == 3)
    await asyncio.sleep(0.3)
    assert len(bodies(world, "#therapists")) == 3  # lanes > 0 stop at the reserve
    # the alert is queued behind two staff messages of the same group: they go first, in
    # order, lifted to the safety lane (using the reserve), then the alert, at once
    await enqueue(database, [call(group, "RED FLAG", outbox.LANE_SAFETY)])
    sender.wake()
    await until(lambda: "RED FLAG" in bodies(world, "#therapists"), seconds=3)
    assert bodies(world, "#therapists") == [f"staff {n}" for n in range(5)] + ["RED FLAG"]
    assert server.limits.refused == 0


async def test_a_safety_alert_overtakes_a_backlog_of_reminders(rig):
    world, server, database, start = rig
    chats = [world.user(f"p{n}").id for n in range(300)]
    group = world.create_group("therapists", [world.user("anna")]).id
    await enqueue(
        database, [call(chat, f"rem {n}", outbox.LANE_REMINDER) for n, chat in enumerate(chats)]
    )
    sender = start()
    await until(lambda: len(world.entries) >= 10)
    await enqueue(database, [call(group, "RED FLAG", outbox.LANE_SAFETY)])
    enqueued = time.monotonic()
    sender.wake()
    await until(lambda: "RED FLAG" in bodies(world, "#therapists"), seconds=2)
    assert time.monotonic() - enqueued < 0.5
    assert len(world.entries) < 100  # long before the backlog was through
    assert server.limits.refused == 0
