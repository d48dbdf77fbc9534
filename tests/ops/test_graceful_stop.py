"""The supervisor's graceful stop: a loop asked to stop finishes the work in hand; one that
does not finish within the drain time, or has no way to be asked, is cancelled."""

from __future__ import annotations

import asyncio
import time

from bot.supervisor import Supervisor


class Worker:
    """A loop whose every piece of work takes `seconds`; `stop` lets the piece in hand end."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.finished = 0
        self.started = 0
        self.stopping = False

    async def run(self) -> None:
        while not self.stopping:
            self.started += 1
            await asyncio.sleep(self.seconds)
            self.finished += 1

    def stop(self) -> None:
        self.stopping = True


async def test_the_work_in_hand_is_finished_and_no_new_work_starts():
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=30)
    worker = Worker(0.3)
    supervisor.start("sender", worker.run, stop=worker.stop)
    await asyncio.sleep(0.1)  # the first piece is in hand
    began = time.monotonic()
    await supervisor.stop_all(drain_seconds=5)
    assert (worker.started, worker.finished) == (1, 1)
    assert time.monotonic() - began < 1
    assert supervisor.status()["problems"] == []  # a loop ending on purpose is no problem


async def test_work_longer_than_the_drain_is_cancelled_in_time():
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=30)
    slow = Worker(30)
    plain = Worker(30)
    supervisor.start("slow", slow.run, stop=slow.stop)
    supervisor.start("plain", plain.run)  # no stop: cancelled at once
    await asyncio.sleep(0.05)
    began = time.monotonic()
    await supervisor.stop_all(drain_seconds=0.3)
    assert 0.25 < time.monotonic() - began < 2
    assert slow.finished == plain.finished == 0


async def test_a_periodic_run_in_progress_may_finish_and_no_new_one_starts():
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=30)
    runs = []

    async def tick():
        runs.append("started")
        await asyncio.sleep(0.3)
        runs.append("finished")

    supervisor.every("tick", 0.05, tick)
    while not runs:
        await asyncio.sleep(0.01)
    await supervisor.stop_all(drain_seconds=5)
    await asyncio.sleep(0.2)
    assert runs == ["started", "finished"]
