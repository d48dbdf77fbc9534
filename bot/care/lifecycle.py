"""Ending a treatment: one rule for every way it ends (/end by staff, maintenance running
out, the patient's /withdraw, an enrollment the therapist did not recognise).

The order inside the one transaction matters: what the bot had queued for the patient is
withheld first, then the closing message is queued (so it still goes), then outreach stops,
so from here on nothing the bot starts reaches the patient (storage/outbox.py checks every
row queued). Every schedule stops at once; an open flag is told to the care team, so none is
left unhandled without them knowing.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime

from bot.care.messaging import deliver_all_waiting_feedback
from bot.care.notify import tell_patient, tell_therapist
from dialogues.types import Reply
from storage import audit, events, flags, lifecycle, outbox
from storage.patients import Enrollment, Patient

log = logging.getLogger(__name__)


def end_treatment(
    conn: sqlite3.Connection,
    patient: Patient,
    enrollment: Enrollment,
    reason: str,
    now: datetime,
    *,
    staff_id: int | None = None,
    comment: str | None = None,
    closing_message: bool = True,
) -> bool:
    """End the treatment for good; False when it had ended already (nothing is done).

    `closing_message` False: the caller answers the patient itself (their own /withdraw).
    """
    if not lifecycle.end(conn, enrollment.id, reason, now, staff_id=staff_id, comment=comment):
        return False
    lifecycle.stop_scheduled_work(conn, patient.id, now)
    conn.execute("DELETE FROM dialogue_state WHERE chat_id = ?", (patient.chat_id,))
    withheld = outbox.withhold_outreach(conn, patient.chat_id, now)
    if reason in _FEEDBACK_STILL_GOES:
        deliver_all_waiting_feedback(conn, patient.id, now)
    if closing_message:
        tell_patient(conn, patient, now, lambda t: Reply(_closing_text(t, reason)))
    lifecycle.stop_outreach(conn, patient.id, now)
    change = "withdrawn" if reason == lifecycle.WITHDRAWN else "ended"
    lifecycle.record(
        conn, patient.id, change, now, enrollment_id=enrollment.id, reason=reason, staff_id=staff_id
    )
    events.record(conn, "treatment_ended", now, patient_id=patient.id, reason=reason)
    if staff_id is not None:
        audit.record(
            conn,
            staff_id=staff_id,
            action="treatment_ended",
            now=now,
            patient_id=patient.id,
            reason=reason,
        )
    _tell_open_flags(conn, patient, now)
    log.info(
        "treatment ended: patient %s enrollment %s reason %s, %s queued message(s) withheld",
        patient.id,
        enrollment.id,
        reason,
        withheld,
    )
    return True


# Ended by the care team or by time: the therapist's feedback already written still reaches the
# patient, before the closing message. Not after a withdrawal (nothing more, as promised), nor
# to a person the therapist did not recognise, nor after years of silence.
_FEEDBACK_STILL_GOES = (*lifecycle.END_REASONS, lifecycle.MAINTENANCE_OVER)


def _closing_text(t, reason: str) -> str:
    return "\n\n".join((t(f"lifecycle.closing.{reason}"), t("lifecycle.closing.contact")))


def _tell_open_flags(conn: sqlite3.Connection, patient: Patient, now: datetime) -> None:
    """An open flag outlives the treatment: the care team hears of it now, and the flag's
    acknowledgement chain goes on until someone handles it."""
    red, amber = flags.open_counts(conn, patient.id)
    if red or amber:
        tell_therapist(conn, patient, "lifecycle.open_flags_at_end", now, red=red, amber=amber)
