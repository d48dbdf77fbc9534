"""Benchmark for "Reminders that arrive on time, once": the reminder tick at scale.

    python -m bench.tick_scale                 # 100,000 patients, 10,000 due in one minute
    python -m bench.tick_scale --quick         # 10,000 patients (all of them due)
    python -m bench.tick_scale --patients N    # any N
    python -m bench.tick_scale --profile       # also cProfile the select-and-queue
    python -m bench.tick_scale --auto-checkpoint    # SQLite's checkpoints inside the commits

One run measures, and prints as numbers and ratios (no pass/fail):
(a) set-up: a temp SQLite database (storage.database.migrate_sync), one unit, one therapist,
    N enrolled patients, each with the depression program's diary schedule (19:00
    Europe/Stockholm, re-send after 120 min, grace 600 min, 21 days), planned in bulk exactly
    as bot.reminders.planning.replan would (checked against replan on a sample). 10,000 of
    them fall due in the same minute; the others start on a later day. Not a target.
(b) select-and-queue: at that minute, bot.reminders.tick.run_batch repeatedly, each call in
    its own storage.database.run_in_transaction, stopping as the production Ticker does (a
    batch smaller than BATCH_SIZE); total time and the longest single batch transaction.
    The connection leaves WAL checkpoints to the checkpoint job as the bot's does
    (storage/checkpoint.py); that job's run after the tick is timed apart
    (--auto-checkpoint: SQLite's own checkpoints inside the commits, as before the job).
    Then the tick is checked: exactly 10,000 outbox rows with distinct dedupe keys, every
    advanced schedule's next_due_at is the next day's 19:00 local, nothing else changed,
    nothing still due, and a second tick does nothing.
(c) start-up: a fresh process opens the database (storage.database.Database.open: connect,
    configure, migration check) and runs a first run_batch with nothing due.
(d) memory: a fresh process opens a copy of the set-up database and runs the production
    Ticker.tick() over it (FixedClock at the due minute); its VmHWM / VmRSS.
(e) baseline: APScheduler 3 BackgroundScheduler with a MemoryJobStore, one cron job per
    patient at 19:00 Europe/Stockholm: time to add them, start-up and RSS of that process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE_NAME = "Europe/Stockholm"
ZONE = ZoneInfo(ZONE_NAME)
DUE_DATE = date(2026, 5, 12)  # a Tuesday with no daylight-saving change on either side
AT = dtime(19, 0)
DUE_COUNT = 10_000
SETUP_NOW = datetime.combine(DUE_DATE, dtime(18, 0), tzinfo=ZONE).astimezone(UTC)
TICK_NOW = datetime.combine(DUE_DATE, dtime(19, 0, 20), tzinfo=ZONE).astimezone(UTC)
# The depression program's diary default (programs/depression/program.yaml).
DIARY = {"grace": 600, "resend": 120, "days": 21, "earliest": "07:00", "latest": "21:00"}
RESEND = timedelta(minutes=DIARY["resend"])
# The depression program's diary parts per day, passed to run_batch as bot/app.py does (the
# evening reminder is skipped for a day already filled in; here no day is).
DIARY_PARTS = {"depression": 4}

TARGETS = {"tick_s": 1.0, "startup_s": 3.0, "rss_mib": 200.0}

REPO_ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------- helpers


def memory() -> dict[str, float]:
    """This process's peak and current resident memory, MiB."""
    found = {"maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return found


def local_19(day: date) -> datetime:
    return datetime.combine(day, AT, tzinfo=ZONE).astimezone(UTC)


def run_child(role: str, *args: str) -> tuple[dict, float]:
    """Run this module as a child process; returns (its JSON report, spawn epoch)."""
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "bench.tick_scale", "--child", role, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {role} failed:\n{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["process_wall_s"] = time.time() - spawned
    return report, spawned


def mib(value: float) -> str:
    return f"{value:7.1f} MiB"


def secs(value: float) -> str:
    return f"{value * 1000:8.1f} ms" if value < 1 else f"{value:8.2f} s "


# ---------------------------------------------------------------------------- (a) set-up


def set_up(path: Path, patients: int, due_count: int) -> tuple[list[int], dict]:
    """Build the database; returns the ids of the schedules due at TICK_NOW and timings."""
    from storage.database import connect_sync, migrate_sync
    from storage.timefmt import to_db

    timings = {}
    started = time.perf_counter()
    conn = connect_sync(path)
    migrate_sync(conn)
    timings["migrate_s"] = time.perf_counter() - started

    started = time.perf_counter()
    created = to_db(SETUP_NOW - timedelta(days=30))
    due = set(random.Random(42).sample(range(1, patients + 1), due_count))
    planned_by_day: dict[date, str] = {}

    def planned(day: date) -> str:
        if day not in planned_by_day:
            planned_by_day[day] = to_db(local_19(day))
        return planned_by_day[day]

    patient_rows, enrollment_rows, schedule_rows = [], [], []
    for pid in range(1, patients + 1):
        chat_id = 5_000_000_000 + pid
        language = "en" if pid % 5 == 0 else "sv"
        patient_rows.append((pid, f"p{pid:06d}", chat_id, chat_id, language, created, created))
        enrollment_rows.append((pid, created, created))
        if pid in due:  # day 1..20 of its 21-day diary: today's 19:00 is the next one
            start = DUE_DATE - timedelta(days=pid % (DIARY["days"] - 1))
        else:  # enrolled recently: the diary starts on a later day
            start = DUE_DATE + timedelta(days=1 + pid % 20)
        end = start + timedelta(days=DIARY["days"] - 1)
        first = planned(max(start, DUE_DATE))  # setup "now" is 18:00 local on DUE_DATE
        schedule_rows.append(
            (
                pid,
                pid,
                start.isoformat(),
                end.isoformat(),
                DIARY["grace"],
                DIARY["resend"],
                DIARY["earliest"],
                DIARY["latest"],
                first,
                first,
                created,
                created,
            )
        )
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO units (id, name, timezone, created_at) VALUES (1, 'Bench unit', ?, ?)",
        (ZONE_NAME, created),
    )
    conn.execute(
        "INSERT INTO staff (id, unit_id, name, telegram_user_id, language, created_at)"
        " VALUES (1, 1, 'Therapist', 1001, 'sv', ?)",
        (created,),
    )
    conn.execute("INSERT INTO staff_roles (staff_id, role) VALUES (1, 'therapist')")
    conn.executemany(
        "INSERT INTO patients (id, unit_id, therapist_id, label, telegram_user_id, chat_id,"
        " language, consented_at, created_at) VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?)",
        patient_rows,
    )
    conn.executemany(
        "INSERT INTO enrollments (patient_id, program, started_at, module_started_at)"
        " VALUES (?, 'depression', ?, ?)",
        enrollment_rows,
    )
    conn.executemany(
        "INSERT INTO schedules (id, patient_id, kind, times, start_date, end_date,"
        " grace_minutes, resend_after_minutes, earliest, latest, source, next_occurrence,"
        " next_due_at, created_at, updated_at)"
        " VALUES (?, ?, 'diary', '19:00', ?, ?, ?, ?, ?, ?, 'program', ?, ?, ?, ?)",
        schedule_rows,
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["insert_s"] = time.perf_counter() - started
    timings["db_mib"] = path.stat().st_size / 2**20
    timings["replan_check"] = check_planning(conn, patients)
    conn.close()
    return sorted(due), timings


def check_planning(conn: sqlite3.Connection, patients: int, sample: int = 500) -> str:
    """The bulk-planned next_occurrence/next_due_at equal what replan computes."""
    from bot.reminders.planning import next_after
    from storage import schedules
    from storage.timefmt import to_db

    ids = random.Random(7).sample(range(1, patients + 1), min(sample, patients))
    same = 0
    for schedule_id in ids:
        target = schedules.with_patient(conn, schedule_id)
        occurrence, due_at = next_after(target, SETUP_NOW)
        row = conn.execute(
            "SELECT next_occurrence, next_due_at FROM schedules WHERE id = ?", (schedule_id,)
        ).fetchone()
        same += (row[0], row[1]) == (to_db(occurrence), to_db(due_at))
    return f"{same}/{len(ids)} sampled schedules equal to planning.next_after"


# ---------------------------------------------------------------------------- (b) the tick


def select_and_queue(path: Path, profile: bool, auto_checkpoint: bool = False) -> dict:
    from bot.reminders.tick import BATCH_SIZE, run_batch
    from storage.checkpoint import checkpoint, leave_checkpoints_to_the_job
    from storage.database import connect_sync, run_in_transaction

    conn = connect_sync(path)
    if not auto_checkpoint:  # as bot/app.py: the checkpoint job copies the log, not a commit
        leave_checkpoints_to_the_job(conn)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    batches = []
    handled_total = 0
    started = time.perf_counter()
    while True:
        batch_started = time.perf_counter()
        if profiler:
            profiler.enable()
        handled = run_in_transaction(
            conn, lambda c: run_batch(c, TICK_NOW, diary_parts=DIARY_PARTS)
        )
        if profiler:
            profiler.disable()
        batches.append(time.perf_counter() - batch_started)
        handled_total += handled
        if handled < BATCH_SIZE:  # as Ticker.tick: a partial batch means nothing more is due
            break
    total = time.perf_counter() - started
    checkpoint_started = time.perf_counter()
    if not auto_checkpoint:  # the job's next run, timed apart: it does not hold up the writer
        checkpoint(path)
    checkpointed = time.perf_counter() - checkpoint_started
    conn.close()
    if profiler:
        import pstats

        print("\n--- cProfile of select-and-queue (top 45 by cumulative time) ---")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return {
        "total_s": total,
        "batches": len(batches),
        "batch_size": BATCH_SIZE,
        "handled": handled_total,
        "max_batch_s": max(batches),
        "median_batch_s": statistics.median(batches),
        "per_reminder_us": total / max(handled_total, 1) * 1e6,
        "checkpoint_s": checkpointed,
    }


def verify(path: Path, due_ids: list[int], patients: int) -> list[tuple[str, bool, str]]:
    """Correctness of the tick at scale: (check, ok, detail)."""
    from bot.reminders.tick import run_batch
    from storage import schedules
    from storage.database import connect_sync, run_in_transaction
    from storage.timefmt import to_db

    conn = connect_sync(path)
    checks = []
    total, distinct, reminder_lane = conn.execute(
        "SELECT count(*), count(DISTINCT dedupe_key), sum(lane = 3 AND status = 'pending')"
        " FROM outbox"
    ).fetchone()
    n = len(due_ids)
    checks.append(("outbox rows", total == n, f"{total} (expected {n})"))
    checks.append(("distinct dedupe keys", distinct == n, f"{distinct}"))
    checks.append(("pending reminder-lane rows", reminder_lane == n, f"{reminder_lane}"))
    chats = conn.execute(
        "SELECT count(*) FROM outbox o JOIN patients p ON p.chat_id = o.chat_id"
        " WHERE p.id IN (SELECT patient_id FROM reminders)"
    ).fetchone()[0]
    checks.append(("each row goes to its own patient's chat", chats == n, f"{chats}"))
    opened = conn.execute(
        "SELECT count(*), count(DISTINCT schedule_id) FROM reminders WHERE status = 'open'"
        " AND occurrence = ? AND check_at = ?",
        # the re-send is counted from the real send (now), 120 min, outside quiet hours
        (to_db(local_19(DUE_DATE)), to_db(max(local_19(DUE_DATE), TICK_NOW) + RESEND)),
    ).fetchone()
    opened = tuple(opened)
    checks.append(("open reminders, re-send check 120 min on", opened == (n, n), f"{opened}"))

    conn.execute("CREATE TEMP TABLE due_ids (id INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO due_ids VALUES (?)", ((i,) for i in due_ids))
    tomorrow = to_db(local_19(DUE_DATE + timedelta(days=1)))
    advanced = conn.execute(
        "SELECT count(*) FROM schedules WHERE id IN (SELECT id FROM due_ids)"
        " AND next_due_at = ? AND next_occurrence = ?",
        (tomorrow, tomorrow),
    ).fetchone()[0]
    checks.append(
        ("advanced to next day's 19:00 local", advanced == n, f"{advanced}/{n} at {tomorrow}")
    )
    untouched = sum(
        (occurrence, due_at) == (planned, planned)
        for start, occurrence, due_at in conn.execute(
            "SELECT start_date, next_occurrence, next_due_at FROM schedules"
            " WHERE id NOT IN (SELECT id FROM due_ids)"
        )
        for planned in (to_db(local_19(date.fromisoformat(start))),)
    )
    checks.append(
        ("not-due schedules untouched", untouched == patients - n, f"{untouched}/{patients - n}")
    )
    still_due = len(schedules.due(conn, TICK_NOW, 1))
    checks.append(("nothing still due", still_due == 0, f"{still_due}"))
    again = run_in_transaction(
        conn, lambda c: run_batch(c, TICK_NOW + timedelta(seconds=30), diary_parts=DIARY_PARTS)
    )
    after = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    checks.append(("a second tick queues nothing", again == 0 and after == n, f"{again}"))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return checks


# ---------------------------------------------------------------------------- children


def child_startup(db: str) -> dict:
    """(c) A fresh process: imports, open + migration check, a first batch with nothing due."""
    import asyncio

    t0 = time.perf_counter()
    from bot.reminders.tick import run_batch
    from storage.database import Database

    t1 = time.perf_counter()

    async def main() -> tuple[float, float, int]:
        a = time.perf_counter()
        database = await Database.open(db)
        b = time.perf_counter()
        handled = await database.transaction(
            lambda c: run_batch(c, TICK_NOW, diary_parts=DIARY_PARTS)
        )
        c = time.perf_counter()
        await database.close()
        return b - a, c - b, handled

    open_s, batch_s, handled = asyncio.run(main())
    return {
        "ready_epoch": time.time() - 0.0,
        "imports_s": t1 - t0,
        "open_migrate_s": open_s,
        "first_batch_s": batch_s,
        "handled": handled,
    }


def child_memory(db: str) -> dict:
    """(d) A fresh process that opens the database and runs the production tick over it."""
    import asyncio
    from functools import partial

    from bot.clock import FixedClock
    from bot.reminders.tick import BATCH_SIZE, Ticker, run_batch
    from storage.checkpoint import leave_checkpoints_to_the_job
    from storage.database import Database

    after_imports = memory()

    async def main() -> tuple[float, int, dict]:
        database = await Database.open(db)
        await database.call(leave_checkpoints_to_the_job)  # as bot/app.py
        wakes = []
        batches = [(partial(run_batch, diary_parts=DIARY_PARTS), BATCH_SIZE)]
        ticker = Ticker(
            database, FixedClock(TICK_NOW), 30, lambda: wakes.append(1), batches=batches
        )
        started = time.perf_counter()
        await ticker.tick()
        took = time.perf_counter() - started
        queued = await database.call(
            lambda c: c.execute("SELECT count(*) FROM outbox").fetchone()[0]
        )
        held = memory()  # the database is still open here
        await database.close()
        return took, queued, held

    took, queued, held = asyncio.run(main())
    return {"after_imports": after_imports, "held": held, "tick_s": took, "queued": queued}


def child_apscheduler(patients: str) -> dict:
    """(e) APScheduler 3 with a MemoryJobStore: one cron job per patient."""
    t0 = time.perf_counter()
    from apscheduler import __version__ as aps_version
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    t1 = time.perf_counter()
    after_imports = memory()
    scheduler = BackgroundScheduler(jobstores={"default": MemoryJobStore()}, timezone=ZONE)
    scheduler.start(paused=True)  # nothing fires while we measure
    started = time.perf_counter()
    for pid in range(1, int(patients) + 1):
        scheduler.add_job(
            _remind, "cron", hour=19, minute=0, timezone=ZONE, id=f"diary:{pid}", args=(pid,)
        )
    added = time.perf_counter() - started
    held = memory()
    jobs = len(scheduler.get_jobs())
    first = scheduler.get_jobs()[0].next_run_time.isoformat()
    ready_epoch = time.time()
    scheduler.shutdown(wait=False)
    return {
        "version": aps_version,
        "imports_s": t1 - t0,
        "add_s": added,
        "jobs": jobs,
        "first_run": first,
        "after_imports": after_imports,
        "held": held,
        "ready_epoch": ready_epoch,
    }


def _remind(patient_id: int) -> None:  # the baseline's job function (never runs)
    pass


# ---------------------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tick_scale", description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 patients")
    parser.add_argument("--profile", action="store_true", help="cProfile the select-and-queue")
    parser.add_argument(
        "--auto-checkpoint",
        action="store_true",
        help="(b) with SQLite's own checkpoints inside the commits, as before the checkpoint job",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of (b), each on a fresh copy (default 3)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp database")
    parser.add_argument("--child", nargs=2, metavar=("ROLE", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        role, arg = args.child
        report = {"startup": child_startup, "memory": child_memory, "aps": child_apscheduler}[role](
            arg
        )
        print(json.dumps(report))
        return

    patients = 10_000 if args.quick else args.patients
    due_count = min(DUE_COUNT, patients)
    workdir = Path(tempfile.mkdtemp(prefix="bench-tick-"))
    path = workdir / "bot.sqlite3"
    print(
        f"tick_scale: {patients:,} patients, {due_count:,} due at "
        f"{TICK_NOW.astimezone(ZONE):%Y-%m-%d %H:%M} {ZONE_NAME}; "
        f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} cores"
    )
    try:
        due_ids, setup = set_up(path, patients, due_count)
        print("\n(a) set-up (not a target)")
        print(f"    migrate                      {secs(setup['migrate_s'])}")
        print(f"    insert + plan {patients:>9,} rows {secs(setup['insert_s'])}")
        print(f"    database size                {mib(setup['db_mib'])}")
        print(f"    planning check               {setup['replan_check']}")

        snapshot = workdir / "snapshot.sqlite3"  # the untouched set-up, for (d)
        shutil.copyfile(path, snapshot)

        runs = []
        for run in range(max(args.repeat, 1)):
            if run:  # every run starts from the same untouched set-up
                for suffix in ("-wal", "-shm"):
                    path.with_name(path.name + suffix).unlink(missing_ok=True)
                shutil.copyfile(snapshot, path)
            runs.append(select_and_queue(path, args.profile and run == 0, args.auto_checkpoint))
        totals = sorted(run["total_s"] for run in runs)
        tick = runs[-1]
        tick["total_s"] = statistics.median(totals)
        tick["max_batch_s"] = max(run["max_batch_s"] for run in runs)
        tick["median_batch_s"] = statistics.median(run["median_batch_s"] for run in runs)
        tick["per_reminder_us"] = tick["total_s"] / max(tick["handled"], 1) * 1e6
        print("\n(b) select-and-queue (run_batch, one transaction each, in this process)")
        print(
            f"    total (median of {len(runs)})          {secs(tick['total_s'])}   target <= 1 s"
            f"   ({tick['total_s'] / TARGETS['tick_s']:.2f} x target)"
        )
        print("    all runs                     " + ", ".join(f"{t:.3f} s" for t in totals))
        print(
            f"    batches                      {tick['batches']} x <= {tick['batch_size']} "
            f"({tick['handled']:,} schedules)"
        )
        print(f"    longest batch transaction    {secs(tick['max_batch_s'])}  (of all runs)")
        print(f"    median batch transaction     {secs(tick['median_batch_s'])}")
        print(f"    per reminder                 {tick['per_reminder_us']:8.1f} us")
        if not args.auto_checkpoint:
            job = statistics.median(run["checkpoint_s"] for run in runs)
            print(
                f"    checkpoint job after it      {secs(job)}  (median; its own connection"
                " and thread, beside the writer)"
            )

        checks = verify(path, due_ids, patients)
        print("\n    correctness at scale")
        for name, ok, detail in checks:
            print(f"    {'ok  ' if ok else 'FAIL'} {name:40} {detail}")

        startup, spawned = run_child("startup", str(path))
        ready = startup["ready_epoch"] - spawned
        print(
            "\n(c) start-up (fresh process: imports, Database.open + migration check, first batch)"
        )
        print(
            f"    spawn -> ready to tick       {secs(ready)}   target <= 3 s"
            f"   ({ready / TARGETS['startup_s']:.2f} x target)"
        )
        print(f"      imports                    {secs(startup['imports_s'])}")
        print(f"      open + migration check     {secs(startup['open_migrate_s'])}")
        print(
            f"      first batch, nothing due   {secs(startup['first_batch_s'])}"
            f"  (handled {startup['handled']})"
        )

        mem, _ = run_child("memory", str(snapshot))
        hwm = mem["held"].get("VmHWM", mem["held"]["maxrss_mib"])
        print("\n(d) memory (fresh process: database open, production Ticker.tick over it)")
        print(
            f"    peak RSS (VmHWM)             {mib(hwm)}   target <= 200 MiB"
            f"   ({hwm / TARGETS['rss_mib']:.2f} x target)"
        )
        print(f"    RSS now (VmRSS)              {mib(mem['held'].get('VmRSS', 0))}")
        print(f"    RSS after imports only       {mib(mem['after_imports'].get('VmRSS', 0))}")
        print(
            f"    Ticker.tick via Database    {secs(mem['tick_s'])}  "
            f"(queued {mem['queued']:,}; cross-check of (b))"
        )

        aps, aps_spawned = run_child("aps", str(patients))
        aps_hwm = aps["held"].get("VmHWM", aps["held"]["maxrss_mib"])
        aps_ready = aps["ready_epoch"] - aps_spawned
        print(f"\n(e) baseline: APScheduler {aps['version']} BackgroundScheduler + MemoryJobStore")
        print(
            f"    add {aps['jobs']:,} cron jobs          {secs(aps['add_s'])}"
            f"   (first run {aps['first_run']})"
        )
        print(
            f"    spawn -> all jobs added      {secs(aps_ready)}"
            "   (a memory store is rebuilt on every start)"
        )
        print(f"    peak RSS (VmHWM)             {mib(aps_hwm)}")
        print(f"    RSS after imports only       {mib(aps['after_imports'].get('VmRSS', 0))}")

        ours_growth = hwm - mem["after_imports"].get("VmRSS", 0)
        aps_growth = aps_hwm - aps["after_imports"].get("VmRSS", 0)
        print("\nours vs baseline (ratio < 1: ours is smaller / faster)")
        print(f"    start-up    {secs(ready)} vs {secs(aps_ready)}   ratio {ready / aps_ready:.2f}")
        print(f"    peak RSS    {mib(hwm)} vs {mib(aps_hwm)}   ratio {hwm / aps_hwm:.2f}")
        print(
            f"    RSS beyond imports {mib(ours_growth)} vs {mib(aps_growth)}   "
            f"ratio {ours_growth / aps_growth:.2f}"
        )
        print(
            f"    set-up: insert+plan {secs(setup['insert_s'])} vs add jobs {secs(aps['add_s'])}"
            f"   ratio {setup['insert_s'] / aps['add_s']:.2f}"
        )
        failed = [name for name, ok, _ in checks if not ok]
        print(
            f"\ncorrectness: {len(checks) - len(failed)}/{len(checks)} checks hold"
            + (f"; FAILED: {', '.join(failed)}" if failed else "")
        )
    finally:
        if args.keep:
            print(f"\ndatabase kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
