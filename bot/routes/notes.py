"""Routes for notes: the patient's `/notes [text]` (write and list; screened for crisis terms
like any patient text) and the therapist's `/notes <label>` (read only, audited)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.care.access import named_patient
from bot.care.self_help import patient_is_self_help
from bot.escalation import screening
from bot.turn.context import Turn
from dialogues import general, messages, notes
from dialogues.notes import NoteLine
from dialogues.types import Outcome
from storage import notes as store
from storage import patients, units

DIALOGUE = notes.DIALOGUE
SHOWN = 10


def notes_command(turn: Turn) -> Outcome | None:
    if turn.patient is not None:
        return _patient_notes(turn)
    if turn.staff is not None:
        return _staff_notes(turn)
    return None


def _patient_notes(turn: Turn) -> Outcome:
    self_help = patient_is_self_help(turn.conn, turn.world, turn.patient.id)
    text = messages.argument_text(turn.incoming.text)
    if not text:
        zone = ZoneInfo(patients.reminder_settings(turn.conn, turn.patient.id).timezone)
        return notes.show(_lines(turn, turn.patient.id, zone), self_help, turn.t.language, turn.t)
    safety = screening.screen_text(turn, text, source="note")
    store.add(turn.conn, turn.patient.id, notes.clean(text), turn.now)
    outcome = notes.saved(self_help, turn.t)
    return safety.then(outcome) if safety else outcome


def _staff_notes(turn: Turn) -> Outcome:
    patient = named_patient(turn, "notes.staff.usage", "notes_viewed")
    if isinstance(patient, Outcome):
        return patient
    zone = ZoneInfo(units.get(turn.conn, turn.staff.unit_id).timezone)
    return notes.staff_view(patient.label, _lines(turn, patient.id, zone), turn.t.language, turn.t)


def _lines(turn: Turn, patient_id: int, zone: ZoneInfo) -> tuple[NoteLine, ...]:
    return tuple(
        NoteLine(note.created_at.astimezone(zone).replace(tzinfo=None), note.text)
        for note in store.of_patient(turn.conn, patient_id, SHOWN)
    )


def on_text(turn: Turn) -> Outcome:
    """A note typed after "Skriv en anteckning" (already screened by routes.text)."""
    if turn.patient is None:
        return general.bad_input("text", turn.t)
    self_help = patient_is_self_help(turn.conn, turn.world, turn.patient.id)
    outcome, note = notes.on_text(turn.incoming.text, self_help, turn.t)
    if note is not None:
        store.add(turn.conn, turn.patient.id, note, turn.now)
    return outcome


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.patient is None:
        return general.stale_button(turn.t)
    return notes.on_button(action, turn.t)
