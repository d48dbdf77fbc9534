"""Several real bot workers on one PostgreSQL database, behind the emulator with Telegram's
limits on: the rig the kill-a-worker test (tests/faults/test_kill_worker.py) and
`python -m bench.workers` share.

Each worker is a real `python -m bot run --webhook` process (bot_workers.py); the emulator,
in this process, posts updates to them in turn as a load balancer would and answers 429
whenever all of them together break Telegram's limits for the one token. Time is the script
runner's fake clock (a file the workers read), so reminders fall due when the caller moves it;
waits for Telegram stay real time.

The clinic is set up through the repositories before the workers start: a unit with its
therapist (bound to an emulator user) and therapist channel, and N confirmed patients enrolled
in the depression program, each an emulator user with a private chat.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from time import monotonic

import psycopg

from bot.devtools.bot_process import DEFAULT_COMMAND, bot_environment
from bot.devtools.bot_workers import BotWorkers, WorkerPlan
from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import User, World
from bot.devtools.fake_clock import FakeClock
from bot.devtools.script.runner import BOT_ID, session_token
from bot.reminders.kinds.registry import KINDS
from bot.reminders.planning import replan
from storage import idle, lifecycle, patients, schedules, staff, units
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.timefmt import to_db

UNIT = "Växjö"
PROGRAM = "depression"
READY_SECONDS = 120.0  # a worker's start: imports, programs, migrations check, setWebhook


class RigFailed(Exception):
    """The rig could not do what was asked in time (a worker did not start, work not done)."""


def server_answers(server_url: str) -> str | None:
    """None when a PostgreSQL server answers at the URL; else why not (the error's type)."""
    try:
        with psycopg.connect(server_url, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return type(error).__name__


@dataclass
class Clinic:
    therapist: User
    channel_id: int
    patients: list[User]  # patient n is patients[n - 1], label P<n>


class WorkerRig:
    """The emulator, the fake clock and `count` webhook workers on the database `url`."""

    def __init__(
        self,
        url: str,
        count: int,
        *,
        work_dir: Path,
        env: dict[str, str] | None = None,
        round_trip_seconds: float = 0.0,
    ):
        """`env`: settings for every worker on top of the script runner's (e.g.
        TICK_INTERVAL_SECONDS, SEND_WORKERS); `round_trip_seconds`: added to every request
        to the emulator, half before it is handled."""
        self.url = url
        self.count = count
        self.work_dir = work_dir
        self.env = env or {}
        self.clock = FakeClock(work_dir / "clock.txt")
        self.world = World(bot_id=BOT_ID, now=lambda: self.clock.now)
        self.token = session_token()
        self.server = EmulatorServer(
            self.world, self.token, telegram_limits=True, round_trip_seconds=round_trip_seconds
        )
        self.conn = connect_sync(url)  # the rig's own look into the database (autocommit)
        self.workers: BotWorkers | None = None

    # -- set-up ---------------------------------------------------------------------------

    def open_clinic(self, patient_count: int) -> Clinic:
        """The unit, its therapist and channel, and `patient_count` patients (migrates first,
        so the workers start on a ready schema)."""
        migrate_sync(self.conn)
        now = self.clock.now
        therapist = self.world.user("anna")
        channel = self.world.create_group("therapists", [therapist])
        people = [self.world.user(f"pat{n}") for n in range(1, patient_count + 1)]

        def set_up(conn) -> None:
            code = staff.add_staff_role(
                conn, name="Anna", role="therapist", unit_name=UNIT, telegram_user_id=None, now=now
            )
            anna = staff.bind(conn, code, therapist.id, now)
            units.set_therapist_channel(conn, unit_name=UNIT, chat_id=channel.id, now=now)
            for number, person in enumerate(people, start=1):
                patient = patients.create(
                    conn,
                    unit_id=anna.unit_id,
                    therapist_id=anna.id,
                    label=f"P{number}",
                    telegram_user_id=person.id,
                    chat_id=person.id,
                    language="sv",
                    now=now,
                )
                enrollment = patients.enroll(conn, patient.id, PROGRAM, now)
                lifecycle.record(conn, patient.id, "enrolled", now, enrollment_id=enrollment.id)
                lifecycle.confirm(conn, patient.id, anna.id, now)

        self.transaction(set_up)
        return Clinic(therapist, channel.id, people)

    def add_reminders(self, slots: Sequence[time], text_of: Callable[[time], str]) -> None:
        """Each patient: a therapist's reminder for each of today's `slots` (local time),
        with the text `text_of(slot)`, planned as the bot plans them."""
        now = self.clock.now
        today = now.astimezone(self.clock.zone).date()

        def add(conn) -> None:
            for (patient_id,) in conn.execute("SELECT id FROM patients ORDER BY id").fetchall():
                for slot in slots:
                    schedule_id = schedules.create(
                        conn,
                        patient_id=patient_id,
                        kind="custom",
                        known_kinds=KINDS,
                        times=(slot,),
                        start_date=today,
                        end_date=today,
                        custom_text=text_of(slot),
                        source="staff",
                        now=now,
                    )
                    replan(conn, schedule_id, now)

        self.transaction(add)

    def at(self, slot: time) -> None:
        """Move the fake clock to `slot` today, local time."""
        today = self.clock.now.astimezone(self.clock.zone).date()
        self.clock.set(datetime.combine(today, slot, tzinfo=self.clock.zone))

    def reminders_queued(self) -> bool:
        """No schedule is due at the fake now: the tick has queued everything due."""
        return not self.sql(
            "SELECT 1 FROM schedules WHERE next_due_at <= ? LIMIT 1", (to_db(self.clock.now),)
        )

    def transaction(self, work: Callable):
        """`work(conn)` in one transaction on the rig's connection; its result."""
        return run_in_transaction(self.conn, work)

    def sql(self, statement: str, parameters: tuple = ()) -> list:
        """Rows of one read on the rig's own connection (autocommit: always fresh)."""
        return self.conn.execute(statement, parameters).fetchall()

    # -- the workers ----------------------------------------------------------------------

    async def start(self) -> None:
        """The emulator, then every worker; returns once each has set the webhook."""
        await self.server.start()
        self.workers = BotWorkers(
            WorkerPlan(self.count, webhook=True),
            command=DEFAULT_COMMAND,
            environment=self._environment,
            log_base=self.work_dir / "worker",
            reachable_calls=lambda number: self.server.reachable_calls[number],
        )
        self.server.webhook.set_workers(self.workers.webhook_urls)
        await self.workers.start()
        await self.until(lambda: self.workers.ready, READY_SECONDS, "every worker ready")

    def _environment(self, number: int) -> dict[str, str]:
        env = bot_environment(
            token=self.token,
            api_base_url=self.server.worker_base_url(number),
            database=self.url,
            clock_file=self.clock.path,
            programs_dir=None,
        )
        return env | self.env

    async def stop(self) -> None:
        if self.workers is not None:
            await self.workers.stop()
        self.conn.close()
        await self.server.stop()

    def pid(self, number: int) -> int | None:
        assert self.workers is not None
        return self.workers.processes[number - 1].pid

    def kill(self, number: int) -> None:
        """SIGKILL worker `number` (1-based): no shutdown code runs, nothing is handed back."""
        assert self.workers is not None
        self.workers.kill_worker_now(number)

    async def wait_exited(self, number: int) -> None:
        assert self.workers is not None
        await self.workers.processes[number - 1].kill()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers still running have used so far, from Linux's
        /proc (0 for a worker whose figures cannot be read)."""
        assert self.workers is not None
        total = 0.0
        for process in self.workers.processes:
            if process.alive and process.pid is not None:
                total += _cpu_seconds(process.pid)
        return total

    def lease_holder(self) -> int | None:
        """The worker (1-based) holding the tick lease now, by its process id; None when the
        lease is free, expired or held by none of ours."""
        rows = self.sql("SELECT holder FROM leases WHERE name = 'tick' AND expires_at > now()")
        if not rows:
            return None
        pid = int(rows[0][0].split(":")[-2])
        for number in range(1, self.count + 1):
            if self.pid(number) == pid:
                return number
        return None

    def worker_of(self, claimed_by: str) -> int | None:
        """The worker (1-based) an outbox row's `claimed_by` (host:pid:random) names."""
        pid = int(claimed_by.split(":")[-2])
        for number in range(1, self.count + 1):
            if self.pid(number) == pid:
                return number
        return None

    # -- waiting ----------------------------------------------------------------------------

    async def until(
        self, condition: Callable[[], bool], seconds: float, what: str, every: float = 0.05
    ) -> float:
        """Wait until `condition()` holds; returns the seconds it took (RigFailed after
        `seconds`, naming `what`)."""
        started = monotonic()
        while not condition():
            if monotonic() - started > seconds:
                raise RigFailed(f"not within {seconds:g} s: {what}")
            await asyncio.sleep(every)
        return monotonic() - started

    def pending_work(self) -> int:
        """What is left to do at the fake now: updates not turned, messages not sent, schedules
        due (storage/idle.py), plus updates the emulator has not posted yet."""
        return idle.pending_work(self.conn, self.clock.now) + len(self.world.updates)

    async def until_idle(self, seconds: float, what: str = "all work done") -> float:
        return await self.until(
            lambda: self.pending_work() == 0 and self.server.open_requests == 0, seconds, what
        )

    def error_lines(self) -> list[tuple[Path, str]]:
        assert self.workers is not None
        return self.workers.first_errors()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime: the stat file's 14th and 15th fields (after pid and name), in ticks
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
