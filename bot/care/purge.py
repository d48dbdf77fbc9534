"""When an ended treatment is purged (gallring), and the periodic job that does it.

The rules (docs/operations.md):
- Due `purge_after_days` (a unit setting, default 90) after the end, and at the latest two
  years (RETENTION) after the patient's last activity (their last turn; their start if none).
- A treatment still running with no activity for RETENTION minus JOURNAL_WAIT is ended by
  the bot with the reason `inactive` (closing message and all, bot/care/lifecycle.py), so its
  purge is due at the two years with the journal's whole wait still before it.
- A due purge waits for the last journal period to be recorded (storage/journal.py
  `recorded_until` at or after the end, or after everything a journal note would cover),
  reminding the therapist every REMIND_EVERY; JOURNAL_WAIT after it was due (never past the
  two years) it purges anyway and tells the therapist.
- A patient with an open flag is never purged: a risk signal is handled by a person first
  (its acknowledgement chain goes on); the therapist is reminded of it weekly.

Each purge is audited (staff_id NULL, action `purged`), a lifecycle event and a ledger entry
(storage/purge_ledger.py). One failing patient is set aside with an ERROR line naming ids
and the others go on (bot/containment.py). After a run that purged anyone the database's
free pages and its write-ahead log are scrubbed (storage/scrub.py).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.care.lifecycle import end_treatment
from bot.care.notify import tell_therapist
from bot.clock import Clock
from bot.containment import each_contained
from storage import audit, journal, lifecycle, patients, purge_ledger, scrub
from storage import purge as erasing
from storage.database import Database
from storage.purge import Ended

log = logging.getLogger(__name__)

RETENTION = timedelta(days=730)  # at the latest two years after the last activity
JOURNAL_WAIT = timedelta(days=30)  # the longest a purge waits for the journal
REMIND_EVERY = timedelta(days=7)
INACTIVE_AFTER = RETENTION - JOURNAL_WAIT
BATCH_SIZE = 50  # purges per transaction: each run stays short

# What a due purge does now.
NOT_DUE = "not_due"
PURGE = "purge"
WAITING_FOR_JOURNAL = "waiting_for_journal"
WAITING_FOR_FLAG = "waiting_for_flag"


@dataclass(frozen=True)
class Plan:
    ended: Ended
    due_at: datetime
    deadline: datetime  # purged then even without the journal
    action: str
    journal_recorded: bool


def due_at(ended: Ended) -> datetime:
    after_end = ended.ended_at + timedelta(days=ended.purge_after_days)
    return min(after_end, ended.last_activity + RETENTION)


def deadline(ended: Ended) -> datetime:
    due = due_at(ended)
    return max(due, min(due + JOURNAL_WAIT, ended.last_activity + RETENTION))


def journal_recorded(conn: sqlite3.Connection, ended: Ended) -> bool:
    """The last journal period covers the end, or everything a journal note would cover."""
    recorded = journal.recorded_until(conn, ended.patient_id)
    last = erasing.last_recordable(conn, ended.patient_id)
    if recorded is None:
        return last is None
    return recorded >= ended.ended_at or (last is not None and recorded >= last)


def plan(conn: sqlite3.Connection, now: datetime) -> list[Plan]:
    """What each ended, not yet purged treatment does now (the dry run lists it)."""
    plans = []
    for ended in erasing.ended_not_purged(conn):
        due = due_at(ended)
        recorded = now >= due and journal_recorded(conn, ended)  # read only when due
        if now < due:
            action = NOT_DUE
        elif ended.open_flags:
            action = WAITING_FOR_FLAG
        elif recorded or now >= deadline(ended):
            action = PURGE
        else:
            action = WAITING_FOR_JOURNAL
        plans.append(Plan(ended, due, deadline(ended), action, recorded))
    return plans


def inactive_to_end(conn: sqlite3.Connection, now: datetime, limit: int) -> list[int]:
    return erasing.inactive_since(conn, now - INACTIVE_AFTER, limit)


def run_batch(
    conn: sqlite3.Connection, now: datetime, *, ledger_file: Path | None, limit: int = BATCH_SIZE
) -> int:
    """One pass in the caller's transaction: end inactive treatments, remind about waiting
    purges, purge the due ones (at most `limit`). Returns how many were purged."""
    each_contained(
        conn,
        inactive_to_end(conn, now, limit),
        lambda patient_id: _end_inactive(conn, patient_id, now),
        set_aside=lambda patient_id: None,  # tried again next run, with an ERROR line each time
        what="purge: inactive patient",
        id_of=lambda patient_id: patient_id,
    )
    purged = []
    due = [p for p in plan(conn, now) if p.action != NOT_DUE]
    each_contained(
        conn,
        due,
        lambda p: _act(conn, p, now, ledger_file, purged, limit),
        set_aside=lambda p: None,
        what="purge: patient",
        id_of=lambda p: p.ended.patient_id,
    )
    return len(purged)


def _act(conn, planned: Plan, now, ledger_file, purged: list[int], limit: int) -> None:
    patient_id = planned.ended.patient_id
    if planned.action == PURGE:
        if len(purged) >= limit:
            return  # the next run takes it
        purge_patient(
            conn,
            patient_id,
            now,
            ledger_file=ledger_file,
            journal_recorded=planned.journal_recorded,
        )
        purged.append(patient_id)
        return
    erasing.start_waiting(conn, patient_id, now)
    reminded = planned.ended.reminded_at
    if reminded is not None and now - reminded < REMIND_EVERY:
        return
    patient = patients.get(conn, patient_id)
    if planned.action == WAITING_FOR_FLAG:
        tell_therapist(conn, patient, "purge.waiting_for_flag", now)
    else:
        tell_therapist(
            conn, patient, "purge.waiting_for_journal", now, date=planned.deadline.date()
        )
    erasing.reminded(conn, patient_id, now)


def _end_inactive(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    patient = patients.get(conn, patient_id)
    enrollment = patients.latest_enrollment(conn, patient_id)
    end_treatment(conn, patient, enrollment, lifecycle.INACTIVE, now)


def purge_patient(
    conn: sqlite3.Connection,
    patient_id: int,
    now: datetime,
    *,
    ledger_file: Path | None,
    journal_recorded: bool = True,
    tell: bool = True,
) -> bool:
    """Purge one patient now (in the caller's transaction); False when already purged.
    Also what `python -m bot restore` does again for each later purge in the ledger (`tell`
    False: the therapist was told the first time)."""
    patient = patients.get(conn, patient_id)
    if patient is not None and not journal_recorded and tell:
        # Told before the label goes; the note's text is erased once sent (storage/outbox.py).
        tell_therapist(conn, patient, "purge.purged_without_journal", now)
    erased = erasing.erase(conn, patient_id, now)
    if erased is None:
        return False
    lifecycle.record(conn, patient_id, "purged", now)
    audit.record(
        conn, staff_id=None, action="purged", now=now, patient_id=patient_id, unit_id=erased.unit_id
    )
    purge_ledger.record(
        conn,
        purge_ledger.Entry(
            patient_id=patient_id,
            unit_id=erased.unit_id,
            created_at=erased.created_at,
            ended_at=erased.ended_at,
            end_reason=erased.end_reason,
            purged_at=now,
            journal_recorded=journal_recorded,
        ),
        ledger_file,
    )
    log.info(
        "purged: patient %s unit %s (%s statistic rows, journal %s)",
        patient_id,
        erased.unit_id,
        erased.statistics_rows,
        "recorded" if journal_recorded else "not recorded",
    )
    return True


class PurgeJob:
    """The periodic job (`Supervisor.every("purge", ...)`): one contained pass in one
    transaction, then the scrub outside it (from the bot's own connection, so no write of the
    bot's runs meanwhile) whenever the database holds a purge not scrubbed after: this pass's,
    one whose scrub could not finish, or one done elsewhere (`python -m bot purge` beside the
    running bot, whose own scrub the bot's readers keep from finishing; a restore; a purge
    before a restart). The first run after a start scrubs once.

    Several workers on one PostgreSQL database: only the holder of the tick's lease purges
    (`lease`, asked first in the pass's transaction, as the tick asks it), and the scrub is
    SQLite's alone (the server reclaims space by its own vacuum)."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        ledger_file: Path | None,
        wake_sender,
        lease: Callable[[sqlite3.Connection], bool] | None = None,
    ):
        self._db = database
        self._clock = clock
        self._ledger_file = ledger_file
        self._wake_sender = wake_sender
        self._lease = lease
        self._scrubbed_after: int | None = None  # purge ledger rows when last scrubbed

    async def run(self) -> None:
        purged = await self._db.transaction(self._leased_pass)
        if purged is None:
            return  # another worker holds the lease: it purges
        self._wake_sender()  # reminders to therapists, closing messages
        if self._db.dialect != "sqlite":
            return
        purges = await self._db.call(_purges_recorded)
        if purged or purges != self._scrubbed_after:
            if await self._db.call(scrub.scrub):
                self._scrubbed_after = purges

    def _leased_pass(self, conn: sqlite3.Connection) -> int | None:
        if self._lease is not None and not self._lease(conn):
            return None
        return run_batch(conn, self._clock.now(), ledger_file=self._ledger_file)


def _purges_recorded(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM purge_ledger").fetchone()[0]
