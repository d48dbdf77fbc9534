"""Route for the care team's answer to "Är detta din patient?": the stateless buttons
`identity:yes|no|cancel|back:<patient>` (dialogues/identity.py). Each press is checked again
when it comes: staff who may see the patient, whose enrollment goes on unconfirmed. The
actions are bot/care/identity.py's, audited there."""

from __future__ import annotations

from bot.care import identity as rules
from bot.care.access import may_see
from bot.turn.context import Turn
from dialogues import identity
from dialogues.numbers import parse_id
from dialogues.types import Outcome
from storage import patients

DIALOGUE = identity.DIALOGUE


def identity_button(turn: Turn, rest: str) -> Outcome | None:
    """None when the data is not this button's (the router answers it as stale)."""
    action, _, raw_patient = rest.partition(":")
    patient_id = parse_id(raw_patient)
    if action not in identity.ACTIONS or patient_id is None or turn.staff is None:
        return None  # only staff are asked: anyone else's press is stale, nothing is edited
    patient = patients.get(turn.conn, patient_id)
    if patient is None or not may_see(turn.conn, turn.staff, patient, turn.now):
        return identity.settled(turn.t)
    if not rules.still_open(turn.conn, patient):
        return identity.settled(turn.t)
    if action == identity.YES:
        rules.confirm(turn.conn, patient, turn.staff.id, turn.now)
        return identity.confirmed(patient.label, turn.t)
    if action == identity.NO:
        return identity.ask_cancel(patient.label, patient.id, turn.t)
    if action == identity.BACK:
        return identity.back(patient.label, patient.id, turn.t)
    rules.reject(turn.conn, patient, turn.staff.id, turn.now)
    return identity.cancelled(patient.label, turn.t)
