"""Several bot workers on PostgreSQL (issue 17): updates/s, sends/s and the tick's takeover,
with 1, 2 and 4 workers, against the emulator with Telegram's limits on.

    python -m bench.workers [--db URL] [--quick] [--workers 1,2,4] [--patients N]
                            [--texts N] [--tick SECONDS] [--rtt MS]

For each worker count, on a database of its own (made on the server `--db` names, default
the development server, and dropped afterwards): real `python -m bot run --webhook` processes
behind the built-in emulator, which posts the updates to them in turn as a load balancer would
(bot/devtools/worker_rig.py). The clinic (one unit, its therapist and channel, N confirmed
patients) is set up through the repositories before the workers start; starting is not timed.

(a) updates/s: every patient sends `--texts` /help at once (the emulator posts them one at a
    time, as Telegram does with the webhook's max_connections=1); from handing them to the
    emulator until every update is turned (the inbox has none left unprocessed).
(b) replies/s: the answers to those updates (one per /help, to as many private chats as
    patients, so a chat's 1/s never binds), sustained from the first arrival to the last:
    sends as fast as the turns make them, up to the token's 30/s.
(c) sends/s from a backlog: one reminder per patient falls due at once (the fake clock moves
    to 08:05); the lease holder's tick queues them all and every worker sends from the one
    outbox: the token's ~30/s, however many workers.
(d) takeover: SIGKILL the holder of the tick lease; the time until another worker holds it
    (the leases row, read every 5 ms), again for each worker left but one (4 workers: three
    takeovers). A takeover is due within 0.75 of a tick interval (docs/reliability.md).

Also printed: the CPU time the worker processes used per update (its turn, its reply's
send, and each worker's background work meanwhile) and per reminder (/proc; Linux), which
says more than a rate on a shared machine.

Every reply and reminder is checked to have arrived exactly once, and no worker may log an
ERROR, else the run stops with an error. Ratios are against the first round (one worker) of
the same run; the last line reads
`workers 1/2/4: updates/s A/B/C (xA/xB/xC); replies/s ...; sends/s ...; takeover s -/B/C;
N x 429` (takeover: the longest of the round).
Prints numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import time as dtime
from pathlib import Path

if __package__ in (None, ""):  # `python bench/workers.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.devtools.emulator.world import Entry  # noqa: E402
from bot.devtools.scratch_postgres import scratch_database  # noqa: E402
from bot.devtools.worker_rig import RigFailed, WorkerRig, server_answers  # noqa: E402

DEFAULT_SERVER = "postgresql://ikbt:ikbt@127.0.0.1:55432/ikbt"
HELP_REPLY = "Det här kan du göra"  # the start of the patient's /help answer
REMINDER_AT = dtime(8, 5)  # the fake clock starts at 08:00
REMINDER_TEXT = "Bänkpåminnelse"
TARGET_RATE = 30.0
SEND_WORKERS = 8  # each worker's pool, the production default


@dataclass
class Round:
    workers: int
    updates: int
    posted_s: float = 0.0  # until the emulator had posted every update
    turned_s: float = 0.0  # until every update was turned
    reply_rate: float = 0.0  # replies/s, first arrival to last
    replied_s: float = 0.0  # until the last reply arrived
    reminders: int = 0
    backlog_rate: float = 0.0  # reminders/s, first arrival to last
    refused: int = 0  # 429s the emulator answered
    takeovers: list[float] = field(default_factory=list)  # seconds, one per kill
    update_cpu_ms: float = 0.0  # the workers' CPU time per update, its reply's send included
    reminder_cpu_ms: float = 0.0  # the workers' CPU time per reminder queued and sent

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.turned_s


class Arrivals:
    """When each message with `needle` reached the emulator, and how many per chat."""

    def __init__(self, needle: str) -> None:
        self.needle = needle
        self.times: list[float] = []
        self.per_chat: dict[str, int] = {}

    def __call__(self, entry: Entry) -> None:
        if entry.kind == "send" and self.needle in entry.body:
            self.times.append(time.monotonic())
            self.per_chat[entry.chat_key] = self.per_chat.get(entry.chat_key, 0) + 1

    def rate(self) -> float:
        """Sustained: from the first arrival to the last."""
        times = sorted(self.times)
        return (len(times) - 1) / (times[-1] - times[0])

    def check(self, patients, each: int) -> None:
        wrong = {
            person.name: self.per_chat.get(person.name, 0)
            for person in patients
            if self.per_chat.get(person.name, 0) != each
        }
        if wrong:
            raise RigFailed(f"{self.needle!r}: not exactly {each} per patient: {wrong}")


async def measure(args: argparse.Namespace, count: int, work_dir: Path) -> Round:
    with scratch_database(args.db, f"bench_workers_{count}") as url:
        rig = WorkerRig(
            url,
            count,
            work_dir=work_dir,
            env={"TICK_INTERVAL_SECONDS": str(args.tick), "SEND_WORKERS": str(SEND_WORKERS)},
            round_trip_seconds=args.rtt / 1000,
        )
        try:
            clinic = rig.open_clinic(args.patients)
            rig.add_reminders([REMINDER_AT], lambda slot: REMINDER_TEXT)
            await rig.start()
            result = Round(count, args.patients * args.texts)
            refused_before = rig.server.limits.refused
            await _updates_and_replies(rig, clinic.patients, args, result)
            await _reminder_backlog(rig, clinic.patients, result)
            result.refused = rig.server.limits.refused - refused_before
            result.takeovers = await _takeovers(rig, args.tick)
            _check_logs(rig)
            return result
        finally:
            await rig.stop()


async def _updates_and_replies(rig: WorkerRig, patients, args, result: Round) -> None:
    replies = Arrivals(HELP_REPLY)
    rig.world.entry_listeners.append(replies)
    cpu = rig.cpu_seconds()
    started = time.monotonic()
    for _ in range(args.texts):
        for person in patients:
            rig.world.send_text(person, rig.world.private_chat(person), "/help")
    result.posted_s = await rig.until(lambda: not rig.world.updates, 600, "every update posted")
    await rig.until(lambda: _turned(rig, result.updates), 600, "every update turned", 0.02)
    result.turned_s = time.monotonic() - started
    await rig.until(lambda: len(replies.times) >= result.updates, 600, "every reply arrived")
    result.replied_s = time.monotonic() - started
    await rig.until_idle(60)
    result.update_cpu_ms = (rig.cpu_seconds() - cpu) * 1000 / result.updates
    replies.check(patients, args.texts)
    result.reply_rate = replies.rate()


async def _reminder_backlog(rig: WorkerRig, patients, result: Round) -> None:
    """One reminder per patient falls due at once: the tick queues them all, the workers
    drain the outbox together."""
    reminders = Arrivals(REMINDER_TEXT)
    rig.world.entry_listeners.append(reminders)
    cpu = rig.cpu_seconds()
    rig.at(REMINDER_AT)
    await rig.until(lambda: len(reminders.times) >= len(patients), 600, "every reminder")
    await rig.until_idle(60)
    result.reminder_cpu_ms = (rig.cpu_seconds() - cpu) * 1000 / len(patients)
    reminders.check(patients, 1)
    result.reminders = len(patients)
    result.backlog_rate = reminders.rate()


def _turned(rig: WorkerRig, expected: int) -> bool:
    stored, waiting = rig.sql("SELECT COUNT(*), COUNT(*) - COUNT(processed_at) FROM inbox")[0]
    return stored == expected and waiting == 0


async def _takeovers(rig: WorkerRig, tick: float) -> list[float]:
    """Kill the lease's holder, time the next worker's taking it; until one worker is left."""
    seconds = []
    for _ in range(rig.count - 1):
        await rig.until(lambda: rig.lease_holder() is not None, 10 * tick, "a lease holder")
        holder = rig.lease_holder()
        rig.kill(holder)
        killed = time.monotonic()
        await rig.until(
            lambda dead=holder: rig.lease_holder() not in (None, dead),
            10 * tick,
            "a takeover",
            0.005,
        )
        seconds.append(time.monotonic() - killed)
        await rig.wait_exited(holder)
    return seconds


def _check_logs(rig: WorkerRig) -> None:
    errors = rig.error_lines()
    if errors:
        raise RigFailed(f"a worker logged an error: {errors}")


def _ratio(value: float, base: float) -> str:
    return f"x{value / base:.2f}"


def report(rounds: list[Round], tick: float) -> None:
    base = rounds[0]
    print()
    print(
        "workers | updates/s (ratio) | replies/s (ratio) | backlog sends/s, % of 30/s (ratio)"
        " | 429s | CPU ms/update | takeover s (in tick intervals)"
    )
    for r in rounds:
        takeover = ", ".join(f"{s:.2f} ({s / tick:.2f})" for s in r.takeovers) or "-"
        updates_ratio = _ratio(r.updates_per_s, base.updates_per_s)
        print(
            f"{r.workers:7d} | {r.updates_per_s:6.1f} ({updates_ratio})"
            f" | {r.reply_rate:6.2f} ({_ratio(r.reply_rate, base.reply_rate)})"
            f" | {r.backlog_rate:6.2f}, {r.backlog_rate / TARGET_RATE:.1%}"
            f" ({_ratio(r.backlog_rate, base.backlog_rate)}) | {r.refused:4d}"
            f" | {r.update_cpu_ms:5.1f} | {takeover}"
        )
    print(
        f"workers {_joined(r.workers for r in rounds)}:"
        f" updates/s {_series(rounds, lambda r: r.updates_per_s)};"
        f" replies/s {_series(rounds, lambda r: r.reply_rate)};"
        f" sends/s {_series(rounds, lambda r: r.backlog_rate)};"
        f" takeover s {_joined(f'{max(r.takeovers):.2f}' if r.takeovers else '-' for r in rounds)};"
        f" {sum(r.refused for r in rounds)} x 429"
    )


def _joined(values) -> str:
    return "/".join(str(value) for value in values)


def _series(rounds: list[Round], value) -> str:
    """`A/B/C (xA/xB/xC)`: the values, then their ratios to the first round's."""
    base = value(rounds[0])
    numbers = _joined(f"{value(r):.1f}" for r in rounds)
    return f"{numbers} ({_joined(_ratio(value(r), base) for r in rounds)})"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_SERVER, help="a PostgreSQL server's URL")
    parser.add_argument("--quick", action="store_true", help="60 patients, one text each")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, the first the base")
    parser.add_argument("--patients", type=int, help="patients (default 300; --quick 60)")
    parser.add_argument("--texts", type=int, help="/help per patient (default 2; --quick 1)")
    parser.add_argument("--tick", type=float, default=2.0, help="TICK_INTERVAL_SECONDS")
    parser.add_argument("--rtt", type=float, default=0.0, help="round trip added, in ms")
    args = parser.parse_args(argv)
    args.counts = [int(n) for n in args.workers.split(",")]
    if args.patients is None:
        args.patients = 60 if args.quick else 300
    if args.texts is None:
        args.texts = 1 if args.quick else 2
    if not 1 <= args.texts <= 5:
        parser.error("--texts must be 1 to 5 (a private chat's burst is 6 messages)")
    return args


async def run(args: argparse.Namespace) -> list[Round]:
    problem = server_answers(args.db)
    if problem is not None:
        raise SystemExit(f"no PostgreSQL server at {args.db} ({problem})")
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        for count in args.counts:
            print(
                f"{count} worker(s): {args.patients} patients x {args.texts} /help,"
                f" tick {args.tick:g} s, {args.rtt:g} ms round trip ...",
                flush=True,
            )
            work_dir = Path(tmp) / f"w{count}"
            work_dir.mkdir()
            r = await measure(args, count, work_dir)
            print(
                f"    (a) {r.updates} updates posted in {r.posted_s:.1f} s, turned in"
                f" {r.turned_s:.1f} s: {r.updates_per_s:.1f}/s"
            )
            print(
                f"    (b) replies sustained {r.reply_rate:.2f}/s, the last after"
                f" {r.replied_s:.1f} s; the workers' CPU: {r.update_cpu_ms:.1f} ms an update"
            )
            print(
                f"    (c) {r.reminders} reminders due at once, sent at {r.backlog_rate:.2f}/s ="
                f" {r.backlog_rate / TARGET_RATE:.1%} of 30/s; {r.refused} x 429 in all;"
                f" the workers' CPU: {r.reminder_cpu_ms:.1f} ms a reminder"
            )
            if r.takeovers:
                print(
                    "    (d) tick lease taken over after "
                    + ", ".join(f"{s:.2f} s" for s in r.takeovers)
                    + f" (median {statistics.median(r.takeovers):.2f} s; tick {args.tick:g} s)"
                )
            rounds.append(r)
    report(rounds, args.tick)
    return rounds


def main(argv: list[str] | None = None) -> list[Round]:
    return asyncio.run(run(parse(argv)))


if __name__ == "__main__":
    main()
