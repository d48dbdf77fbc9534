"""Routes for `/end <label>` (the patient's therapist, a patient-admin or an admin): end a
treatment for good, through bot/care/lifecycle.end_treatment (audited there). And the
answer a patient whose treatment has ended gets, whatever they send (the router sends them
here: bot/router.py `routed`)."""

from __future__ import annotations

from bot.care.access import open_patient, patient_of_dialogue
from bot.care.ended import ended_treatment, refused_when_ended
from bot.care.lifecycle import end_treatment
from bot.escalation import screening
from bot.turn.context import Turn
from dialogues import ending as dialogue
from dialogues import general
from dialogues.ending import EndView
from dialogues.types import Outcome, Reply
from storage import patients
from storage.patients import Enrollment, Patient

DIALOGUE = dialogue.DIALOGUE
MANAGERS = ("patient-admin", "admin")


# ---- /end <label> -------------------------------------------------------------------------


def end_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if len(turn.incoming.args) != 1:
        return _say(turn, "end.usage")
    patient = open_patient(turn, turn.incoming.args[0], None)  # the ending is audited itself
    if patient is None:
        return _say(turn, "staff.no_such_patient")
    if not _may_end(turn, patient):
        return _say(turn, "end.not_allowed")
    refusal = refused_when_ended(turn.conn, patient, turn.t)
    enrollment = patients.latest_enrollment(turn.conn, patient.id)
    if refusal is not None or enrollment is None:
        return refusal or _say(turn, "staff.no_such_patient")
    return dialogue.start(_view(turn, patient, enrollment), patient.id, turn.t)


def _say(turn: Turn, key: str) -> Outcome:
    return Outcome(replies=(Reply(turn.t(key)),))


def _may_end(turn: Turn, patient: Patient) -> bool:
    """The patient's own therapist, or the unit's patient-admins and admins (a deputy
    covering an absence sees the patient, but an ending waits for the therapist)."""
    return turn.staff.has_role(*MANAGERS) or patient.therapist_id == turn.staff.id


def _view(turn: Turn, patient: Patient, enrollment: Enrollment) -> EndView:
    program = turn.world.programs.get(enrollment.program)
    name = program.title(turn.t.language) if program else enrollment.program
    return EndView(label=patient.label, program=name)


def on_button(turn: Turn, action: str) -> Outcome:
    patient = patient_of_dialogue(turn)
    if patient is None or not _may_end(turn, patient):
        return general.stale_button(turn.t)
    enrollment = patients.latest_enrollment(turn.conn, patient.id)
    gone = _ended_meanwhile(turn, patient)
    if gone is not None:
        return gone
    outcome, ending = dialogue.on_button(
        _view(turn, patient, enrollment), turn.state.data, action, turn.t
    )
    if ending is None:
        return outcome
    done = end_treatment(
        turn.conn,
        patient,
        enrollment,
        ending.reason,
        turn.now,
        staff_id=turn.staff.id,
        comment=ending.comment,
    )
    if not done:
        return dialogue.closed(_refusal(turn, patient))
    return dialogue.ended(patient.label, ending.reason, turn.t)


def on_text(turn: Turn) -> Outcome:
    patient = patient_of_dialogue(turn)
    if patient is None or not _may_end(turn, patient):
        return dialogue.closed(general.bad_input("text", turn.t))
    gone = _ended_meanwhile(turn, patient)
    if gone is not None:
        return gone
    enrollment = patients.latest_enrollment(turn.conn, patient.id)
    view = _view(turn, patient, enrollment)
    return dialogue.on_text(view, turn.state.data, turn.incoming.text, turn.t)


def _ended_meanwhile(turn: Turn, patient: Patient) -> Outcome | None:
    """The treatment ended while the dialogue was open (another staff member, maintenance
    running out, the patient's withdrawal): say so kindly and close; nothing changes."""
    if ended_treatment(turn.conn, patient) is None:
        return None
    return dialogue.closed(_refusal(turn, patient))


def _refusal(turn: Turn, patient: Patient) -> Outcome:
    return refused_when_ended(turn.conn, patient, turn.t) or Outcome()


# ---- a patient whose treatment has ended -----------------------------------------------------


def treatment_over(turn: Turn) -> Outcome:
    """Whatever a patient whose treatment has ended sends (but /crisis, /help, /language,
    /results): the kind answer. Their words are still read for risk, so a risk signal
    reaches a human after the end too: a flag, and the safety message first."""
    incoming = turn.incoming
    words = " ".join(incoming.args) if incoming.kind == "command" else incoming.text
    safety = screening.screen_text(turn, words)
    answer = dialogue.treatment_over(turn.t)
    return safety.then(answer) if safety else answer


def help_after_end(turn: Turn) -> Outcome | None:
    """/help for a patient whose treatment has ended: only what still answers them."""
    if turn.patient is None or ended_treatment(turn.conn, turn.patient) is None:
        return None
    return dialogue.help_after_end(turn.world.commands.after_end, turn.t)
