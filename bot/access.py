"""Who among staff may see which patient: the one rule, used by every staff command."""

from __future__ import annotations

from storage.patients import Patient
from storage.staff import Staff

UNIT_WIDE_ROLES = ("admin", "patient-admin")


def may_see(member: Staff, patient: Patient) -> bool:
    """Staff see only their own unit's patients: therapists their own, patient-admins and
    admins every patient of the unit."""
    if not member.active or member.unit_id != patient.unit_id:
        return False
    return member.has_role(*UNIT_WIDE_ROLES) or patient.therapist_id == member.id
