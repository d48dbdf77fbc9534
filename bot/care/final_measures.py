"""The final measurement (eftermätning), shared by the module route and the forms route: the
questionnaires in program.yaml `final_measures` are asked for once, when the patient finishes
the last core module; when all of them are answered, the care team gets each one's first and
final total and whether the change is reliable (the patient sees theirs in /results)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.care.messaging import to_care_team
from bot.care.self_help import is_self_help
from bot.turn.context import World
from dialogues import results
from dialogues.results import FinalChange
from programs.scoring import reliable_change
from storage import events, forms
from storage.patients import Enrollment, Patient

# Unanswered this long: missed, with the amber flag every missed questionnaire raises.
FINAL_WINDOW = timedelta(days=14)
FINAL = "final"  # the form requests' reason


def request_final_measures(
    conn: sqlite3.Connection, world: World, enrollment: Enrollment, module: int, now: datetime
) -> list[int]:
    """Module `module` was just finished for the first time: when it is the program's last
    core module, the final measurement's form requests (their ids; none in self-help mode,
    which has no questionnaires unless staff order them, and never twice)."""
    program = world.programs[enrollment.program]
    wanted = [q for q in program.meta.final_measures if q in world.questionnaires]
    if module != program.meta.modules or not wanted or is_self_help(world, enrollment):
        return []
    if forms.final_requests(conn, enrollment.patient_id):
        return []
    created = [
        forms.create_request(
            conn,
            patient_id=enrollment.patient_id,
            questionnaire=questionnaire,
            reason=FINAL,
            due_at=now,
            window_ends_at=now + FINAL_WINDOW,
            now=now,
        )
        for questionnaire in wanted
    ]
    ids = [request_id for request_id in created if request_id is not None]
    if ids:
        events.record(conn, "final_measures_requested", now, patient_id=enrollment.patient_id)
    return ids


def note_when_complete(
    conn: sqlite3.Connection, world: World, patient: Patient, now: datetime
) -> bool:
    """After a final questionnaire was submitted: when none of them is open any more, the
    care team gets the change since each questionnaire's first measurement."""
    final = forms.final_requests(conn, patient.id)
    if not final or any(request.status == "open" for request in final):
        return False
    changes = _changes(conn, world, patient.id, final)
    if not changes:
        return False
    to_care_team(
        conn,
        patient,
        now,
        lambda t: results.final_change_note(patient.label, _titled(world, changes, t), t),
    )
    events.record(conn, "final_measures_done", now, patient_id=patient.id)
    return True


def _changes(conn, world: World, patient_id: int, final) -> list[FinalChange]:
    measured = forms.measurements(conn, patient_id)
    changes = []
    for request in final:
        questionnaire = world.questionnaires.get(request.questionnaire)
        series = [m for m in measured if m.questionnaire == request.questionnaire]
        last = next((m for m in series if m.request_id == request.id), None)
        if questionnaire is None or last is None:
            continue  # missed or stopped: its own amber flag said so
        first = series[0] if series[0].request_id != request.id else None
        changes.append(
            FinalChange(
                questionnaire=request.questionnaire,
                title=request.questionnaire,
                first=first.total if first else None,
                final=last.total,
                max_total=last.max_total,
                reliable_change=(
                    reliable_change(questionnaire, first.total, last.total) if first else None
                ),
            )
        )
    return changes


def _titled(world: World, changes: list[FinalChange], t) -> list[FinalChange]:
    """The questionnaires' titles in the reader's language."""
    titled = []
    for change in changes:
        questionnaire = world.questionnaires[change.questionnaire]
        titled.append(change.titled(questionnaire.text(questionnaire.title, t.language)))
    return titled
