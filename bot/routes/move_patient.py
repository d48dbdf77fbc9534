"""Routes for `/move <label>` (patient-admins and admins): give a patient another therapist
of the unit. Audited; the old and the new therapist are told (with names: they are
colleagues), the patient only that they have a new therapist (patients never see staff
names)."""

from __future__ import annotations

from html import escape

from bot.care.access import open_patient, patient_of_dialogue
from bot.care.identity import holds_back
from bot.care.notify import tell_staff
from bot.i18n import Translator
from bot.render.calls import reply_call
from bot.turn.context import Turn
from dialogues import general
from dialogues import move_patient as dialogue
from dialogues.move_patient import MoveView
from dialogues.types import Outcome, Reply
from storage import audit, outbox, patients
from storage import staff as staff_repo
from storage.outbox import LANE_STAFF
from storage.patients import Patient

DIALOGUE = dialogue.DIALOGUE
MANAGERS = ("patient-admin", "admin")


def move_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if not turn.staff.has_role(*MANAGERS):
        return Outcome(replies=(Reply(turn.t("cover.not_allowed")),))
    if len(turn.incoming.args) != 1:
        return Outcome(replies=(Reply(turn.t("move.usage")),))
    patient = open_patient(turn, turn.incoming.args[0], None)  # the move itself is audited
    if patient is None:
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    return dialogue.page(_view(turn, patient), _base(patient), turn.t)


def _base(patient: Patient) -> dict:
    return {"patient": patient.id, "label": patient.label}


def _view(turn: Turn, patient: Patient) -> MoveView:
    members = staff_repo.of_unit(turn.conn, patient.unit_id)
    current = next((m.name for m in members if m.id == patient.therapist_id), "?")
    therapists = tuple(
        (m.id, m.name)
        for m in members
        if m.active and m.has_role("therapist") and m.id != patient.therapist_id
    )
    return MoveView(label=patient.label, current=current, therapists=therapists)


def on_button(turn: Turn, action: str) -> Outcome:
    patient = patient_of_dialogue(turn)
    if patient is None or not turn.staff.has_role(*MANAGERS):
        return general.stale_button(turn.t)
    outcome, target = dialogue.on_button(_view(turn, patient), _base(patient), action, turn.t)
    if target is None:
        return outcome
    return _move(turn, patient, target)


def on_text(turn: Turn) -> Outcome:
    patient = patient_of_dialogue(turn)
    if patient is None or not turn.staff.has_role(*MANAGERS):
        return general.bad_input("text", turn.t)
    return dialogue.page(_view(turn, patient), _base(patient), turn.t, turn.t("move.use_buttons"))


def _treatment_goes_on(turn: Turn, patient: Patient) -> bool:
    """Whether the patient is told of their new therapist: only while the treatment is active
    and the care team has confirmed who they are (in maintenance nothing goes on "as usual";
    after the end nothing the bot starts reaches them, and an erased person has no chat)."""
    active = patients.active_enrollment(turn.conn, patient.id) is not None
    return active and patient.chat_id is not None and not holds_back(patient)


def _move(turn: Turn, patient: Patient, target: int) -> Outcome:
    old = staff_repo.get(turn.conn, patient.therapist_id)
    new = staff_repo.get(turn.conn, target)
    patients.set_therapist(turn.conn, patient.id, new.id)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="patient_moved",
        now=turn.now,
        patient_id=patient.id,
        before=old.id,
        after=new.id,
    )
    label = escape(patient.label)
    if old.id != turn.staff.id:
        tell_staff(turn.conn, old, "move.told_old", turn.now, label=label, name=escape(new.name))
    if new.id != turn.staff.id:
        tell_staff(turn.conn, new, "move.told_new", turn.now, label=label, name=escape(old.name))
    if _treatment_goes_on(turn, patient):
        note = Reply(Translator(patient.language)("move.told_patient"))
        outbox.enqueue(turn.conn, reply_call(note, patient.chat_id, 0, lane=LANE_STAFF), turn.now)
    return dialogue.moved(patient.label, new.name, turn.t)
