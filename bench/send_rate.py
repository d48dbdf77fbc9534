"""Send pipeline benchmark: the real sender against the emulator with Telegram's limits on.

    python -m bench.send_rate [--rtt MS] [--workers N] [--quick]

(a) N messages to N different private chats: the sustained rate as a fraction of 30/s, and
    how many 429s the emulator answered.
(b) A safety alert (lane 0) enqueued behind a backlog of reminders (lane 3), repeated: its
    latency from enqueue until the emulator received it, p50/p99.

`--rtt MS` adds MS milliseconds of round trip to every request (half on the way to the
emulator, before it counts the request against Telegram's limits, half on the way back), as
Telegram is 50-150 ms away from most hosts. The last line reads
`rate at <MS> ms: <X> msg/s = <P> % of 30/s, <N> x 429` (the rate of (a); the 429s of both).

Real parts: `bot.telegram.sender.Sender`, a `storage.database.Database` in a temp dir, a PTB `Bot`
pointed at the emulator's base URL over HTTP on 127.0.0.1. The emulator runs on its own
thread and event loop, as it would be another process. Prints numbers, no pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # `python bench/send_rate.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.devtools.emulator.server import EmulatorServer  # noqa: E402
from bot.devtools.emulator.world import World  # noqa: E402
from bot.telegram.sender import DEFAULT_WORKERS, Sender  # noqa: E402
from storage import outbox  # noqa: E402
from storage.database import Database  # noqa: E402

TOKEN = "123456789:AAEmulatorDemoTokenNotForRealUse_000"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TARGET_RATE = 30.0


class EmulatorThread:
    """The emulator on its own thread and loop; records when each message arrived."""

    def __init__(self, round_trip_seconds: float = 0.0) -> None:
        self.world = World(bot_id=123456789, now=lambda: NOW)
        self.server = EmulatorServer(
            self.world, TOKEN, telegram_limits=True, round_trip_seconds=round_trip_seconds
        )
        self.arrivals: dict[str, float] = {}  # message text -> time.monotonic() on arrival
        self.world.entry_listeners.append(self._arrived)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def _arrived(self, entry) -> None:
        self.arrivals[entry.body] = time.monotonic()

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def private_chats(self, prefix: str, count: int) -> list[int]:
        return [self.world.user(f"{prefix}{n}").id for n in range(count)]

    def group(self, name: str) -> int:
        return self.world.create_group(name, [self.world.user(f"{name}-member")]).id

    @property
    def refused(self) -> int:
        return self.server.limits.refused


async def _sender(emulator: EmulatorThread, directory: Path, name: str, workers: int):
    database = await Database.open(directory / f"{name}.db")
    request = HTTPXRequest(connect_timeout=10, read_timeout=10, write_timeout=10)
    bot = Bot(TOKEN, base_url=emulator.server.api_base_url, request=request)
    await bot.initialize()
    sender = Sender(bot, database, FixedClock(NOW), poll_interval=0.5, workers=workers)
    return database, bot, sender


def _calls(chats: list[int], text: str, lane: int) -> list[outbox.OutgoingCall]:
    return [
        outbox.OutgoingCall(
            chat_id=chat, method="sendMessage", params={"text": f"{text} {n}"}, lane=lane
        )
        for n, chat in enumerate(chats)
    ]


async def _enqueue(database: Database, calls: list[outbox.OutgoingCall]) -> None:
    def add(conn):
        for call in calls:
            outbox.enqueue(conn, call, NOW)

    await database.transaction(add)


async def bench_throughput(
    emulator: EmulatorThread, directory: Path, count: int, workers: int
) -> dict:
    chats = emulator.private_chats("p", count)
    database, bot, sender = await _sender(emulator, directory, "throughput", workers)
    await _enqueue(database, _calls(chats, "bulk", outbox.LANE_REMINDER))
    refused_before = emulator.refused
    task = asyncio.create_task(sender.run())
    expected = {f"bulk {n}" for n in range(count)}
    started = time.monotonic()
    while not expected <= emulator.arrivals.keys():
        await asyncio.sleep(0.05)
    arrivals = sorted(emulator.arrivals[text] for text in expected)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await bot.shutdown()
    await database.close()
    # sustained: from the first arrival to the last (start-up not counted)
    rate = (count - 1) / (arrivals[-1] - arrivals[0])
    return {
        "messages": count,
        "seconds": arrivals[-1] - started,
        "rate": rate,
        "fraction": rate / TARGET_RATE,
        "refused": emulator.refused - refused_before,
    }


async def bench_alert(
    emulator: EmulatorThread, directory: Path, backlog: int, reps: int, workers: int
) -> dict:
    groups = [emulator.group(f"therapists{n}") for n in range(4)]
    chats = emulator.private_chats("r", backlog + 100 * reps)  # ~30/s drain, 2 s a rep
    database, bot, sender = await _sender(emulator, directory, "alert", workers)
    await _enqueue(database, _calls(chats[:backlog], "reminder", outbox.LANE_REMINDER))
    next_chat = backlog
    refused_before = emulator.refused
    task = asyncio.create_task(sender.run())
    latencies = []
    backlogs = []
    rng = random.Random(7)
    await asyncio.sleep(1.0)  # the sender is draining at full rate
    for n in range(reps):
        # top the backlog up to `backlog` due reminders
        waiting = await database.call(
            lambda conn: conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
            ).fetchone()[0]
        )
        top_up = chats[next_chat : next_chat + max(backlog - waiting, 0)]
        next_chat += len(top_up)
        await _enqueue(database, _calls(top_up, f"reminder+{n}", outbox.LANE_REMINDER))
        backlogs.append(waiting + len(top_up))
        text = f"RED FLAG {n}"
        alert = outbox.OutgoingCall(
            chat_id=groups[n % len(groups)],
            method="sendMessage",
            params={"text": text},
            lane=outbox.LANE_SAFETY,
            repeat_if_unsure=True,
        )
        enqueued = time.monotonic()
        await _enqueue(database, [alert])
        sender.wake()  # as a turn does after its transaction
        while text not in emulator.arrivals:
            await asyncio.sleep(0.002)
        latencies.append(emulator.arrivals[text] - enqueued)
        await asyncio.sleep(rng.uniform(1.5, 2.5))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await bot.shutdown()
    await database.close()
    latencies.sort()
    return {
        "reps": reps,
        "backlog_min": min(backlogs),
        "p50": statistics.median(latencies),
        "p99": _percentile(latencies, 0.99),
        "max": latencies[-1],
        "refused": emulator.refused - refused_before,
    }


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (with ~20 samples, p99 is the largest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-int(q * len(ordered) * 1000) // 1000)))
    return ordered[rank - 1]


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (~45 s)")
    parser.add_argument("--rtt", type=float, default=0.0, help="round trip added, in ms")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help="requests in flight at once"
    )
    args = parser.parse_args(argv)
    count, backlog, reps = (600, 2000, 6) if args.quick else (3000, 10000, 20)
    emulator = EmulatorThread(round_trip_seconds=args.rtt / 1000)
    emulator.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            print(
                f"(a) {count} messages to {count} private chats, emulator limits on,"
                f" {args.rtt:g} ms round trip, {args.workers} workers ...",
                flush=True,
            )
            a = await bench_throughput(emulator, directory, count, args.workers)
            print(
                f"    sustained {a['rate']:.2f} msg/s = {a['fraction']:.1%} of 30/s;"
                f" {a['refused']} x 429; {a['seconds']:.1f} s in all"
            )
            print(f"(b) safety alert behind {backlog} reminders, {reps} times ...", flush=True)
            b = await bench_alert(emulator, directory, backlog, reps, args.workers)
            print(
                f"    latency enqueue -> emulator: p50 {b['p50'] * 1000:.0f} ms,"
                f" p99 {b['p99'] * 1000:.0f} ms, max {b['max'] * 1000:.0f} ms"
                f" (backlog >= {b['backlog_min']}); {b['refused']} x 429"
            )
            print(
                f"rate at {args.rtt:g} ms: {a['rate']:.2f} msg/s = {a['fraction'] * 100:.1f} %"
                f" of 30/s, {a['refused'] + b['refused']} x 429"
            )
    finally:
        emulator.stop()


if __name__ == "__main__":
    asyncio.run(main())
