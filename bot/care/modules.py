"""The patient's modules, shared by the module route and the therapist's patient page:
opening the next module when it is due, and making a module current (with the
questionnaires the program asks for at its start and the feedback waiting for it)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.care.messaging import deliver_waiting_feedback
from bot.turn.context import World
from storage import events, forms, patients, progress
from storage.patients import Enrollment


def open_due_module(
    conn: sqlite3.Connection, world: World, enrollment: Enrollment, now: datetime
) -> Enrollment:
    """With weekly opening (program.yaml `module_opening: weekly`) a new module opens once
    the current one is finished and the program's interval (a week) has passed since it
    opened; the questionnaires the program asks for at the start of that module become due
    at the same time. Otherwise (`therapist`, the default) only staff open modules."""
    program = world.programs[enrollment.program]
    if program.meta.module_opening != "weekly":
        return enrollment
    number = enrollment.current_module
    opens_at = enrollment.module_started_at + timedelta(days=program.meta.module_interval_days)
    if (
        number >= program.module_count
        or now < opens_at
        or not progress.get(conn, enrollment.id, number).finished
    ):
        return enrollment
    start_module(conn, program, enrollment, number + 1, now)
    return patients.active_enrollment(conn, enrollment.patient_id)


def start_module(
    conn: sqlite3.Connection,
    program,
    enrollment: Enrollment,
    number: int,
    now,
    *,
    by_staff: int | None = None,
) -> None:
    """Make `number` the patient's current module (the weekly opening, or a therapist's
    "sätt till aktuell"), with the questionnaires the program asks for at its start."""
    patients.set_current_module(conn, enrollment.id, number, now)
    details = {"module": number} if by_staff is None else {"module": number, "by_staff": True}
    events.record(conn, "module_opened", now, patient_id=enrollment.patient_id, **details)
    # The therapist's feedback on the modules before comes first, with the new module.
    deliver_waiting_feedback(conn, enrollment.patient_id, now, before=number)
    for measure in program.meta.measures:
        if measure.with_modules and number in measure.with_modules:
            if forms.open_module_request(conn, enrollment.patient_id, number) is not None:
                continue  # already waiting (a module set current again)
            forms.create_request(
                conn,
                patient_id=enrollment.patient_id,
                questionnaire=measure.questionnaire,
                reason="module",
                module=number,
                due_at=now,
                window_ends_at=None,  # it opens the module: it waits for the patient
                now=now,
            )
