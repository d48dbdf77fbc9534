"""Routes for the weekly balance of vill / måste / kan vara utan: `/balance` for the patient,
`/balance <label>` for staff (audited)."""

from __future__ import annotations

from bot.care.access import named_patient
from bot.care.balance import balance_outcome, own_balance
from bot.turn.context import Turn
from dialogues.types import Outcome

DIALOGUE = "balance"  # stateless: no buttons of its own


def balance_command(turn: Turn) -> Outcome | None:
    if turn.patient is not None:
        return own_balance(turn.conn, turn.world, turn.now, turn.t, turn.patient)
    if turn.staff is None:
        return None
    patient = named_patient(turn, "balance.usage", "balance_viewed")
    if isinstance(patient, Outcome):
        return patient
    return balance_outcome(
        turn.conn, turn.world, turn.now, turn.t, patient, staff_label=patient.label
    )
