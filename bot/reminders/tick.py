"""The tick: one periodic pass that turns due schedules into reminder messages.

Each batch of at most BATCH_SIZE rows is its own short transaction, so a safety alert's
write never waits behind a long one. Selection is by the indexed next_due_at; there is no
scheduler job per patient.

After downtime a schedule sends at most one catch-up reminder (its latest occurrence), and
none when that occurrence is older than its grace period. A diary reminder is not sent for a
day the patient has already filled in completely.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.containment import each_contained
from bot.i18n import DEFAULT_LANGUAGE
from bot.reminders import messages
from bot.reminders.kinds.registry import kind_of
from bot.reminders.planning import next_after, occurrence_to_send, send_time
from bot.supervisor import Heartbeat
from storage import diary_weeks, events, outbox, reminders, schedules
from storage.database import Database
from storage.outbox import OutgoingCall
from storage.reminders import Reminder
from storage.schedules import DueSchedule

log = logging.getLogger(__name__)

BATCH_SIZE = 300


def run_batch(
    conn: sqlite3.Connection,
    now: datetime,
    limit: int = BATCH_SIZE,
    *,
    diary_parts: dict[str, int] | None = None,
) -> int:
    """One batch inside one transaction: due schedules, then due re-send/missed checks.
    `diary_parts`: how many diary parts a day has, per program id (the diary reminder is
    skipped for a day with all of them done; None: never skipped).
    Returns how many rows it handled (a full batch means: run again)."""
    due = schedules.due(conn, now, limit)
    planned: list[tuple[DueSchedule, datetime, Iterator[datetime] | None]] = []
    each_contained(
        conn,
        due,
        lambda target: planned.append((target, *occurrence_to_send(target, now))),
        set_aside=lambda target: schedules.set_next(conn, target.schedule.id, None, None),
        what="tick: schedule",
        id_of=lambda target: target.schedule.id,
    )
    filled = _filled_days(conn, planned, diary_parts or {})
    batch = _Writes()
    each_contained(
        conn,
        planned,
        lambda plan: batch.keep_if_done(lambda: _fire(conn, *plan, now, batch, filled)),
        set_aside=lambda plan: schedules.set_next(conn, plan[0].schedule.id, None, None),
        what="tick: schedule",
        id_of=lambda plan: plan[0].schedule.id,
    )
    batch.flush(conn, now)
    checks = reminders.due_checks(conn, now, limit)
    each_contained(
        conn,
        checks,
        lambda reminder: _check(conn, reminder, now),
        set_aside=lambda reminder: reminders.set_check(conn, reminder.id, None),
        what="tick: reminder",
    )
    return max(len(due), len(checks))


def _filled_days(
    conn: sqlite3.Connection,
    planned: list[tuple[DueSchedule, datetime, Iterator[datetime] | None]],
    diary_parts: dict[str, int],
) -> set[int]:
    """The ids of the batch's diary schedules whose occurrence falls on a local day the
    patient has already filled in completely; one query for the whole batch. If that fails,
    none: a reminder too many is better than a batch that fails every tick."""
    try:
        return _filled(conn, planned, diary_parts)
    except Exception as error:
        log.error("tick: the filled-days check failed: %s", type(error).__name__)
        return set()


def _filled(
    conn: sqlite3.Connection,
    planned: list[tuple[DueSchedule, datetime, Iterator[datetime] | None]],
    diary_parts: dict[str, int],
) -> set[int]:
    days: dict[int, tuple[int, date]] = {
        target.schedule.id: (target.schedule.patient_id, _local_day(occurrence, target))
        for target, occurrence, _ in planned
        if kind_of(target.schedule.kind).skip_filled_day
    }
    if not days or not diary_parts:
        return set()
    done = diary_weeks.done_parts(conn, list(set(days.values())))
    filled = set()
    for schedule_id, key in days.items():
        program, parts_done = done.get(key, (None, 0))
        if program in diary_parts and parts_done >= diary_parts[program]:
            filled.add(schedule_id)
    return filled


def _local_day(moment: datetime, target: DueSchedule) -> date:
    return moment.astimezone(ZoneInfo(target.timezone)).date()


class _Writes:
    """The batch's outbox rows and schedule advances, written with one executemany each
    (the tick's hot path: thousands of reminders in the same minute)."""

    def __init__(self) -> None:
        self.calls: list[tuple[OutgoingCall, datetime]] = []
        self.advances: list[tuple[int, datetime | None, datetime | None]] = []

    def keep_if_done(self, work: Callable[[], None]) -> None:
        """Run one schedule's part; if it fails, what it added to the batch goes too."""
        calls, advances = len(self.calls), len(self.advances)
        try:
            work()
        except BaseException:
            del self.calls[calls:], self.advances[advances:]
            raise

    def flush(self, conn: sqlite3.Connection, now: datetime) -> None:
        outbox.enqueue_many(conn, self.calls, now)
        schedules.set_next_many(conn, self.advances)


def _fire(
    conn: sqlite3.Connection,
    target: DueSchedule,
    occurrence: datetime,
    upcoming: Iterator[datetime] | None,
    now: datetime,
    batch: _Writes,
    filled: set[int],
) -> None:
    schedule = target.schedule
    due_at = send_time(occurrence, target)
    # Late (after downtime) and now in quiet hours: the catch-up waits for their end.
    send_at = send_time(now, target)
    paused = target.paused_until is not None and target.paused_until > now
    too_old = send_at - due_at > timedelta(minutes=schedule.grace_minutes)
    if target.unreachable or paused:
        pass  # planned past the pause, or not at all until the patient can be reached again
    elif too_old:
        events.record(
            conn,
            "reminder_skipped_too_old",
            now,
            patient_id=schedule.patient_id,
            schedule=schedule.id,
            kind=schedule.kind,
        )
    elif schedule.id in filled:
        # The whole day is already in the diary: a reminder to fill it in would only nag.
        events.record(
            conn,
            "reminder_skipped_day_filled",
            now,
            patient_id=schedule.patient_id,
            schedule=schedule.id,
        )
    else:
        _queue(conn, target, occurrence, now, send_at, batch)
    planned = next_after(target, occurrence, upcoming)
    next_occurrence, next_due = planned if planned else (None, None)
    batch.advances.append((schedule.id, next_occurrence, next_due))


def _queue(
    conn: sqlite3.Connection,
    target: DueSchedule,
    occurrence: datetime,
    now: datetime,
    send_at: datetime,
    batch: _Writes,
) -> None:
    schedule = target.schedule
    if schedule.resend_after_minutes:
        # Counted from when it is really sent: a late catch-up is not followed at once by its
        # re-send.
        resend_after = timedelta(minutes=schedule.resend_after_minutes)
        check_at = send_time(max(occurrence, send_at) + resend_after, target)
    else:
        check_at = occurrence + timedelta(minutes=schedule.grace_minutes)
    reminder_id = reminders.open_occurrence(
        conn,
        schedule_id=schedule.id,
        patient_id=schedule.patient_id,
        occurrence=occurrence,
        check_at=max(check_at, send_at),
        now=now,
    )
    if reminder_id is None:
        return  # queued before: never twice
    on_queued = kind_of(schedule.kind).on_queued
    if on_queued is not None:
        on_queued(conn, schedule, occurrence, now)  # e.g. a forms reminder's form request
    call = messages.reminder_call(target, reminder_id, occurrence, repeat=False)
    # The reminders row is the record that it was sent; no separate event is needed.
    batch.calls.append((call, send_at))


def _check(conn: sqlite3.Connection, reminder: Reminder, now: datetime) -> None:
    """An open reminder's check time: re-send it once, or record it as missed."""
    if reminder.status != "open":
        reminders.set_check(conn, reminder.id, None)
        return
    target = schedules.with_patient(conn, reminder.schedule_id)
    schedule = target.schedule
    missed_at = reminder.occurrence + timedelta(minutes=schedule.grace_minutes)
    paused = target.paused_until is not None and target.paused_until > now
    can_resend = schedule.resend_after_minutes and not reminder.resent
    if can_resend and now < missed_at and not target.unreachable and not paused:
        call = messages.reminder_call(target, reminder.id, reminder.occurrence, repeat=True)
        outbox.enqueue(conn, call, now)
        reminders.set_check(conn, reminder.id, missed_at, resent=1)
        return
    if now < missed_at:
        reminders.set_check(conn, reminder.id, missed_at)
        return
    record_missed(conn, reminder, now)


def record_missed(conn: sqlite3.Connection, reminder: Reminder, now: datetime, **details) -> None:
    """An occurrence nobody acted on (or that never reached the patient): closed as missed,
    on the timeline, and its kind's missed check (a planned activity's amber flag)."""
    reminders.close(conn, reminder.id, "missed", now)
    events.record(
        conn,
        "reminder_missed",
        now,
        patient_id=reminder.patient_id,
        schedule=reminder.schedule_id,
        kind=reminder.kind,
        **details,
    )
    on_missed = kind_of(reminder.kind).on_missed
    if on_missed is not None:
        on_missed(conn, reminder, now, DEFAULT_LANGUAGE)


Batch = Callable[[sqlite3.Connection, datetime], int]


class Ticker:
    """Runs the periodic passes every `interval` seconds (30 s in production; in the demo
    often enough to follow every move of the fake clock). Each pass is a list of batch
    functions `(conn, now) -> rows handled` with the size of a full batch; each batch is its
    own transaction, and a full batch runs again."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        interval: float,
        wake_sender,
        batches: list[tuple[Batch, int]] | None = None,
        heartbeat: Heartbeat | None = None,
    ):
        self._db = database
        self._clock = clock
        self._interval = interval
        self._wake_sender = wake_sender
        self._batches = batches if batches is not None else [(run_batch, BATCH_SIZE)]
        self._heartbeat = heartbeat or Heartbeat("tick")

    async def run(self) -> None:
        while True:
            await self.tick()
            self._heartbeat.beat()
            await asyncio.sleep(self._interval)

    async def tick(self) -> None:
        """Every batch in turn; one that fails is an ERROR line and the others still run
        (the escalation chain never waits on a reminder's bug, nor the reverse)."""
        for batch, full in self._batches:
            try:
                await self._run_batch(batch, full)
            except Exception as error:
                log.error("tick: batch %s failed: %s", _name(batch), type(error).__name__)

    async def _run_batch(self, batch: Batch, full: int) -> None:
        while True:
            handled = await self._db.transaction(
                lambda conn, batch=batch: batch(conn, self._clock.now())
            )
            self._heartbeat.beat()  # a long catch-up is progress, not a hang
            if handled:
                self._wake_sender()
            if handled < full:
                break
            await asyncio.sleep(0)  # let other transactions (a safety alert) in between


def _name(batch) -> str:
    function = getattr(batch, "func", batch)  # a functools.partial names its function
    return f"{function.__module__}.{function.__name__}"
