"""Maintenance (vidmakthållande): after the active treatment, a period in which the patient
keeps reading the modules they had, while everything that asks them to work or write is
closed (writing exercises, the diary, messages, questionnaires, reminders). When its days
run out the treatment ends by itself (bot/reminders/maintenance_over.py).

The one place that says whether a patient is in maintenance and what they may read, asked
by the router (every patient turn while in maintenance gets the "closed" word and the way to
the reading view), by the reading view and by `/maintain`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.care.messaging import deliver_all_waiting_feedback
from bot.care.modules import is_addon
from bot.care.notify import tell_patient
from bot.turn.context import World
from dialogues import reading
from dialogues.types import Outcome, Reply
from storage import audit, dialogue_state, events, lifecycle, outbox, patients, treatment
from storage.dialogue_state import DialogueState
from storage.patients import Enrollment, Patient

log = logging.getLogger(__name__)


def maintained(conn: sqlite3.Connection, patient_id: int) -> Enrollment | None:
    """The patient's treatment while it is in maintenance; None otherwise."""
    enrollment = patients.latest_enrollment(conn, patient_id)
    if enrollment is None or enrollment.status != "maintenance":
        return None
    return enrollment


def modules_had(conn: sqlite3.Connection, world: World, enrollment: Enrollment) -> tuple[int, ...]:
    """The modules opened for the patient so far: the core modules up to the current one and
    the add-ons their therapist opened, in the program's order."""
    program = world.programs[enrollment.program]
    core = range(1, min(enrollment.current_module, program.module_count) + 1)
    addons = (n for n in treatment.opened_addons(conn, enrollment.id) if is_addon(program, n))
    return tuple(sorted({*core, *addons}))


def kept_modules(conn: sqlite3.Connection, world: World, enrollment: Enrollment) -> tuple[int, ...]:
    """What the patient may read in maintenance: the modules they had, less those the
    therapist deselected."""
    hidden = lifecycle.hidden_in_maintenance(conn, enrollment.id)
    return tuple(n for n in modules_had(conn, world, enrollment) if n not in hidden)


def local_day(conn: sqlite3.Connection, patient_id: int, moment: datetime) -> date:
    """`moment` as a date in the patient's own zone (theirs, else their unit's)."""
    zone = ZoneInfo(patients.reminder_settings(conn, patient_id).timezone)
    return moment.astimezone(zone).date()


def until_after(conn: sqlite3.Connection, patient_id: int, now: datetime, days: int) -> datetime:
    """When maintenance of `days` days started now ends: the same time of day on the patient's
    own calendar (across a change to or from summer time too), in UTC."""
    zone = ZoneInfo(patients.reminder_settings(conn, patient_id).timezone)
    return (now.astimezone(zone) + timedelta(days=days)).astimezone(UTC)


def day_text(day: date, language: str) -> str:
    """'15 december 2026' / '15 December 2026'."""
    return format_date(day, "d MMMM yyyy", locale=language)


def until_text(conn: sqlite3.Connection, enrollment: Enrollment, language: str) -> str:
    """The day the maintenance ends, in the patient's zone and `language`."""
    return day_text(local_day(conn, enrollment.patient_id, enrollment.maintenance_until), language)


def closed_to_staff(conn: sqlite3.Connection, patient: Patient, t) -> Outcome | None:
    """For a staff command that would start work for the patient (a questionnaire, a
    reminder schedule, a planned activity): while the treatment is in maintenance, why not;
    otherwise None."""
    enrollment = maintained(conn, patient.id)
    if enrollment is None:
        return None
    until = until_text(conn, enrollment, t.language)
    text = t("maintain.closed_to_staff", label=escape(patient.label), until=until)
    return Outcome(replies=(Reply(text),))


def start(
    conn: sqlite3.Connection,
    patient: Patient,
    enrollment: Enrollment,
    until: datetime,
    hidden: Iterable[int],
    staff_id: int,
    now: datetime,
) -> bool:
    """Put an active treatment into maintenance until `until` (UTC), inside the caller's one
    transaction; False when it was no longer active (nothing is done).

    Every schedule stops at once and what the bot had queued towards the patient and not
    sent yet is withheld (a reminder, a questionnaire, a note); feedback written and waiting
    for the next module is given now; the patient's open dialogue
    closes (its buttons go stale); the deselected modules are hidden from their reading; the
    change is a lifecycle row and an audit row; and the patient is told, in their language,
    until which day they can read and what to do if they feel worse."""
    if not lifecycle.start_maintenance(conn, enrollment.id, now, until):
        return False
    lifecycle.stop_scheduled_work(conn, patient.id, now)
    withheld = outbox.withhold_outreach(conn, patient.chat_id, now)
    # Feedback the therapist wrote that was waiting for the next module: no module opens
    # any more, so it goes now (before what maintenance means), never lost.
    deliver_all_waiting_feedback(conn, patient.id, now)
    dialogue_state.save(conn, patient.chat_id, DialogueState(), now)  # a new revision
    hidden = sorted(set(hidden))
    for module in hidden:
        lifecycle.hide_module_in_maintenance(conn, enrollment.id, module)
    lifecycle.record(
        conn, patient.id, "maintenance", now, enrollment_id=enrollment.id, staff_id=staff_id
    )
    events.record(conn, "maintenance_started", now, patient_id=patient.id, hidden=len(hidden))
    audit.record(
        conn,
        staff_id=staff_id,
        action="maintenance_started",
        now=now,
        patient_id=patient.id,
        until=until.isoformat(),
        hidden=",".join(str(n) for n in hidden),
    )
    day = local_day(conn, patient.id, until)
    tell_patient(conn, patient, now, lambda t: reading.told_patient(day_text(day, t.language), t))
    log.info(
        "maintenance started: patient %s enrollment %s, %s module(s) hidden, %s withheld",
        patient.id,
        enrollment.id,
        len(hidden),
        withheld,
    )
    return True
