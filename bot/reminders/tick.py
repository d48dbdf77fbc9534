"""The tick: one periodic pass that turns due schedules into reminder messages.

Each batch of at most BATCH_SIZE rows is its own short transaction, so a safety alert's
write never waits behind a long one. Selection is by the indexed next_due_at; there is no
scheduler job per patient.

After downtime a schedule sends at most one catch-up reminder (its latest occurrence), and
none when that occurrence is older than its grace period. A diary reminder is not sent for a
day the patient has already filled in completely, nor a module nudge while the patient's
module is finished and the next one is not open.

A patient's reminders sent within the same half hour share one message: with a batch's due
schedules come their patients' other schedules due within that half hour (the "company",
one query), and those that go out now join the message (bot/reminders/merging.py).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.care.pacing import ProgramPacing, nothing_to_work_on
from bot.clock import Clock
from bot.containment import each_contained
from bot.i18n import DEFAULT_LANGUAGE
from bot.reminders import merging, messages
from bot.reminders.kinds.registry import kind_of
from bot.reminders.planning import local_send_time, next_after, occurrence_to_send
from bot.supervisor import Heartbeat
from storage import diary_weeks, events, outbox, progress, reminders, schedules
from storage.database import Database, savepoint
from storage.leases import Lease
from storage.outbox import OutgoingCall
from storage.reminders import Reminder
from storage.schedules import DueSchedule

log = logging.getLogger(__name__)

BATCH_SIZE = 300
TICK_LEASE = "tick"


def run_batch(
    conn: sqlite3.Connection,
    now: datetime,
    limit: int = BATCH_SIZE,
    *,
    diary_parts: dict[str, int] | None = None,
    pacing: dict[str, ProgramPacing] | None = None,
) -> int:
    """One batch inside one transaction: due schedules, then due re-send/missed checks.
    `diary_parts`: how many diary parts a day has, per program id (the diary reminder is
    skipped for a day with all of them done; None: never skipped). `pacing`: who opens each
    program's next module, and when (a module nudge is skipped while the patient's current
    module is finished and no next one is there to open; a program missing here: skipped for
    any finished module).
    Returns how many rows it handled (a full batch means: run again).

    The due schedules go in three steps: each one's occurrence is worked out (pure), the
    filled diary days and the patients' places in their modules are read in one query each,
    then what each one does is decided (pure) and
    written for the whole batch at once (a few statements, not a few per reminder). A
    schedule whose pure part fails is set aside alone; if the batch's writes fail, they are
    undone and written again one schedule at a time, each in its own savepoint, so the
    failing one is set aside and the others still go (bot/containment.py)."""
    now = now.astimezone(UTC)  # the key of what is kept per moment (_timing)
    due = schedules.due(conn, now, limit)
    company = _company(conn, due, now)
    planned = _each_pure(
        conn,
        due + company,
        lambda target: (target, *occurrence_to_send(target, now)),
        id_of=lambda target: target.schedule.id,
    )
    filled = _filled_days(conn, planned, diary_parts or {})
    waiting = _waiting(conn, planned, pacing or {}, now)
    fires = _each_pure(
        conn,
        planned,
        lambda plan: _decide(
            *plan, now, plan[0].schedule.id in filled, plan[0].schedule.id in waiting
        ),
        id_of=lambda plan: plan[0].schedule.id,
    )
    if company:
        fires = _joining(fires, {target.schedule.id for target in company})
    _write_contained(conn, fires, now)
    checks = reminders.due_checks(conn, now, limit)
    each_contained(
        conn,
        checks,
        lambda reminder: _check(conn, reminder, now),
        set_aside=lambda reminder: reminders.set_check(conn, reminder.id, None),
        what="tick: reminder",
    )
    return max(len(due), len(checks))


def _company(conn: sqlite3.Connection, due: list[DueSchedule], now: datetime) -> list[DueSchedule]:
    """The due patients' other schedules due within merging.WINDOW (in this batch or not),
    which may share their message; one query for the batch. If that fails, none: each
    reminder then comes alone, at its own time."""
    if not due:
        return []
    try:
        return schedules.of_patients_due_by(
            conn,
            {target.schedule.patient_id for target in due},
            now + merging.WINDOW,
            [target.schedule.id for target in due],
        )
    except Exception as error:
        log.error("tick: the look for reminders to send together failed: %s", type(error).__name__)
        return []


def _joining(fires: list[_Fire], company: set[int]) -> list[_Fire]:
    """The batch's own fires, and of the company's those that join a message queued in this
    batch: their patient has a reminder queued in this batch, their own send time fits
    (merging.joins) and they are queued themselves. The others are left to their own time
    (nothing written for them now)."""
    first_send: dict[int, datetime] = {}
    for fire in fires:
        if fire.check_at is not None and fire.target.schedule.id not in company:
            patient = fire.target.schedule.patient_id
            first_send[patient] = min(first_send.get(patient, fire.send_at), fire.send_at)
    joining = []
    for fire in fires:
        schedule = fire.target.schedule
        if schedule.id in company:
            first = first_send.get(schedule.patient_id)
            if first is None or not merging.joins(
                schedule.next_due_at, first, kind_of(schedule.kind).joins_early
            ):
                continue
            if fire.check_at is None:
                continue  # not sent now (its diary day is filled in): left to its own time
        joining.append(fire)
    return joining


def _filled_days(
    conn: sqlite3.Connection,
    planned: list[tuple[DueSchedule, datetime, datetime | None]],
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
    planned: list[tuple[DueSchedule, datetime, datetime | None]],
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


def _waiting(
    conn: sqlite3.Connection,
    planned: list[tuple[DueSchedule, datetime, datetime | None]],
    pacing: dict[str, ProgramPacing],
    now: datetime,
) -> set[int]:
    """The ids of the batch's module nudges (kinds that `skip_when_waiting`) whose patient
    has finished their current module with nothing new to open; one query for the batch.
    If that fails, none: a nudge too many is better than a batch that fails every tick."""
    nudges = {
        target.schedule.id: target.schedule.patient_id
        for target, _, _ in planned
        if kind_of(target.schedule.kind).skip_when_waiting
    }
    if not nudges:
        return set()
    try:
        places = progress.places(conn, list(set(nudges.values())))
    except Exception as error:
        log.error("tick: the module-waiting check failed: %s", type(error).__name__)
        return set()
    return {
        schedule_id
        for schedule_id, patient_id in nudges.items()
        if patient_id in places
        and nothing_to_work_on(pacing.get(places[patient_id].program), places[patient_id], now)
    }


def _local_day(moment: datetime, target: DueSchedule) -> date:
    return _day_in(moment, target.timezone)


@lru_cache(maxsize=1024)
def _day_in(moment: datetime, zone: str) -> date:
    """Kept: a batch's occurrences share a few moments and zones (moments in UTC)."""
    return moment.astimezone(ZoneInfo(zone)).date()


T = TypeVar("T")
R = TypeVar("R")


def _each_pure(
    conn: sqlite3.Connection,
    items: list[T],
    work: Callable[[T], R],
    id_of: Callable[[T], int],
) -> list[R]:
    """`work` for each item, without the database (so without a savepoint): an item whose
    work fails is logged with its schedule's id and set aside; the others go on."""
    done = []
    for item in items:
        try:
            done.append(work(item))
        except Exception as error:
            schedule_id = id_of(item)
            log.error("tick: schedule %s set aside: %s", schedule_id, type(error).__name__)
            _set_aside(conn, schedule_id)
    return done


def _set_aside(conn: sqlite3.Connection, schedule_id: int) -> None:
    """No next due time: the next tick does not trip on it again (as each_contained does)."""
    try:
        with savepoint(conn):
            schedules.set_next(conn, schedule_id, None, None)
    except Exception as error:
        log.error("tick: schedule %s could not be set aside: %s", schedule_id, type(error).__name__)


@dataclass(frozen=True, slots=True)
class _Fire:
    """What one due schedule does in this batch, decided without the database."""

    target: DueSchedule
    occurrence: datetime
    send_at: datetime
    check_at: datetime | None  # a reminder is queued, with its check time; None: nothing sent
    skipped: tuple[str, dict] | None  # the event recorded instead: (type, details)
    next_occurrence: datetime | None
    next_due: datetime | None


def _decide(
    target: DueSchedule,
    occurrence: datetime,
    following: datetime | None,
    now: datetime,
    day_filled: bool,
    waiting: bool = False,
) -> _Fire:
    schedule = target.schedule
    send_at, too_old, check_at = _timing(
        occurrence,
        now,
        target.timezone,
        target.quiet_start,
        target.quiet_end,
        schedule.grace_minutes,
        schedule.resend_after_minutes,
    )
    paused = target.paused_until is not None and target.paused_until > now
    queued = skipped = None
    if target.unreachable or paused:
        pass  # planned past the pause, or not at all until the patient can be reached again
    elif too_old:
        skipped = ("reminder_skipped_too_old", {"schedule": schedule.id, "kind": schedule.kind})
    elif day_filled:
        # The whole day is already in the diary: a reminder to fill it in would only nag.
        skipped = ("reminder_skipped_day_filled", {"schedule": schedule.id})
    elif waiting:
        # The module is finished and the next one not open: a nudge to work on it would nag.
        skipped = ("reminder_skipped_waiting", {"schedule": schedule.id})
    else:
        queued = check_at
    planned = next_after(target, occurrence, following)
    next_occurrence, next_due = planned if planned else (None, None)
    return _Fire(target, occurrence, send_at, queued, skipped, next_occurrence, next_due)


@lru_cache(maxsize=1024)
def _timing(
    occurrence: datetime,
    now: datetime,
    zone: str,
    quiet_start: time,
    quiet_end: time,
    grace_minutes: int,
    resend_after_minutes: int | None,
) -> tuple[datetime, bool, datetime]:
    """For an occurrence due at `now`: when it is sent, whether that is too late to send it
    at all, and when its reminder is looked at again (its re-send, or when it counts as
    missed). Pure and kept: a batch asks it the same few questions for thousands of
    patients (`occurrence` and `now` in UTC, so that equal keys are equal moments)."""
    due_at = local_send_time(occurrence, zone, quiet_start, quiet_end)
    # Late (after downtime) and now in quiet hours: the catch-up waits for their end.
    send_at = local_send_time(now, zone, quiet_start, quiet_end)
    too_old = send_at - due_at > timedelta(minutes=grace_minutes)
    if resend_after_minutes:
        # Counted from when it is really sent: a late catch-up is not followed at once by its
        # re-send.
        resend_at = max(occurrence, send_at) + timedelta(minutes=resend_after_minutes)
        check_at = local_send_time(resend_at, zone, quiet_start, quiet_end)
    else:
        check_at = occurrence + timedelta(minutes=grace_minutes)
    return send_at, too_old, max(check_at, send_at)


def _write_contained(conn: sqlite3.Connection, fires: list[_Fire], now: datetime) -> None:
    """The batch's writes at once; if they fail, again one schedule at a time, so that only
    the failing one is set aside."""
    if not fires:
        return
    try:
        with savepoint(conn):
            _write(conn, fires, now)
        return
    except Exception as error:
        log.warning(
            "tick: writing a batch of %d schedules failed (%s); one at a time",
            len(fires),
            type(error).__name__,
        )
    each_contained(
        conn,
        fires,
        lambda fire: _write(conn, [fire], now),
        set_aside=lambda fire: schedules.set_next(conn, fire.target.schedule.id, None, None),
        what="tick: schedule",
        id_of=lambda fire: fire.target.schedule.id,
    )


def _write(conn: sqlite3.Connection, fires: list[_Fire], now: datetime) -> None:
    """Reminders rows (their ids returned), outbox rows and schedule advances, each with a
    multi-row statement per few hundred rows, in the open transaction: queued and advanced
    together, or neither. An occurrence queued before gets no second reminder (never
    twice)."""
    queued = [fire for fire in fires if fire.check_at is not None]
    opened = reminders.open_many(
        conn,
        [
            (
                fire.target.schedule.id,
                fire.target.schedule.patient_id,
                fire.occurrence,
                fire.check_at,
            )
            for fire in queued
        ],
        now,
    )
    sent = []
    for fire in fires:
        schedule = fire.target.schedule
        if fire.skipped is not None:
            event, details = fire.skipped
            events.record(conn, event, now, patient_id=schedule.patient_id, **details)
        reminder_id = opened.get(schedule.id) if fire.check_at is not None else None
        if reminder_id is None:
            continue
        on_queued = kind_of(schedule.kind).on_queued
        if on_queued is not None:
            on_queued(conn, schedule, fire.occurrence, now)  # e.g. a forms reminder's request
        sent.append((fire, reminder_id))
    # The reminders rows are the record that they were sent; no separate event is needed.
    outbox.enqueue_many(conn, [_message(group) for group in _together(sent)], now)
    schedules.set_next_many(
        conn, [(fire.target.schedule.id, fire.next_occurrence, fire.next_due) for fire in fires]
    )


def _together(sent: list[tuple[_Fire, int]]) -> list[list[tuple[_Fire, int]]]:
    """The batch's queued reminders as messages: one each, or a patient's together (the batch
    holds only what is sent within the half hour: _joining)."""
    patient_ids = {fire.target.schedule.patient_id for fire, _ in sent}
    if len(patient_ids) == len(sent):
        return [[item] for item in sent]  # one each (the common case: keep it cheap)
    return merging.together(sent, lambda item: item[0].target.schedule.patient_id)


def _message(group: list[tuple[_Fire, int]]) -> tuple[OutgoingCall, datetime]:
    """A group's call and when it goes: at the first one's send time (none waits)."""
    if len(group) == 1:
        fire, reminder_id = group[0]
        call = messages.reminder_call(fire.target, reminder_id, fire.occurrence, repeat=False)
        return call, fire.send_at
    call = messages.shared_call([(fire.target, reminder_id) for fire, reminder_id in group])
    return call, min(fire.send_at for fire, _ in group)


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
    """The periodic passes, run every `interval` seconds as one APScheduler job by the
    supervisor (`Supervisor.every`; 30 s in production; in the demo often enough to follow
    every move of the fake clock). Each pass is a list of batch functions `(conn, now) ->
    rows handled` with the size of a full batch; each batch is its own transaction, and a
    full batch runs again.

    Several workers on one database: `lease` (storage.leases.Lease.hold) is asked first in
    every batch's transaction, so only the lease's holder ticks, and a holder that lost it
    stops before writing anything (the lease's row lock keeps a batch and a takeover apart).
    A worker without the lease asks once per pass and is done."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        interval: float,
        wake_sender,
        batches: list[tuple[Batch, int]] | None = None,
        heartbeat: Heartbeat | None = None,
        lease: Callable[[sqlite3.Connection], bool] | None = None,
    ):
        self._db = database
        self._clock = clock
        self.interval = interval
        self._wake_sender = wake_sender
        self._batches = batches if batches is not None else [(run_batch, BATCH_SIZE)]
        self._heartbeat = heartbeat or Heartbeat("tick")
        self._lease = lease

    async def tick(self) -> None:
        """Every batch in turn; one that fails is an ERROR line and the others still run
        (the escalation chain never waits on a reminder's bug, nor the reverse). Nothing,
        when another worker holds the lease."""
        for batch, full in self._batches:
            try:
                if not await self._run_batch(batch, full):
                    return
            except Exception as error:
                log.error("tick: batch %s failed: %s", _name(batch), type(error).__name__)

    async def _run_batch(self, batch: Batch, full: int) -> bool:
        """False when the lease is another worker's."""
        while True:
            handled = await self._db.transaction(
                lambda conn, batch=batch: self._leased(conn, batch)
            )
            self._heartbeat.beat()  # a long catch-up is progress, not a hang
            if handled is None:
                return False
            if handled:
                self._wake_sender()
            if handled < full:
                return True
            await asyncio.sleep(0)  # let other transactions (a safety alert) in between

    def _leased(self, conn: sqlite3.Connection, batch: Batch) -> int | None:
        if self._lease is not None and not self._lease(conn):
            return None
        return batch(conn, self._clock.now())


def tick_lease(interval: float) -> Lease:
    """The lease of the tick (and of the purge, and any other once-per-deployment job) for a
    tick every `interval` seconds. It lasts half an interval and `keep_lease` renews it every
    quarter, so a holder a little late keeps it, and when the holder dies another worker takes
    it within three quarters of an interval and ticks at its next tick: within two intervals."""
    return Lease(TICK_LEASE, interval / 2)


def keep_lease(database: Database, lease: Lease) -> Callable[[], Awaitable[None]]:
    """The periodic job (every `lease.seconds / 2`, on a shared database) that renews the
    lease for its holder and lets another worker take it once it has expired."""

    async def renew() -> None:
        await database.transaction(lease.hold)

    return renew


def _name(batch) -> str:
    function = getattr(batch, "func", batch)  # a functools.partial names its function
    return f"{function.__module__}.{function.__name__}"
