"""Two workers (two Sender instances, each with its own Database, as two processes would
have) sending from one outbox on PostgreSQL, against one emulator with Telegram's limits on:
every row sent once, each chat in order, never two requests in flight to one chat, the one
bot token within its ~30/s; a worker killed in the middle of its sends is taken over by the
other by the crash rules. Skipped when no PostgreSQL server answers (TEST_POSTGRES_URL)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.clock import FixedClock
from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import World
from bot.telegram.sender import Sender
from storage import outbox
from storage.database import Database
from tests.harness.databases import own_postgres_database

TOKEN = "123456789:AAEmulatorDemoTokenNotForRealUse_000"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def database_url():
    with own_postgres_database("mw1_sender") as url:
        yield url


class Worker:
    """One worker: its own connections, Bot and Sender, run as a task."""

    def __init__(self, sender: Sender, database: Database, bot: Bot):
        self.sender = sender
        self.database = database
        self.bot = bot
        self.task: asyncio.Task | None = None

    async def kill(self) -> None:
        """Gone without a word: no rows given back, no leaving, its heartbeat stops."""
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


@pytest.fixture
async def rig(database_url):
    world = World(bot_id=123456789, now=lambda: NOW)
    server = EmulatorServer(world, TOKEN, telegram_limits=True)
    await server.start()
    started: list[Worker] = []

    async def start_worker(timeout: float = 60.0, workers: int = 8) -> Worker:
        database = await Database.open(database_url)
        bot = Bot(TOKEN, base_url=server.api_base_url, request=HTTPXRequest(read_timeout=5))
        await bot.initialize()
        sender = Sender(
            bot, database, FixedClock(NOW), 0.2, workers=workers, worker_timeout=timeout
        )
        await sender.recover()
        worker = Worker(sender, database, bot)
        worker.task = asyncio.create_task(sender.run())
        started.append(worker)
        return worker

    yield world, server, start_worker
    for worker in started:
        worker.task.cancel()
        await asyncio.gather(worker.task, return_exceptions=True)
        await worker.bot.shutdown()
        await worker.database.close()
    await server.stop()


def call(chat, text, lane=outbox.LANE_REPLY, **flags):
    return outbox.OutgoingCall(chat, "sendMessage", {"text": text}, lane=lane, **flags)


async def enqueue(database, calls):
    await database.transaction(lambda conn: [outbox.enqueue(conn, c, NOW) for c in calls])


async def until(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() - deadline < 0, "timed out"
        await asyncio.sleep(0.01)


def watch(server):
    """What the emulator saw: the most requests open to one chat at once, and the arrival
    times of the send calls."""
    seen = {"same_chat": 0, "arrivals": []}
    open_chats: Counter[int] = Counter()
    original = server._call

    async def counting(method, params, worker):
        chat = int(params.raw.get("chat_id", 0))
        open_chats[chat] += 1
        seen["same_chat"] = max(seen["same_chat"], open_chats[chat])
        seen["arrivals"].append(time.monotonic())
        try:
            return await original(method, params, worker)
        finally:
            await asyncio.sleep(server.round_trip_seconds / 2)  # still travelling back
            open_chats[chat] -= 1

    server._call = counting
    return seen


def bodies(world, key):
    return [entry.body for entry in world.entries if entry.chat_key == key]


async def statuses(database):
    rows = await database.call(
        lambda conn: conn.execute("SELECT status, claimed_by FROM outbox").fetchall()
    )
    return Counter(row[0] for row in rows), Counter(row[1] for row in rows)


async def test_two_workers_send_every_row_once_in_order_within_the_limits(rig):
    world, server, start_worker = rig
    server.round_trip_seconds = 0.04
    seen = watch(server)
    names = [f"p{n}" for n in range(40)]
    chats = {name: world.user(name).id for name in names}
    group = world.create_group("therapists", [world.user("anna")]).id
    first = await start_worker()
    second = await start_worker()
    # interleaved: three messages to each of 40 people, five to the group
    calls = [call(chats[name], f"{name}:{n}") for n in range(3) for name in names]
    calls += [call(group, f"staff {n}", outbox.LANE_STAFF) for n in range(5)]
    await enqueue(first.database, calls)
    first.sender.wake()
    second.sender.wake()
    await until(lambda: len(world.entries) == len(calls))
    await asyncio.sleep(0.3)  # nothing more comes
    assert len(world.entries) == len(calls)
    for name in names:
        assert bodies(world, name) == [f"{name}:{n}" for n in range(3)]  # each once, in order
    assert bodies(world, "#therapists") == [f"staff {n}" for n in range(5)]
    assert seen["same_chat"] == 1  # never two in flight to one chat, across both workers
    assert server.limits.refused == 0  # Telegram's judge: 30/s, 1/s a chat, 20/min a group
    arrivals = sorted(seen["arrivals"])
    busiest = max(sum(1 for t in arrivals if s <= t < s + 1.0) for s in arrivals)
    assert busiest <= 30
    by_status, by_worker = await statuses(first.database)
    assert by_status == {"sent": len(calls)}
    assert set(by_worker) == {first.sender.worker_id, second.sender.worker_id}  # both sent


async def test_a_killed_worker_is_taken_over_by_the_crash_rules(rig):
    world, server, start_worker = rig
    server.round_trip_seconds = 1.0  # requests stay in flight long enough to kill in between
    group = world.create_group("therapists", [world.user("anna")]).id
    people = [world.user(f"p{n}").id for n in range(6)]
    alert = call(group, "RED FLAG", outbox.LANE_SAFETY, repeat_if_unsure=True)
    reminders = [call(chat, f"rem {n}", outbox.LANE_REMINDER) for n, chat in enumerate(people)]
    follow_ups = [call(chat, f"next {n}") for n, chat in enumerate(people)]
    doomed = await start_worker(timeout=2.0)
    await enqueue(doomed.database, [alert, *reminders, *follow_ups])
    doomed.sender.wake()
    await until(lambda: server.open_requests >= 5)
    await doomed.kill()
    left, _ = await statuses(doomed.database)
    assert left["sending"] >= 5
    # a worker starting now must not steal rows of a worker that may still be alive
    survivor = await start_worker(timeout=2.0)
    assert (await statuses(survivor.database))[0]["sending"] == left["sending"]
    # after the timeout the survivor decides them, and sends the rest
    await until(
        lambda: (
            "RED FLAG" in bodies(world, "#therapists")
            and all(bodies(world, f"p{n}")[-1:] == [f"next {n}"] for n in range(6))
        ),
        seconds=15,
    )
    # the last answers are still travelling back (half the round trip) before they are marked
    for _ in range(100):
        by_status, _ = await statuses(survivor.database)
        if set(by_status) == {"sent"}:
            break
        await asyncio.sleep(0.1)
    assert set(by_status) == {"sent"}  # nothing left pending or in flight
    for n in range(6):
        got = bodies(world, f"p{n}")
        assert got.count(f"rem {n}") <= 1  # a reminder: at most once, never repeated
        assert got.count(f"next {n}") == 1 and got[-1] == f"next {n}"  # in order, once
    ledger = await survivor.database.call(
        lambda conn: Counter(
            row[0] for row in conn.execute("SELECT outcome FROM send_ledger").fetchall()
        )
    )
    unsure = ledger["unsure-after-crash"]
    delivered_reminders = sum(bodies(world, f"p{n}").count(f"rem {n}") for n in range(6))
    # every reminder either reached its person, or was in flight when the worker died
    assert unsure + delivered_reminders >= 6
    assert bodies(world, "#therapists").count("RED FLAG") >= 1  # the alert: at least once
    assert server.limits.refused == 0
