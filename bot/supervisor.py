"""The supervisor: the bot's long-running loops (poller, sender, tick) under one watch.

Each loop contains its own failures (one update, one outbox row, one batch) and goes on; what
it cannot contain ends the loop. A loop that ends, or stops beating its heartbeat (hung), is
logged CRITICAL and marks the process unhealthy; after a short grace (so the other loops can
still send what waits, a safety alert above all) the supervisor returns and the process exits
non-zero, so systemd or Docker starts a fresh one. Never a half-alive process: reading without
sending, or sending without reading.

Heartbeats use the monotonic clock (real time), like every transport wait: the bot's clock may
be a fake one that stands still.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

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
        self._unhealthy_since: float | None = None
        self.problems: list[str] = []  # why the process is unhealthy, for /healthz and the log

    def heartbeat(self, name: str) -> Heartbeat:
        """The heartbeat a loop beats; one per loop name."""
        return self._heartbeats.setdefault(name, Heartbeat(name))

    def start(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        """Run a loop as a task, under watch."""
        self.heartbeat(name).beat()
        self._tasks[name] = asyncio.create_task(loop(), name=name)

    @property
    def healthy(self) -> bool:
        return self._unhealthy_since is None

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
        for name, task in self._tasks.items():
            if task.done():
                self._unhealthy(f"{name} ended", _ended_because(task))
            elif self._heartbeats[name].silent_for() > self._hung_after:
                self._unhealthy(f"{name} hung", "")

    def _unhealthy(self, problem: str, cause: str) -> None:
        if problem in self.problems:
            return
        self.problems.append(problem)
        log.critical("loop %s%s; the process is unhealthy", problem, cause)
        if self._unhealthy_since is None:
            self._unhealthy_since = time.monotonic()

    async def stop_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)


def _ended_because(task: asyncio.Task) -> str:
    """The exception's type only: its message may carry a person's text."""
    if task.cancelled():
        return " (cancelled)"
    error = task.exception()
    return f" ({type(error).__name__})" if error is not None else " (returned)"
