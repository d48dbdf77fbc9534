"""Routes for `/mydata` (the patient's own copy of their data; it works in every phase of
their treatment, after the end and after withdrawal too, until they are purged: it is their
own request, answered in the reply lane) and `/export <label>` (staff with access,
bot/care/access.py; audited as 'patient_exported'). Both send the same two documents
(bot/care/export/): a readable JSON file and a FHIR R4B Bundle. Contents are never logged."""

from __future__ import annotations

from bot.care.access import named_patient
from bot.care.export.documents import documents
from bot.care.export.record import PATIENT, STAFF
from bot.turn.context import Turn
from dialogues import data_export
from dialogues.types import Outcome


def mydata_command(turn: Turn) -> Outcome | None:
    if turn.patient is None:
        return None
    readable, fhir = _files(turn, turn.patient, PATIENT)
    return data_export.own_copy(readable, fhir, turn.t)


def export_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    patient = named_patient(turn, "export.usage", "patient_exported")
    if isinstance(patient, Outcome):
        return patient
    readable, fhir = _files(turn, patient, STAFF)
    return data_export.staff_export(patient.label, readable, fhir, turn.t)


def _files(turn: Turn, patient, audience: str) -> tuple[tuple[str, str], tuple[str, str]]:
    world = turn.world
    found = documents(turn.conn, patient, world.programs, world.questionnaires, turn.now, audience)
    return tuple((document.name, document.text) for document in found)
