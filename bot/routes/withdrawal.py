"""Routes for `/withdraw`: the patient takes back their consent (dialogues/withdrawal.py).

On **Ja, avsluta** the treatment ends the one way every treatment ends
(bot/care/lifecycle.py, reason "återkallat samtycke", no closing message of its own: the
answer comes here, in the patient's own turn) and the care team is told. From then on
nothing the bot starts reaches the patient; what they send themselves (/crisis) is answered.
"""

from __future__ import annotations

import logging

from bot.care.lifecycle import end_treatment
from bot.care.notify import tell_therapist
from bot.turn.context import Turn
from dialogues import diary, forms, general, withdrawal
from dialogues.types import Outcome, Reply, then_current_task
from storage import lifecycle, patients

log = logging.getLogger(__name__)

DIALOGUE = withdrawal.DIALOGUE


def withdraw_command(turn: Turn) -> Outcome | None:
    if turn.patient is None:
        return None
    enrollment = patients.latest_enrollment(turn.conn, turn.patient.id)
    if enrollment is None or enrollment.status == "ended":
        return withdrawal.already_ended(turn.t)
    return withdrawal.explain(_where_they_were(turn), turn.t)


def _where_they_were(turn: Turn) -> dict:
    """What Avbryt leads back to: the open questionnaire or the diary; else the current task."""
    state = turn.state
    if state.dialogue == DIALOGUE:
        return dict(state.data.get("back", {}))  # /withdraw twice: the first one's way back
    if state.dialogue == forms.DIALOGUE and state.data.get("request") is not None:
        return {"dialogue": forms.DIALOGUE, "request": state.data["request"]}
    if state.dialogue == diary.DIALOGUE:
        return {"dialogue": diary.DIALOGUE}
    return {}


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.patient is None:
        return general.stale_button(turn.t)
    outcome, choice = withdrawal.on_button(turn.state.data, action, turn.t)
    if choice == withdrawal.CONFIRM:
        return _withdraw(turn)
    if choice == withdrawal.CANCEL:
        return _back(turn, outcome)
    return outcome


def on_text(turn: Turn) -> Outcome:
    return withdrawal.on_text(turn.state.data, turn.t)


def _withdraw(turn: Turn) -> Outcome:
    enrollment = patients.latest_enrollment(turn.conn, turn.patient.id)
    if enrollment is None or not end_treatment(
        turn.conn,
        turn.patient,
        enrollment,
        lifecycle.WITHDRAWN,
        turn.now,
        closing_message=False,
    ):
        return withdrawal.already_ended(turn.t)
    tell_therapist(turn.conn, turn.patient, "withdrawal.therapist_told", turn.now)
    log.info("patient %s withdrew consent", turn.patient.id)
    return withdrawal.withdrawn(turn.t)


def _back(turn: Turn, cancelled: Outcome) -> Outcome:
    """Avbryt: back to the questionnaire or the diary they were in, else their current task."""
    back = turn.state.data.get("back", {})
    cleared = cancelled.then(Outcome(dialogue=DIALOGUE, data={}))
    if back.get("dialogue") == forms.DIALOGUE:
        return cleared.followed_by(forms.DIALOGUE, "request", back["request"])
    if back.get("dialogue") == diary.DIALOGUE:
        return cleared.followed_by(diary.DIALOGUE, "today")
    if patients.active_enrollment(turn.conn, turn.patient.id) is None:
        # in maintenance: no current task to show; say how to go on
        return cleared.then(Outcome(replies=(Reply(withdrawal.cancelled_way_on(turn.t)),)))
    return then_current_task(cleared)
