"""Dialogue rate: the real bot's diary turns against bare python-telegram-bot, in one run.

    python -m bench.dialogue_rate [--quick] [--patients N] [--rounds N] [--batch N]
                                  [--profile FILE] [--folder DIR]

Run from the repository root: it imports the in-process harness from `tests/`.

Ours: the real `Application` with the real handlers, runtime and SQLite database, Telegram
replaced by the in-process harness's `OfflineRequest` (as python-telegram-bot's own tests do;
`tests/harness/inprocess.py`). Patients are enrolled through the real routes (/invite, /start,
consent). Each round, every patient does one diary entry in four updates: /diary, a part
button, a text, a mood button. Each step's updates (one per patient) go the production way,
as the InboxPoller does with one getUpdates answer: stored in the inbox in one transaction,
then `InboxPoller.handle_fresh` (`Update.de_json`, `process_update`, the turn).
Reading the buttons' callback data from the outbox to build the next step is not timed.

Bare: an `Application` with one `MessageHandler` echoing text through the same kind of
offline request, fed with `Update.de_json` + `process_update`.

Each of our steps runs next to a chunk of bare updates (the order flips every round), so the
shared machine's load falls on both sides alike; the last line is the median of the
per-round ratios (ours updates/s ÷ bare updates/s). A separate, untimed round counts SQL
statements (sqlite3 `set_trace_callback`), transactions (BEGIN/COMMIT) and hops to the
database thread per update. At the end the diary entries are checked in the database (one
per patient and round, with the texts sent), so a broken path cannot pass for a fast one.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):  # `python bench/dialogue_rate.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.telegram.polling import InboxPoller  # noqa: E402
from tests.harness.inprocess import (  # noqa: E402
    BOT_USER,
    TOKEN,
    InProcessBot,
    OfflineRequest,
    Person,
)

STEPS = ("open", "part", "text", "mood")
PART = "morning"
MOOD = 6
FIRST_UPDATE_ID = 10**9  # above the harness's own ids (enrollment)
FIRST_PATIENT_ID = 10_000


# ---------------------------------------------------------------------------- payloads


class Payloads:
    """Telegram's JSON for the updates the benchmark sends (private chats only)."""

    def __init__(self, date: int) -> None:
        self.date = date
        self._update_ids = iter(range(FIRST_UPDATE_ID, 10**12))
        self._message_ids = iter(range(FIRST_UPDATE_ID, 10**12))

    def _message(self, user_id: int, extra: dict) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": "P", "language_code": "sv"}
        return {
            "message_id": next(self._message_ids),
            "date": self.date,
            "chat": {"id": user_id, "type": "private", "first_name": "P"},
            "from": user,
            **extra,
        }

    def text(self, user_id: int, text: str) -> dict:
        return {
            "update_id": next(self._update_ids),
            "message": self._message(user_id, {"text": text}),
        }

    def command(self, user_id: int, name: str) -> dict:
        entity = {"type": "bot_command", "offset": 0, "length": len(name) + 1}
        extra = {"text": f"/{name}", "entities": [entity]}
        return {"update_id": next(self._update_ids), "message": self._message(user_id, extra)}

    def press(self, user_id: int, data: str) -> dict:
        message = self._message(user_id, {"text": "…"})
        message["from"] = BOT_USER
        query = {
            "id": str(next(self._message_ids)),
            "from": {"id": user_id, "is_bot": False, "first_name": "P", "language_code": "sv"},
            "chat_instance": f"ci-{user_id}",
            "data": data,
            "message": message,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}


def activity_text(round_no: int, user_id: int) -> str:
    return f"Promenad {round_no}-{user_id}"


# ---------------------------------------------------------------------------- our bot


@dataclass
class Ours:
    bot: InProcessBot
    poller: InboxPoller
    patients: list[Person]
    payloads: Payloads
    rounds_done: int = 0
    profiler: cProfile.Profile | None = None  # enabled around the timed part only
    batch: int | None = None  # updates per getUpdates answer; None: one step of all patients
    sent: list[str] = field(default_factory=list)  # activity texts sent, for the check

    @classmethod
    async def start(cls, folder: Path, patients: int) -> Ours:
        # SQLite, the embedded default this measures (its statements counted by sqlite3's
        # trace), also when the tests run their second pass on PostgreSQL.
        bot = await InProcessBot.start(folder, target=str(folder / "bot.sqlite3"))
        therapist = await bot.add_staff(100, "Anna")
        people = [
            await bot.enrol_patient(therapist, FIRST_PATIENT_ID + i, f"P{i}")
            for i in range(patients)
        ]
        poller = InboxPoller(bot.application, bot.database, bot.clock)
        return cls(bot, poller, people, Payloads(int(bot.clock.now().timestamp())))

    def _step_payloads(self, step: str, round_no: int) -> list[dict]:
        made = []
        for person in self.patients:
            uid = person.user_id
            if step == "open":
                made.append(self.payloads.command(uid, "diary"))
            elif step == "part":
                made.append(
                    self.payloads.press(uid, self.bot.button_data(person, rf"\d+\|part:{PART}$"))
                )
            elif step == "text":
                text = activity_text(round_no, uid)
                self.sent.append(text)
                made.append(self.payloads.text(uid, text))
            else:
                made.append(
                    self.payloads.press(uid, self.bot.button_data(person, rf"\d+\|mood:{MOOD}$"))
                )
        return made

    async def deliver(self, batch: list[dict]) -> None:
        """What the InboxPoller does with one getUpdates answer: store the batch in one
        transaction, then hand the parsed updates to their turns (no read back)."""
        _, stored = await self.poller.store(batch, None)
        await self.poller.handle_fresh(stored)

    def start_round(self) -> int:
        """A fresh day, so every round writes new rows; returns the round's number."""
        self.bot.advance(timedelta(days=1))
        self.payloads.date = int(self.bot.clock.now().timestamp())
        self.rounds_done += 1
        return self.rounds_done - 1

    async def step(self, step: str, round_no: int) -> tuple[int, float]:
        """One diary step for every patient; returns (updates, seconds timed). Building the
        payloads (reading the buttons from the outbox) is not timed."""
        batch = self._step_payloads(step, round_no)
        if self.profiler:
            self.profiler.enable()
        size = self.batch or len(batch)
        started = time.perf_counter()
        for first in range(0, len(batch), size):
            await self.deliver(batch[first : first + size])
        took = time.perf_counter() - started
        if self.profiler:
            self.profiler.disable()
        return len(batch), took

    async def round(self, on_step=None) -> tuple[int, float]:
        """One diary entry per patient, on a new day; returns (updates, seconds timed)."""
        round_no = self.start_round()
        updates, took = 0, 0.0
        for step in STEPS:
            if on_step:
                on_step(step)
            done, seconds = await self.step(step, round_no)
            updates, took = updates + done, took + seconds
        return updates, took

    def check(self) -> int:
        """The rows this run must have written; raises if anything is missing or wrong."""
        bot = self.bot
        problems = []
        if bot.errors or bot.apologies() or bot.unhandled_updates() or bot.outbox_not_pending():
            problems.append(
                f"errors {len(bot.errors)}, apologies {len(bot.apologies())},"
                f" unhandled {len(bot.unhandled_updates())}"
            )
        stored = {
            row[0]
            for row in bot.conn.execute(
                "SELECT activity FROM diary_entries WHERE part = ? AND mood = ?", (PART, MOOD)
            )
        }
        missing = [text for text in self.sent if text not in stored]
        if missing:
            problems.append(f"{len(missing)} of {len(self.sent)} diary entries not stored")
        if problems:
            raise SystemExit("dialogue_rate: the bot did not do the work: " + "; ".join(problems))
        return len(self.sent)


# ---------------------------------------------------------------------------- bare PTB


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


@dataclass
class Bare:
    application: Application
    payloads: Payloads

    @classmethod
    async def start(cls) -> Bare:
        application = (
            Application.builder()
            .token(TOKEN)
            .updater(None)
            .request(OfflineRequest())
            .get_updates_request(OfflineRequest())
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
        await application.initialize()
        return cls(application, Payloads(0))

    async def chunk(self, size: int) -> tuple[int, float]:
        batch = [self.payloads.text(FIRST_PATIENT_ID + i % 50, f"echo {i}") for i in range(size)]
        bot = self.application.bot
        started = time.perf_counter()
        for payload in batch:
            await self.application.process_update(Update.de_json(payload, bot))
        return len(batch), time.perf_counter() - started

    def echoed(self) -> int:
        request: OfflineRequest = self.application.bot.request  # type: ignore[assignment]
        return sum(1 for name, _ in request.calls if name == "sendMessage")


# ---------------------------------------------------------------------------- counting


@dataclass
class Counts:
    statements: Counter = field(default_factory=Counter)  # per step: SQL statements
    kinds: Counter = field(default_factory=Counter)  # SELECT / INSERT / ... over the round
    begins: int = 0
    commits: int = 0
    hops: int = 0
    step: str = ""


async def count_round(ours: Ours) -> tuple[int, Counts]:
    """One untimed round with every SQL statement and database hop counted."""
    counts = Counts()
    database = ours.bot.database

    def trace(sql: str) -> None:
        if sql.startswith("--"):  # a trigger's body, reported as a comment
            return
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        counts.statements[counts.step] += 1
        counts.kinds[word] += 1
        if word == "BEGIN":
            counts.begins += 1
        elif word in ("COMMIT", "END"):
            counts.commits += 1

    original_call = database.call

    async def counted_call(work):
        counts.hops += 1
        return await original_call(work)

    def on_step(step: str) -> None:
        counts.step = step

    await database.call(lambda conn: conn.set_trace_callback(trace))
    database.call = counted_call  # type: ignore[method-assign]  # transaction() goes through it
    try:
        updates, _ = await ours.round(on_step)
    finally:
        database.call = original_call  # type: ignore[method-assign]
        await database.call(lambda conn: conn.set_trace_callback(None))
    return updates, counts


# ---------------------------------------------------------------------------- profile


async def profile_round(ours: Ours, top: int) -> str:
    """cProfile one round: the event loop's thread and the database thread separately
    (a profiler sees only the thread it was enabled on)."""
    main, worker = cProfile.Profile(), cProfile.Profile()
    # The database thread does only the bot's work (the buttons are read on this thread).
    await ours.bot.database.call(lambda conn: worker.enable())
    ours.profiler = main
    try:
        updates, took = await ours.round()
    finally:
        ours.profiler = None
        await ours.bot.database.call(lambda conn: worker.disable())
    out = io.StringIO()
    out.write(f"profile of one round: {updates} updates, {took * 1000:.0f} ms timed\n")
    for name, profile in (("event-loop thread", main), ("database thread", worker)):
        for order in ("tottime", "cumulative"):
            out.write(f"\n==== {name}, by {order} ====\n")
            pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
    return out.getvalue()


# ---------------------------------------------------------------------------- main


@dataclass
class Config:
    patients: int
    rounds: int
    bare_updates: int
    folder: Path | None = None
    profile: str | None = None  # a file to write the profile to
    profile_top: int = 30
    batch: int | None = None


async def interleaved_round(
    ours: Ours, bare: Bare, config: Config, bare_first: bool
) -> tuple[float, float]:
    """One round: each of our four steps next to a quarter of the bare updates, so a change
    in the machine's load falls on both sides alike. Returns (ours, bare) updates/s."""
    round_no = ours.start_round()
    totals = {"ours": [0, 0.0], "bare": [0, 0.0]}
    chunk = config.bare_updates // len(STEPS)
    for step in STEPS:
        for name in ("bare", "ours") if bare_first else ("ours", "bare"):
            if name == "ours":
                updates, seconds = await ours.step(step, round_no)
            else:
                updates, seconds = await bare.chunk(chunk)
            totals[name][0] += updates
            totals[name][1] += seconds
    return totals["ours"][0] / totals["ours"][1], totals["bare"][0] / totals["bare"][1]


async def run(config: Config) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = config.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        setup_started = time.perf_counter()
        ours = await Ours.start(folder, config.patients)
        ours.batch = config.batch
        bare = await Bare.start()
        print(
            f"set-up: {config.patients} patients enrolled through the routes in"
            f" {time.perf_counter() - setup_started:.1f} s; {threading.active_count()} threads",
            flush=True,
        )
        await ours.round()  # warm-up, both sides
        await bare.chunk(config.bare_updates)
        rows = []
        for number in range(config.rounds):
            ours_rate, bare_rate = await interleaved_round(ours, bare, config, number % 2 == 1)
            rows.append((ours_rate, bare_rate, ours_rate / bare_rate))
            print(
                f"round {number + 1}: ours {ours_rate:8.1f} updates/s"
                f"  bare PTB {bare_rate:8.1f} updates/s  ratio {ours_rate / bare_rate:.3f}",
                flush=True,
            )
        updates, counts = await count_round(ours)
        profile = None
        if config.profile:
            profile = await profile_round(ours, config.profile_top)
            Path(config.profile).write_text(profile)
        entries = ours.check()
        echoed = bare.echoed()
        await ours.bot.close()
        await bare.application.shutdown()

    ratio = statistics.median(row[2] for row in rows)
    ours_median = statistics.median(row[0] for row in rows)
    bare_median = statistics.median(row[1] for row in rows)
    per = {step: counts.statements[step] / config.patients for step in STEPS}
    print(f"ours (production path: store, then turn): {ours_median:.1f} updates/s (median)")
    print(f"bare PTB echo (process_update):           {bare_median:.1f} updates/s (median)")
    print(
        f"per update (one counted round, {updates} updates): "
        f"{counts.begins / updates:.2f} transactions"
        f" (BEGIN; {counts.commits / updates:.2f} COMMIT),"
        f" {sum(counts.statements.values()) / updates:.1f} SQL statements,"
        f" {counts.hops / updates:.2f} hops to the database thread"
    )
    print("SQL statements per step: " + ", ".join(f"{s} {per[s]:.1f}" for s in STEPS))
    print("SQL statements by kind: " + ", ".join(f"{k} {n}" for k, n in counts.kinds.most_common()))
    print(f"checked: {entries} diary entries stored with their texts; bare echoed {echoed}")
    if config.profile:
        print(f"profile written to {config.profile}")
    print(f"ratio to bare PTB: {ratio:.2f}")
    return {
        "ratio": ratio,
        "ours": ours_median,
        "bare": bare_median,
        "entries": entries,
        "transactions_per_update": counts.begins / updates,
        "statements_per_update": sum(counts.statements.values()) / updates,
        "profile": profile,
    }


def parse(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m bench.dialogue_rate", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 patients, 5 rounds")
    parser.add_argument("--patients", type=int, help="patients (default 40)")
    parser.add_argument("--rounds", type=int, help="interleaved timed rounds (default 11)")
    parser.add_argument("--bare-updates", type=int, help="bare PTB updates a round (default 2000)")
    parser.add_argument(
        "--batch", type=int, help="updates per getUpdates answer (default: all patients' step)"
    )
    parser.add_argument("--folder", type=Path, help="keep the database in this folder")
    parser.add_argument("--profile", metavar="FILE", help="cProfile one extra round into FILE")
    args = parser.parse_args(argv)
    patients, rounds, bare_updates = (10, 5, 500) if args.quick else (40, 11, 2000)
    rounds = args.rounds if args.rounds is not None else rounds
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    return Config(
        patients=args.patients or patients,
        rounds=rounds,
        bare_updates=args.bare_updates or bare_updates,
        folder=args.folder,
        profile=args.profile,
        batch=args.batch,
    )


def main(argv: list[str] | None = None) -> dict:
    return asyncio.run(run(parse(argv)))


if __name__ == "__main__":
    main()
