"""The supervisor: the bot's long-running loops (the poller, or in webhook mode the webhook's
receiver; the sender) and periodic jobs under one watch. The jobs (bot/app.py): `tick`
(reminders, the escalation chain, checks), `checkpoint`
(a PASSIVE WAL checkpoint from its own connection, storage/checkpoint.py) and `purge` (ended
treatments' data, then a TRUNCATE checkpoint and the free pages handed back from the bot's
own connection, bot/care/purge.py and storage/scrub.py; docs/operations.md).

Each loop contains its own failures (one update, one outbox row, one batch) and goes on; what
it cannot contain ends the loop. Periodic jobs are APScheduler interval jobs (one job per
kind of work, never one per patient): a run that finishes beats the job's heartbeat; a run
that raises is an ERROR line and the next run still comes; runs missed while one was still
running, or while the event loop was blocked, are coalesced into one.

A loop that ends, or a loop or job that stops beating its heartbeat (hung), is logged
CRITICAL and marks the process unhealthy; after a short grace (so the other loops can still
send what waits, a safety alert above all) the supervisor returns and the process exits
non-zero, so systemd or Docker starts a fresh one. Never a half-alive process: reading without
sending, or sending without reading.

Stopping (SIGTERM, SIGINT) is graceful: no new periodic runs; each loop is asked to end at
its next safe point (`start(..., stop=...)`: the poller after the update in hand, the sender
after the request in flight) and the supervisor waits up to `drain_seconds` for them and for
a periodic run in progress; only what is still running then is cancelled.

Heartbeats use the monotonic clock (real time), like every transport wait: the bot's clock may
be a fake one that stands still.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.ops import metrics

log = logging.getLogger(__name__)

WATCH_EVERY_SECONDS = 1.0


@dataclass
class Heartbeat:
    """One loop's sign of life: it beats whenever it has made progress (or rested as
    planned); the supervisor reads how long ago that was."""

    name: str
    last: float = field(default_factory=time.monotonic)

    def beat(self) -> None:
        self.last = time.monotonic()

    def silent_for(self) -> float:
        return time.monotonic() - self.last


class Supervisor:
    def __init__(self, *, hung_after_seconds: float, exit_grace_seconds: float):
        self._hung_after = hung_after_seconds
        self._exit_grace = exit_grace_seconds
        self._heartbeats: dict[str, Heartbeat] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._stops: dict[str, Callable[[], None]] = {}  # asks a loop to end at a safe point
        self._scheduler: AsyncIOScheduler | None = None
        self._jobs: set[str] = set()  # the periodic jobs' names
        self._runs: dict[str, asyncio.Task] = {}  # a periodic job's run in progress
        self._stopping = False
        self._unhealthy_since: float | None = None
        self.problems: list[str] = []  # why the process is unhealthy, for /healthz and the log

    def heartbeat(self, name: str) -> Heartbeat:
        """The heartbeat a loop beats; one per loop name."""
        return self._heartbeats.setdefault(name, Heartbeat(name))

    def start(
        self,
        name: str,
        loop: Callable[[], Awaitable[None]],
        stop: Callable[[], None] | None = None,
    ) -> None:
        """Run a loop as a task, under watch. `stop`, if given, asks the loop to return at its
        next safe point (a graceful stop); a loop without one is cancelled."""
        self.heartbeat(name).beat()
        self._tasks[name] = asyncio.create_task(loop(), name=name)
        if stop is not None:
            self._stops[name] = stop

    def every(self, name: str, seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        """Run `job` every `seconds` (the first run at once) as an APScheduler interval job,
        under watch: at most one run at a time, late runs coalesced into one. A run that
        raises does not beat: one that keeps failing, like one that hangs, makes the job
        "hung" after hung_after_seconds."""
        if self._scheduler is None:
            _quiet_scheduler_log()
            self._scheduler = AsyncIOScheduler(timezone=UTC)
            self._scheduler.start()
        self.heartbeat(name).beat()
        self._jobs.add(name)
        self._scheduler.add_job(
            self._run,
            "interval",
            args=(name, job),
            seconds=seconds,
            id=name,
            name=name,
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
            # A run up to one interval late still runs (a later one would come no sooner).
            misfire_grace_time=max(1, math.ceil(seconds)),
        )

    def scheduled(self, name: str) -> bool:
        """Whether periodic job `name` is scheduled (for the watch and for tests)."""
        return self._scheduler is not None and self._scheduler.get_job(name) is not None

    async def _run(self, name: str, job: Callable[[], Awaitable[None]]) -> None:
        """One run of a periodic job. Its work runs as a task of its own, shielded: stopping
        the scheduler cancels this wrapper (not reported as the job's error), while the run
        itself is drained or cancelled by `stop_all`."""
        if self._stopping:
            return
        run = asyncio.create_task(job(), name=f"{name} run")
        self._runs[name] = run
        run.add_done_callback(
            lambda _: self._runs.pop(name) if self._runs.get(name) is run else None
        )
        started = time.monotonic()
        try:
            await asyncio.shield(run)
            metrics.job_ran(name, time.monotonic() - started)
        except asyncio.CancelledError:
            if self._stopping:
                return
            raise
        except Exception as error:  # the type only: its message may carry a person's text
            log.error("periodic job %s failed: %s", name, type(error).__name__)
            return
        self.heartbeat(name).beat()

    @property
    def healthy(self) -> bool:
        return self._unhealthy_since is None

    @property
    def stopping(self) -> bool:
        return self._stopping

    def running(self) -> bool:
        """Whether the loops are up: started, none ended, every job scheduled, not stopping
        (for /readyz)."""
        if self._stopping or not self._tasks:
            return False
        tasks_up = all(not task.done() for task in self._tasks.values())
        return tasks_up and all(self.scheduled(name) for name in self._jobs)

    def status(self) -> dict:
        """What a health check shows: healthy or not, and each loop's silence in seconds."""
        return {
            "healthy": self.healthy,
            "problems": list(self.problems),
            "loops": {name: round(beat.silent_for(), 1) for name, beat in self._heartbeats.items()},
        }

    async def watch(self, stop: asyncio.Event) -> bool:
        """Watch the loops until `stop` is set (True: a clean stop) or the process has been
        unhealthy for the grace period (False: exit non-zero)."""
        while not stop.is_set():
            self.check()
            if (
                self._unhealthy_since is not None
                and time.monotonic() - self._unhealthy_since >= self._exit_grace
            ):
                log.critical("exiting after %.0f s unhealthy: %s", self._exit_grace, self.problems)
                return False
            try:
                await asyncio.wait_for(stop.wait(), timeout=WATCH_EVERY_SECONDS)
            except TimeoutError:
                pass
        return True

    def check(self) -> None:
        """One look at every loop: ended, or silent for longer than it may be."""
        if self._stopping:
            return  # loops end on purpose now
        for name, task in self._tasks.items():
            if task.done():
                self._unhealthy(f"{name} ended", _ended_because(task))
            elif self._heartbeats[name].silent_for() > self._hung_after:
                self._unhealthy(f"{name} hung", "")
        for name in self._jobs:
            if not self.scheduled(name):
                self._unhealthy(f"{name} ended", " (no longer scheduled)")
            elif self._heartbeats[name].silent_for() > self._hung_after:
                self._unhealthy(f"{name} hung", "")

    def _unhealthy(self, problem: str, cause: str) -> None:
        if problem in self.problems:
            return
        self.problems.append(problem)
        log.critical("loop %s%s; the process is unhealthy", problem, cause)
        if self._unhealthy_since is None:
            self._unhealthy_since = time.monotonic()

    async def stop_all(self, drain_seconds: float = 0.0) -> None:
        """Stop: no new periodic runs; loops with a `stop` are asked to end at their next safe
        point, and those and a run in progress get `drain_seconds` to finish; whatever still
        runs then is cancelled (a row then left 'sending' is decided at the next start, as
        after a crash)."""
        self._stopping = True
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)  # no new runs
        for name, stop in self._stops.items():
            try:
                stop()
            except Exception as error:
                log.error("loop %s: asking it to stop failed: %s", name, type(error).__name__)
        draining = [
            task for name, task in self._tasks.items() if name in self._stops and not task.done()
        ]
        draining += [run for run in self._runs.values() if not run.done()]
        if draining and drain_seconds > 0:
            _, late = await asyncio.wait(draining, timeout=drain_seconds)
            if late:
                log.warning("stopping: %d loop(s) or run(s) did not finish in time", len(late))
        runs = list(self._runs.values())
        for task in [*self._tasks.values(), *runs]:
            task.cancel()
        await asyncio.gather(*self._tasks.values(), *runs, return_exceptions=True)
        await asyncio.sleep(0)  # APScheduler's shutdown runs on the loop's next turn


def _quiet_scheduler_log() -> None:
    """APScheduler says "Running job ..." at INFO for every run (every 50 ms in the demo);
    its warnings (a run missed, or skipped because the last one still runs) are kept."""
    scheduler_log = logging.getLogger("apscheduler")
    if scheduler_log.getEffectiveLevel() < logging.WARNING:
        scheduler_log.setLevel(logging.WARNING)


def _ended_because(task: asyncio.Task) -> str:
    """The exception's type only: its message may carry a person's text."""
    if task.cancelled():
        return " (cancelled)"
    error = task.exception()
    return f" ({type(error).__name__})" if error is not None else " (returned)"
