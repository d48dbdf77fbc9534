"""The patient's modules, shared by the module route, the therapist's patient page, `/open`
and the feedback prompt's buttons: who opens the next module (bot/care/pacing.py), opening it
by the week when the program or unit says so, the therapist opening a module or an add-on,
letting the patient stay another week, and making a module current (with the questionnaires
the program asks for at its start and the feedback waiting for it)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.care import pacing
from bot.care.identity import holds_back
from bot.care.messaging import deliver_waiting_feedback
from bot.care.notify import tell_patient
from bot.turn.context import World
from dialogues import module_opening
from storage import audit, events, forms, patients, progress, treatment
from storage.patients import Enrollment, Patient


def is_addon(program, number: int) -> bool:
    """Add-on modules are the module files after the core ones (program.yaml `addon_modules`)."""
    return number > program.module_count


def place(conn: sqlite3.Connection, enrollment: Enrollment) -> progress.Place:
    return progress.places(conn, [enrollment.patient_id])[enrollment.patient_id]


def opening(
    conn: sqlite3.Connection,
    world: World,
    enrollment: Enrollment,
    where: progress.Place | None = None,
) -> str:
    """Who opens this patient's next module: `pacing.THERAPIST` or `pacing.WEEKLY`. `where`:
    the patient's place, when the caller has read it already (it holds the unit's choice)."""
    program = world.programs[enrollment.program]
    unit_opening = (where or place(conn, enrollment)).unit_opening
    return pacing.opening(pacing.ProgramPacing.of(program.meta), unit_opening)


def therapist_opens_next(
    conn: sqlite3.Connection, world: World, enrollment: Enrollment, module: int
) -> bool:
    """Module `module` is the current core module, a next one exists, and the therapist (not
    the week) opens it: the feedback prompt offers Öppna nästa modul / Stanna en vecka till."""
    program = world.programs[enrollment.program]
    return (
        module == enrollment.current_module
        and module < program.module_count
        and opening(conn, world, enrollment) == pacing.THERAPIST
    )


def open_due_module(
    conn: sqlite3.Connection,
    world: World,
    enrollment: Enrollment,
    now: datetime,
    where: progress.Place | None = None,
) -> Enrollment:
    """With weekly opening (the program's or the unit's choice), the next module opens once
    the current one is finished and the interval (a week) has passed since it opened; the
    questionnaires the program asks for at its start become due at the same time. With the
    therapist deciding (the default), nothing opens by itself. `where`: the patient's place,
    when the caller has read it already."""
    program = world.programs[enrollment.program]
    rules = pacing.ProgramPacing.of(program.meta)
    if not pacing.weekly_due(rules, where or place(conn, enrollment), now):
        return enrollment
    if holds_back(patients.get(conn, enrollment.patient_id)):
        return enrollment  # module 2 waits until the care team has confirmed who this is
    start_module(conn, program, enrollment, enrollment.current_module + 1, now)
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
    """Make `number` the patient's current module (the weekly opening, or the therapist's),
    with the questionnaires the program asks for at its start."""
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


# ---- the therapist's actions (/patient, /open, the feedback prompt) -----------------------


def set_current(
    conn: sqlite3.Connection,
    world: World,
    staff_id: int,
    patient: Patient,
    number: int,
    now: datetime,
) -> bool:
    """The therapist makes core module `number` current: opened with its questionnaires and
    the feedback waiting for it, audited, and the patient told, with a button to start it.
    False: it was current already (nothing done)."""
    enrollment = patients.active_enrollment(conn, patient.id)
    if number == enrollment.current_module:
        return False
    program = world.programs[enrollment.program]
    start_module(conn, program, enrollment, number, now, by_staff=staff_id)
    _audit(conn, staff_id, "module_set_current", patient, number, now)
    title = program.module(number, patient.language).title
    tell_patient(conn, patient, now, lambda t: module_opening.told_module(number, title, t))
    return True


def open_addon(
    conn: sqlite3.Connection,
    world: World,
    staff_id: int,
    patient: Patient,
    number: int,
    now: datetime,
) -> bool:
    """The therapist opens add-on module `number` beside the current one: audited, and the
    patient told, with a button to open it. False: it was open already."""
    enrollment = patients.active_enrollment(conn, patient.id)
    if not treatment.open_addon(conn, enrollment.id, number, staff_id, now):
        return False
    events.record(conn, "addon_opened", now, patient_id=patient.id, module=number)
    _audit(conn, staff_id, "addon_opened", patient, number, now)
    title = world.programs[enrollment.program].module(number, patient.language).title
    tell_patient(conn, patient, now, lambda t: module_opening.told_addon(number, title, t))
    return True


def stay(
    conn: sqlite3.Connection,
    world: World,
    staff_id: int,
    patient: Patient,
    module: int,
    now: datetime,
) -> bool:
    """The therapist lets the patient stay another week in `module` (Stanna en vecka till):
    the module stays current, the feedback written on it goes to the patient now, and the
    patient is told kindly. Feedback written after this goes at once too (`stayed`). False:
    `module` is no longer the current one (someone opened the next meanwhile)."""
    enrollment = patients.active_enrollment(conn, patient.id)
    if enrollment.current_module != module:
        return False
    events.record(conn, "module_stay", now, patient_id=patient.id, module=module)
    _audit(conn, staff_id, "module_stay", patient, module, now)
    deliver_waiting_feedback(conn, patient.id, now, before=module + 1)
    title = world.programs[enrollment.program].module(module, patient.language).title
    tell_patient(conn, patient, now, lambda t: module_opening.told_stay(module, title, t))
    return True


def stayed(conn: sqlite3.Connection, patient_id: int, module: int) -> bool:
    """The therapist has let the patient stay another week in `module`."""
    return events.exists(conn, patient_id, "module_stay", module=module)


def _audit(
    conn: sqlite3.Connection, staff_id: int, action: str, patient: Patient, module: int, now
) -> None:
    """A staff member's choice about a patient's module, in the audit log."""
    audit.record(
        conn, staff_id=staff_id, action=action, now=now, patient_id=patient.id, module=module
    )
