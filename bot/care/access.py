"""Who among staff may see which patient, and who cares for a patient right now: the one
place these rules live, used by every staff command, message and alert."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.turn.context import Turn

from dialogues.types import Outcome, Reply
from storage import audit, cover, patients, staff, units
from storage.patients import Patient
from storage.staff import Staff

UNIT_WIDE_ROLES = ("admin", "patient-admin")

log = logging.getLogger(__name__)


def may_see(conn: sqlite3.Connection, member: Staff, patient: Patient, now: datetime) -> bool:
    """Staff see only their own unit's patients: therapists their own and, during an absence
    cover, those of the therapist they cover for; patient-admins and admins every patient of
    the unit. A deactivated staff member sees nobody."""
    if not member.active or member.unit_id != patient.unit_id:
        return False
    if member.has_role(*UNIT_WIDE_ROLES) or patient.therapist_id == member.id:
        return True
    return patient.therapist_id in cover.covered_by(conn, member.id, now)


def may_read_flag(conn: sqlite3.Connection, member: Staff, patient: Patient, now: datetime) -> bool:
    """Who reads a flag's text (the patient's own words, Visa) and may handle it
    (Omhänderta): those who may see the patient, and, because a red flag may come when the
    patient's own team is away, the unit's patient-admins and its on-call list. Everybody
    else of the unit sees only that a flag exists, its colour and the patient's label."""
    if may_see(conn, member, patient, now):
        return True
    if not member.active or member.unit_id != patient.unit_id:
        return False
    return member.has_role("patient-admin") or units.is_on_call(conn, patient.unit_id, member.id)


def care_team(conn: sqlite3.Connection, patient: Patient, now: datetime) -> list[Staff]:
    """Who hears from and about this patient now: their therapist and any deputy covering
    for them (active staff with a bound Telegram account only)."""
    ids = [patient.therapist_id, *cover.deputies_of(conn, patient.therapist_id, now)]
    members = [staff.get(conn, staff_id) for staff_id in dict.fromkeys(ids)]
    return [m for m in members if m is not None and m.active and m.telegram_user_id]


def care_team_or_admins(conn: sqlite3.Connection, patient: Patient, now: datetime) -> list[Staff]:
    """Who a note about the patient goes to: the care team; when nobody in it can be reached
    (the therapist deactivated or not bound, no deputy), the unit's patient-admins, so a note
    (a withdrawal, open flags at the end, the identity question) never goes to nobody."""
    team = care_team(conn, patient, now)
    if team:
        return team
    log.warning("patient %s: no care team to reach; the unit's patient-admins are told", patient.id)
    admins = units.staff_chats_with_role(conn, patient.unit_id, "patient-admin")
    return [member for member in (staff.get(conn, staff_id) for staff_id, _ in admins) if member]


def open_patient(turn: Turn, label: str, action: str | None) -> Patient | None:
    """The patient a staff member names by label, if they may see them; the read is audited
    as `action` (None when the caller audits what it does instead)."""
    patient = patients.by_label(turn.conn, turn.staff.unit_id, label)
    if patient is None or not may_see(turn.conn, turn.staff, patient, turn.now):
        return None
    if action is not None:
        audit.record(
            turn.conn, staff_id=turn.staff.id, action=action, now=turn.now, patient_id=patient.id
        )
    return patient


def named_patient(turn: Turn, usage_key: str, action: str) -> Patient | Outcome:
    """The one patient a staff command names (`/command <label>`), opened and audited as
    `action`; otherwise the reply to give: how to use the command, or that there is no such
    patient for this staff member (the same words whether it exists elsewhere or not)."""
    if len(turn.incoming.args) != 1:
        return Outcome(replies=(Reply(turn.t(usage_key)),))
    patient = open_patient(turn, turn.incoming.args[0], action)
    if patient is None:
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    return patient


def patient_of_dialogue(turn: Turn) -> Patient | None:
    """The patient a staff dialogue was opened for (its data's "patient"), checked again on
    every press: access may have changed since the page was shown."""
    patient_id = turn.state.data.get("patient")
    if turn.staff is None or patient_id is None:
        return None
    patient = patients.get(turn.conn, patient_id)
    if patient is None or not may_see(turn.conn, turn.staff, patient, turn.now):
        return None
    return patient
