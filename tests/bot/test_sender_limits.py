"""The sender under Telegram's limits, against the emulator with limits on: order per chat,
no row lost, held rows stay due, a safety alert finds room and goes first; with several
requests in flight and a round trip added by the emulator.

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

    def start(limits: Limits | None = None, speedup: float = 1.0, workers: int = 8) -> Sender:
        def transport_now() -> float:
            return time.monotonic() * speedup

        server.limits = TelegramLimits(monotonic=transport_now)  # the judge keeps that time
        limiter = RateLimiter(limits, monotonic=transport_now)
        sender = Sender(
            bot, database, FixedClock(NOW), 0.2, limiter, transport_speedup=speedup, workers=workers
        )
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


# ---- several requests in flight ------------------------------------------------------------


def in_flight_watch(world, server):
    """The most requests the emulator had open at once, and whether one chat ever had two."""
    seen = {"most": 0, "same_chat": False}
    open_chats: dict[int, int] = {}
    original = server._call

    async def counting(method, params, worker):
        chat = int(params.raw.get("chat_id", 0))
        open_chats[chat] = open_chats.get(chat, 0) + 1
        seen["same_chat"] |= open_chats[chat] > 1
        seen["most"] = max(seen["most"], sum(open_chats.values()))
        try:
            return await original(method, params, worker)
        finally:
            await asyncio.sleep(server.round_trip_seconds / 2)  # still travelling back
            open_chats[chat] -= 1

    server._call = counting
    return seen


async def test_several_workers_keep_each_chat_in_order(rig):
    world, server, database, start = rig
    server.round_trip_seconds = 0.06
    seen = in_flight_watch(world, server)
    chats = {name: world.user(name).id for name in ("ann", "bo", "cy", "di", "ed")}
    # interleaved, five messages each (within a private chat's burst)
    calls = [call(chat, f"{name}{n}") for n in range(5) for name, chat in chats.items()]
    await enqueue(database, calls)
    start(speedup=10.0)
    await until(lambda: len(world.entries) == len(calls))
    for name in chats:
        assert bodies(world, name) == [f"{name}{n}" for n in range(5)]
    assert seen["most"] > 1  # several in flight...
    assert seen["most"] <= 8
    assert not seen["same_chat"]  # ...never two to one chat
    assert server.limits.refused == 0


async def test_with_a_round_trip_a_safety_alert_takes_the_worker_kept_for_it(rig):
    world, server, database, start = rig
    server.round_trip_seconds = 0.2
    chats = [world.user(f"p{n}").id for n in range(300)]
    group = world.create_group("therapists", [world.user("anna")]).id
    await enqueue(
        database, [call(chat, f"rem {n}", outbox.LANE_REMINDER) for n, chat in enumerate(chats)]
    )
    sender = start()
    await until(lambda: len(world.entries) >= 20)
    assert sender.in_flight == 7  # every worker but the one kept for safety
    await enqueue(database, [call(group, "RED FLAG", outbox.LANE_SAFETY)])
    enqueued = time.monotonic()
    sender.wake()
    await until(lambda: "RED FLAG" in bodies(world, "#therapists"), seconds=3)
    # half a round trip to arrive, plus a send slot and the look at the outbox
    assert time.monotonic() - enqueued < 0.1 + 0.3
    assert server.limits.refused == 0


async def test_a_row_is_marked_sending_alone_just_before_its_request(rig):
    """The rows for several workers are picked in one read; each becomes 'sending' in a
    transaction of its own as its request starts, never while it waits for its turn in the
    budgets: a crash then leaves no row 'sending' whose request never left (it would be
    decided as unsure and lost)."""
    world, server, database, start = rig
    server.round_trip_seconds = 0.1
    claims_per_transaction: list[int] = []

    def trace(statement: str) -> None:
        if statement.startswith("BEGIN"):
            claims_per_transaction.append(0)
        elif "SET status = 'sending'" in statement and claims_per_transaction:
            claims_per_transaction[-1] += 1

    await database.call(lambda conn: conn.set_trace_callback(trace))
    chats = [world.user(f"p{n}").id for n in range(40)]
    await enqueue(database, [call(chat, f"m {n}") for n, chat in enumerate(chats)])
    start()
    await until(lambda: len(world.entries) == 40)
    await database.call(lambda conn: conn.set_trace_callback(None))
    claims = [n for n in claims_per_transaction if n]
    assert sum(claims) == 40
    assert max(claims) == 1


async def test_a_clean_stop_gives_back_the_rows_not_started(rig):
    world, server, database, start = rig
    server.round_trip_seconds = 0.3
    chats = [world.user(f"p{n}").id for n in range(20)]
    await enqueue(database, [call(chat, f"m {n}") for n, chat in enumerate(chats)])
    sender = start()
    await until(lambda: server.open_requests >= 3)
    await sender.close(seconds=2.0)
    statuses = await database.call(
        lambda conn: [row[0] for row in conn.execute("SELECT status FROM outbox ORDER BY id")]
    )
    assert "sending" not in statuses  # nothing left for the next start to decide as unsure
    assert statuses.count("sent") == len(world.entries) >= 3
    assert statuses.count("pending") == 20 - len(world.entries)


async def test_a_crash_with_several_in_flight_repeats_alerts_and_not_reminders(rig, tmp_path):
    world, server, database, start = rig
    server.round_trip_seconds = 0.4
    group = world.create_group("therapists", [world.user("anna")]).id
    chats = [world.user(f"p{n}").id for n in range(10)]
    alert = outbox.OutgoingCall(
        group, "sendMessage", {"text": "RED FLAG"}, lane=outbox.LANE_SAFETY, repeat_if_unsure=True
    )
    await enqueue(database, [alert] + [call(c, f"rem {n}", 3) for n, c in enumerate(chats)])
    start()
    await until(lambda: server.open_requests >= 3)
    # the process dies: nothing after this point is recorded (the rig's task is cancelled
    # with the database closed under it, as after a SIGKILL)
    sending = await database.call(
        lambda conn: conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sending'").fetchone()
    )
    assert sending[0] >= 3
    copy = tmp_path / "after-crash.db"
    await database.call(lambda conn: conn.execute("VACUUM INTO ?", (str(copy),)))
    restarted = await Database.open(copy)
    repeated, dropped = await restarted.transaction(
        lambda conn: outbox.recover_after_crash(conn, NOW)
    )
    rows = await restarted.call(
        lambda conn: conn.execute("SELECT lane, status FROM outbox ORDER BY id").fetchall()
    )
    await restarted.close()
    assert repeated == 1 and rows[0]["status"] == "pending"  # the alert: at least once
    assert dropped == sending[0] - 1  # reminders in flight: at most once, never repeated
    assert all(row["status"] != "sending" for row in rows)
