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
(b) sends/s: the replies (one per /help, to as many private chats as patients, so the one
    token's 30/s binds, not a chat's 1/s), sustained from the first arrival to the last.
(c) takeover: SIGKILL the holder of the tick lease; the time until another worker holds it
    (the leases row, read every 5 ms), again for each worker left but one (4 workers: three
    takeovers). A takeover is due within 0.75 of a tick interval (docs/reliability.md).

Every reply is checked to have arrived exactly once, else the run stops with an error.
Ratios are against the one-worker round of the same run; the last line reads
`workers 1/2/4: updates/s A/B/C (xA/xB/xC); sends/s ... (x...); takeover s -/B/C; N x 429`.
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
from pathlib import Path

if __package__ in (None, ""):  # `python bench/workers.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.devtools.emulator.world import Entry  # noqa: E402
from bot.devtools.worker_rig import (  # noqa: E402
    RigFailed,
    WorkerRig,
    scratch_database,
    server_answers,
)

DEFAULT_SERVER = "postgresql://ikbt:ikbt@127.0.0.1:55432/ikbt"
HELP_REPLY = "Det här kan du göra"  # the start of the patient's /help answer
TARGET_RATE = 30.0
SEND_WORKERS = 8  # each worker's pool, the production default


@dataclass
class Round:
    workers: int
    updates: int
    posted_s: float = 0.0  # until the emulator had posted every update
    turned_s: float = 0.0  # until every update was turned
    sent_rate: float = 0.0  # replies/s, first arrival to last
    sent_s: float = 0.0  # until the last reply arrived
    refused: int = 0  # 429s the emulator answered
    takeovers: list[float] = field(default_factory=list)  # seconds, one per kill

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.turned_s


class Replies:
    """When each /help answer reached the emulator, per chat."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.per_chat: dict[str, int] = {}

    def __call__(self, entry: Entry) -> None:
        if entry.kind == "send" and entry.body.startswith(HELP_REPLY):
            self.times.append(time.monotonic())
            self.per_chat[entry.chat_key] = self.per_chat.get(entry.chat_key, 0) + 1


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
            await rig.start()
            result = Round(count, args.patients * args.texts)
            await _updates_and_sends(rig, clinic.patients, args, result)
            result.takeovers = await _takeovers(rig, args.tick)
            _check_logs(rig)
            return result
        finally:
            await rig.stop()


async def _updates_and_sends(rig: WorkerRig, patients, args, result: Round) -> None:
    replies = Replies()
    rig.world.entry_listeners.append(replies)
    refused_before = rig.server.limits.refused
    started = time.monotonic()
    for _ in range(args.texts):
        for person in patients:
            rig.world.send_text(person, rig.world.private_chat(person), "/help")
    result.posted_s = await rig.until(lambda: not rig.world.updates, 600, "every update posted")
    await rig.until(lambda: _turned(rig, result.updates), 600, "every update turned", 0.02)
    result.turned_s = time.monotonic() - started
    await rig.until(lambda: len(replies.times) >= result.updates, 600, "every reply arrived")
    result.sent_s = time.monotonic() - started
    await rig.until_idle(60)
    result.refused = rig.server.limits.refused - refused_before
    wrong = {
        person.name: replies.per_chat.get(person.name, 0)
        for person in patients
        if replies.per_chat.get(person.name, 0) != args.texts
    }
    if wrong:
        raise RigFailed(f"replies not exactly {args.texts} per patient: {wrong}")
    times = sorted(replies.times)
    result.sent_rate = (len(times) - 1) / (times[-1] - times[0])


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
        "workers | updates/s | ratio | sends/s (% of 30/s) | ratio | 429s | takeover s (of a tick)"
    )
    for r in rounds:
        takeover = (
            "-" if not r.takeovers else ", ".join(f"{s:.2f} ({s / tick:.2f})" for s in r.takeovers)
        )
        updates_ratio = _ratio(r.updates_per_s, base.updates_per_s)
        print(
            f"{r.workers:7d} | {r.updates_per_s:9.1f} | {updates_ratio}"
            f" | {r.sent_rate:6.2f} ({r.sent_rate / TARGET_RATE:.1%}) |"
            f" {_ratio(r.sent_rate, base.sent_rate)} | {r.refused:4d} | {takeover}"
        )
    counts = "/".join(str(r.workers) for r in rounds)
    updates = "/".join(f"{r.updates_per_s:.1f}" for r in rounds)
    update_ratios = "/".join(_ratio(r.updates_per_s, base.updates_per_s) for r in rounds)
    sends = "/".join(f"{r.sent_rate:.1f}" for r in rounds)
    send_ratios = "/".join(_ratio(r.sent_rate, base.sent_rate) for r in rounds)
    takeovers = "/".join(f"{max(r.takeovers):.2f}" if r.takeovers else "-" for r in rounds)
    refused = sum(r.refused for r in rounds)
    print(
        f"workers {counts}: updates/s {updates} ({update_ratios}); sends/s {sends}"
        f" ({send_ratios}); takeover s {takeovers}; {refused} x 429"
    )


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
                f"    (b) replies sustained {r.sent_rate:.2f}/s = {r.sent_rate / TARGET_RATE:.1%}"
                f" of 30/s, the last after {r.sent_s:.1f} s; {r.refused} x 429"
            )
            if r.takeovers:
                print(
                    "    (c) tick lease taken over after "
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
