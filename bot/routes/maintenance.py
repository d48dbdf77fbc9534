"""Routes for `/maintain <label> <days>` (dialogues/maintenance.py): the patient's therapist
or a patient-admin puts an active treatment into maintenance after a confirmation. Anyone
else gets the same "no such patient" as everywhere. Access, and that the treatment is still
active, are checked again on every press and typed answer."""

from __future__ import annotations

from bot.care import maintenance
from bot.care.access import open_patient, patient_of_dialogue
from bot.care.modules import is_addon
from bot.turn.context import Turn
from dialogues import general, module_opening
from dialogues import maintenance as dialogue
from dialogues.maintenance import MaintainState, MaintainView
from dialogues.reading import ModuleChoice
from dialogues.types import Outcome, Reply
from storage import patients
from storage.patients import Enrollment, Patient
from storage.staff import Staff

DIALOGUE = dialogue.DIALOGUE


def may_maintain(member: Staff, patient: Patient) -> bool:
    """The patient's own therapist or a patient-admin (on top of seeing the patient)."""
    return patient.therapist_id == member.id or member.has_role("patient-admin")


def maintain_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    args = turn.incoming.args
    if len(args) not in (1, 2):
        return Outcome(replies=(Reply(turn.t("maintain.usage")),))
    patient = open_patient(turn, args[0], None)
    if patient is None or not may_maintain(turn.staff, patient):
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    if enrollment is None:
        return _not_active(turn, patient)
    days = args[1] if len(args) == 2 else None
    return dialogue.begin(_view(turn, patient, enrollment), patient.id, days, turn.t)


def _not_active(turn: Turn, patient: Patient) -> Outcome:
    latest = patients.latest_enrollment(turn.conn, patient.id)
    return dialogue.not_active(patient.label, latest.status if latest else None, turn.t)


def _view(turn: Turn, patient: Patient, enrollment: Enrollment) -> MaintainView:
    program = turn.world.programs[enrollment.program]
    choices = tuple(
        ModuleChoice(
            number,
            module_opening.module_name(
                number,
                program.module(number, turn.t.language).title,
                is_addon(program, number),
                turn.t,
            ),
        )
        for number in maintenance.modules_had(turn.conn, turn.world, enrollment)
    )
    today = maintenance.local_day(turn.conn, patient.id, turn.now)
    return MaintainView(patient.label, choices, today, turn.t.language)


def _open(turn: Turn) -> tuple[Patient, Enrollment] | Outcome:
    """The dialogue's patient and their active treatment, or what to say instead."""
    patient = patient_of_dialogue(turn)
    if patient is None or not may_maintain(turn.staff, patient):
        return general.stale_button(turn.t)
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    if enrollment is None:
        return _not_active(turn, patient).then(Outcome(dialogue=DIALOGUE, data={}))
    return patient, enrollment


def on_button(turn: Turn, action: str) -> Outcome:
    opened = _open(turn)
    if isinstance(opened, Outcome):
        return opened
    patient, enrollment = opened
    view = _view(turn, patient, enrollment)
    state = MaintainState.load(turn.state.data)
    outcome, confirmed = dialogue.on_button(view, state, action, turn.t)
    if confirmed is None:
        return outcome
    return _start(turn, patient, enrollment, view, confirmed)


def on_text(turn: Turn) -> Outcome:
    opened = _open(turn)
    if isinstance(opened, Outcome):
        return general.bad_input("text", turn.t) if opened.toast else opened
    patient, enrollment = opened
    view = _view(turn, patient, enrollment)
    state = MaintainState.load(turn.state.data)
    return dialogue.on_text(view, state, turn.incoming.text, turn.t)


def _start(
    turn: Turn,
    patient: Patient,
    enrollment: Enrollment,
    view: MaintainView,
    confirmed: MaintainState,
) -> Outcome:
    until = maintenance.until_after(turn.conn, patient.id, turn.now, confirmed.days)
    had = {choice.number for choice in view.modules}
    hidden = [number for number in confirmed.hidden if number in had]
    started = maintenance.start(
        turn.conn, patient, enrollment, until, hidden, turn.staff.id, turn.now
    )
    if not started:
        return _not_active(turn, patient).then(Outcome(dialogue=DIALOGUE, data={}))
    day = maintenance.day_text(maintenance.local_day(turn.conn, patient.id, until), turn.t.language)
    return dialogue.started(patient.label, day, len(hidden), turn.t)
