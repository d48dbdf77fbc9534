"""Who among staff may see which patient: the one rule, used by every staff command."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.turns import Turn

from storage import audit, patients
from storage.patients import Patient
from storage.staff import Staff

UNIT_WIDE_ROLES = ("admin", "patient-admin")


def may_see(member: Staff, patient: Patient) -> bool:
    """Staff see only their own unit's patients: therapists their own, patient-admins and
    admins every patient of the unit."""
    if not member.active or member.unit_id != patient.unit_id:
        return False
    return member.has_role(*UNIT_WIDE_ROLES) or patient.therapist_id == member.id


def open_patient(turn: Turn, label: str, action: str | None) -> Patient | None:
    """The patient a staff member names by label, if they may see them; the read is audited
    as `action` (None when the caller audits what it does instead)."""
    patient = patients.by_label(turn.conn, turn.staff.unit_id, label)
    if patient is None or not may_see(turn.staff, patient):
        return None
    if action is not None:
        audit.record(
            turn.conn, staff_id=turn.staff.id, action=action, now=turn.now, patient_id=patient.id
        )
    return patient
