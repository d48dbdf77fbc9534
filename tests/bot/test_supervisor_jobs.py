"""Periodic jobs under the supervisor: APScheduler interval jobs that beat their heartbeat,
survive a raising run, are found hung when they stop, and stop cleanly; and the real tick
driven by such a job (no direct call to tick())."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from bot.clock import FixedClock
from bot.reminders.tick import Ticker
from bot.supervisor import Supervisor
from storage.database import Database, connect_sync, migrate_sync
from tests.reminders.test_tick import diary, local, make_patient


async def _until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_a_job_runs_at_once_then_every_interval_and_beats():
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0)
    runs = []

    async def job():
        runs.append(time.monotonic())

    started = time.monotonic()
    supervisor.every("job", 0.05, job)
    assert supervisor.scheduled("job")
    await _until(lambda: len(runs) >= 4)
    await supervisor.stop_all()
    assert runs[0] - started < 0.5  # the first run does not wait an interval
    assert supervisor.heartbeat("job").silent_for() < 1
    assert supervisor.healthy


async def test_a_raising_run_is_an_error_line_and_the_next_run_still_comes(caplog):
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0)
    runs = []

    async def job():
        runs.append(1)
        if len(runs) <= 2:
            raise ValueError("jag vill inte leva")  # a person's text: never in the log

    supervisor.every("job", 0.02, job)
    await _until(lambda: len(runs) >= 4)
    await supervisor.stop_all()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["periodic job job failed: ValueError"] * 2
    assert all("jag vill" not in r.getMessage() for r in caplog.records)
    assert supervisor.healthy


async def test_a_job_that_hangs_makes_the_process_exit():
    supervisor = Supervisor(hung_after_seconds=0.3, exit_grace_seconds=0)

    async def hangs():
        await asyncio.Event().wait()

    supervisor.every("job", 0.02, hangs)
    clean = await asyncio.wait_for(supervisor.watch(asyncio.Event()), timeout=10)
    await supervisor.stop_all()
    assert clean is False
    assert supervisor.status()["problems"] == ["job hung"]


async def test_a_job_no_longer_scheduled_makes_the_process_exit():
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0)

    async def job():
        pass

    supervisor.every("job", 0.02, job)
    supervisor._scheduler.remove_job("job")  # as if the scheduler had lost it
    assert not supervisor.scheduled("job")
    clean = await asyncio.wait_for(supervisor.watch(asyncio.Event()), timeout=10)
    await supervisor.stop_all()
    assert clean is False
    assert supervisor.status()["problems"] == ["job ended"]


async def test_stopping_cancels_a_run_and_no_run_follows(caplog):
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0)
    started, cancelled = [], []

    async def slow():
        started.append(1)
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(1)
            raise

    supervisor.every("job", 0.02, slow)
    await _until(lambda: started)
    await asyncio.sleep(0.2)
    assert started == [1]  # one run at a time: the next ones are skipped while it runs
    await supervisor.stop_all()
    assert cancelled == [1]
    assert not supervisor._scheduler.running
    await asyncio.sleep(0.1)
    assert started == [1]  # none after the stop
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_runs_missed_while_the_loop_was_blocked_come_as_one():
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0)
    runs = []

    async def job():
        runs.append(time.monotonic())

    supervisor.every("job", 0.02, job)
    await _until(lambda: runs)
    time.sleep(0.4)  # the event loop is blocked: some 20 run times pass
    before = len(runs)
    await asyncio.sleep(0.1)
    await supervisor.stop_all()
    assert len(runs) - before <= 7  # one catch-up run, then every 0.02 s again (not 20 more)


async def test_the_tick_job_queues_a_due_reminder_without_a_direct_call(tmp_path):
    conn = connect_sync(tmp_path / "bot.sqlite3")
    migrate_sync(conn)
    diary(conn, make_patient(conn))
    conn.close()
    database = await Database.open(tmp_path / "bot.sqlite3")
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0)
    woken = []
    ticker = Ticker(
        database,
        FixedClock(local(1, 19).astimezone(UTC)),
        0.05,
        lambda: woken.append(1),
        heartbeat=supervisor.heartbeat("tick"),
    )
    supervisor.every("tick", ticker.interval, ticker.tick)

    def queued():
        return database.call(lambda c: c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    deadline = time.monotonic() + 10
    while await queued() == 0:
        assert time.monotonic() < deadline, "the tick job never ran"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # later runs: nothing more is due, nothing queued twice
    await supervisor.stop_all()
    assert await queued() == 1 and woken == [1]
    await database.close()


async def test_a_tick_whose_batch_always_fails_still_runs_every_interval(tmp_path, caplog):
    database = await Database.open(tmp_path / "bot.sqlite3")
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0)
    calls = []

    def broken(conn, now):
        calls.append(now)
        raise KeyError("patient text")

    clock = FixedClock(datetime(2026, 12, 1, 18, tzinfo=UTC))
    ticker = Ticker(database, clock, 0.02, lambda: None, batches=[(broken, 10)])
    supervisor.every("tick", ticker.interval, ticker.tick)
    await _until(lambda: len(calls) >= 3)
    await supervisor.stop_all()
    await database.close()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) >= 3 and all("broken" in e and "KeyError" in e for e in errors)
    assert all("patient text" not in r.getMessage() for r in caplog.records)
