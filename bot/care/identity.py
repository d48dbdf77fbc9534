"""Who a new patient is: confirmed by their care team ("Är detta din patient?") or, when the
unit's setting says 'verifier', by a pluggable identity check (docs/identity-check.md).

Until a patient is confirmed they can read and work module 1, and risk flags and safety
messages go as always; what the care team would send them (messages, comments, feedback, a
welcome text, the opening of module 2 or an add-on) is held back. `refusal` is that one rule;
the staff routes that reach a patient ask it, and the weekly module opening waits on
`holds_back`.

A **Nej** ends the enrollment (reason identity_rejected, with its closing message), erases
what was stored for the person (storage/forget.py) and burns the invite.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
from datetime import datetime
from typing import Protocol

from bot.care.access import care_team_or_admins
from bot.care.lifecycle import end_treatment
from bot.care.notify import tell_therapist
from bot.i18n import Translator
from bot.render.calls import reply_call
from dialogues import identity
from dialogues.types import Outcome, Reply
from storage import audit, forget, invites, lifecycle, outbox, patients, units
from storage.outbox import LANE_STAFF
from storage.patients import Patient

log = logging.getLogger(__name__)

THERAPIST = "therapist"  # the care team answers "Är detta din patient?" (the default)
VERIFIER = "verifier"  # a pluggable identity check (BankID, Freja eID, ...) confirms


class IdentityVerifier(Protocol):
    """An identity check the deployment provides (a BankID or Freja eID service, say).

    `start` begins a check for a patient who has just accepted consent and returns what the
    patient is shown: a link or a short instruction (plain text). When the check is done,
    the deployment calls `verified(conn, patient_id, confirmed, now)` below inside one
    database transaction (`Database.transaction`). The verifier is told only the patient's
    id and language: it keeps its own link between the id and the person it checked."""

    def start(self, patient_id: int, language: str) -> str: ...


def load_verifier(spec: str) -> IdentityVerifier | None:
    """The verifier named by the setting IDENTITY_VERIFIER, `package.module:factory` (a
    class or a function taking no arguments); None when the setting is empty."""
    if not spec:
        return None
    module_name, _, attribute = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), attribute)
    return factory()


# ---- at consent ----------------------------------------------------------------------------


def begin(
    conn: sqlite3.Connection,
    verifier: IdentityVerifier | None,
    patient: Patient,
    now: datetime,
    display_name: str | None,
) -> str | None:
    """Consent accepted: start confirming who this is. Returns the verifier's instruction
    for the patient, or None when the care team is asked (the unit's default, and the
    fallback when the unit asks for a verifier but none is configured)."""
    if units.identity_check(conn, patient.unit_id) == VERIFIER:
        if verifier is not None:
            log.info("identity check started for patient %s", patient.id)
            return verifier.start(patient.id, patient.language)
        log.error(
            "unit %s wants a verifier but IDENTITY_VERIFIER is not set: patient %s is"
            " confirmed by the care team instead",
            patient.unit_id,
            patient.id,
        )
    ask_care_team(conn, patient, now, display_name)
    return None


def ask_care_team(
    conn: sqlite3.Connection, patient: Patient, now: datetime, display_name: str | None = None
) -> None:
    """ "Är detta din patient?" to the care team, each in their own language. The display name
    is in the message only: its outbox payload is erased once sent, and it is never logged.
    A care team nobody can reach: the unit's patient-admins are asked, so a patient never
    waits unseen."""
    for member in care_team_or_admins(conn, patient, now):
        chat_id = member.telegram_user_id
        t = Translator(member.language or "sv")
        question = Reply(
            identity.question_text(patient.label, display_name, t),
            identity.question_buttons(patient.id, t),
        )
        outbox.enqueue(conn, reply_call(question, chat_id, 0, lane=LANE_STAFF), now)


def verified(conn: sqlite3.Connection, patient_id: int, confirmed: bool, now: datetime) -> None:
    """The verifier's result. Confirmed: the patient is confirmed (by nobody on staff) and the
    care team told. Not confirmed: the care team is asked, and decides."""
    patient = patients.get(conn, patient_id)
    if patient is None or patient.confirmed or not _still_enrolled(conn, patient):
        return
    if confirmed:
        confirm(conn, patient, None, now)
        tell_therapist(conn, patient, "identity.verified", now)
    else:
        log.info("identity check for patient %s not confirmed: the care team is asked", patient_id)
        ask_care_team(conn, patient, now)


# ---- the care team's answer ----------------------------------------------------------------


def confirm(
    conn: sqlite3.Connection, patient: Patient, staff_id: int | None, now: datetime
) -> bool:
    """This is the patient invited: from now on the care team reaches them. False when they
    were confirmed already."""
    if not lifecycle.confirm(conn, patient.id, staff_id, now):
        return False
    enrollment = patients.latest_enrollment(conn, patient.id)
    lifecycle.record(
        conn,
        patient.id,
        "confirmed",
        now,
        enrollment_id=enrollment.id if enrollment else None,
        reason=THERAPIST if staff_id is not None else VERIFIER,
        staff_id=staff_id,
    )
    if staff_id is not None:
        audit.record(
            conn, staff_id=staff_id, action="identity_confirmed", now=now, patient_id=patient.id
        )
    return True


def reject(conn: sqlite3.Connection, patient: Patient, staff_id: int, now: datetime) -> bool:
    """Not the patient invited: the enrollment ends (the person gets the closing message),
    everything stored for them is erased and the invite burned. False when it had ended."""
    enrollment = patients.latest_enrollment(conn, patient.id)
    if enrollment is None or not end_treatment(
        conn, patient, enrollment, lifecycle.IDENTITY_REJECTED, now, staff_id=staff_id
    ):
        return False
    invites.burn_accepted(conn, patient.unit_id, patient.label)
    forget.forget_enrolled_person(conn, patient.id, patient.chat_id)
    audit.record(
        conn, staff_id=staff_id, action="identity_rejected", now=now, patient_id=patient.id
    )
    log.info(
        "patient %s: identity rejected, enrollment %s ended and erased", patient.id, enrollment.id
    )
    return True


def _still_enrolled(conn: sqlite3.Connection, patient: Patient) -> bool:
    enrollment = patients.latest_enrollment(conn, patient.id)
    return enrollment is not None and enrollment.status != "ended"


def still_open(conn: sqlite3.Connection, patient: Patient) -> bool:
    """The question still waits for an answer: not confirmed, and the enrollment goes on."""
    return not patient.confirmed and _still_enrolled(conn, patient)


# ---- the one rule for reaching an unconfirmed patient ----------------------------------------


def holds_back(patient: Patient) -> bool:
    """Nothing from the care team reaches this patient yet (module 1 and safety do)."""
    return not patient.confirmed


def refusal(patient: Patient, t) -> Outcome | None:
    """A staff action that would reach the patient: None when it may, else why not ("inte
    bekräftad ännu") with the buttons to confirm."""
    if not holds_back(patient):
        return None
    return identity.not_confirmed(patient.label, patient.id, t)
