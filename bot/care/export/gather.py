"""Everything stored about one patient, read into a `PatientCopy` for one audience.

The patient's own copy follows the rule of their results (/results): items marked as risk
items or hidden from the patient are left out of their questionnaire answers, and feedback
not yet delivered (it waits for the next module) is not theirs yet. They are named by a
pseudonym made from their id, never by the label their therapist chose. The staff export
has everything, under the label. Labels (module names, answer labels, activity types) are in
the patient's language, whoever asks.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from bot.care.export.record import (
    PATIENT,
    DiaryEntry,
    ExerciseAnswer,
    FollowUp,
    FormItem,
    FormResult,
    LifecycleChange,
    ListedActivity,
    MessageCopy,
    ModuleState,
    NoteCopy,
    PatientCopy,
    PlannedActivity,
    ReminderSchedule,
    ReminderSettings,
    Treatment,
)
from bot.i18n import Translator
from dialogues.module_opening import module_name, reflection_title
from dialogues.module_steps import REFLECTION
from programs.loader import Program, ProgramCatalog
from programs.scoring import ScoringError, band_for
from storage import activities, answers, forms, lifecycle, patient_copy, patients, schedules
from storage.messages import TO_PATIENT
from storage.patients import Enrollment, Patient

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EVER = datetime(2000, 1, 1, tzinfo=UTC)  # before any row; occurrences are read from here


def pseudonym(patient: Patient, audience: str) -> str:
    """The patient's own copy: 'patient-<id>'; staff know them by their label."""
    return f"patient-{patient.id}" if audience == PATIENT else patient.label


def gather(
    conn: sqlite3.Connection,
    patient: Patient,
    programs: ProgramCatalog,
    questionnaires: dict,
    now: datetime,
    audience: str,
) -> PatientCopy:
    row = patient_copy.patient_row(conn, patient.id)
    t = Translator(row.language)
    enrollments = patient_copy.enrollments(conn, patient.id)
    history = lifecycle.history(conn, patient.id)
    own = audience == PATIENT
    return PatientCopy(
        audience=audience,
        created_at=now,
        patient_id=patient.id,
        pseudonym=pseudonym(patient, audience),
        language=t.language,
        timezone=row.timezone,
        consented_at=row.consented_at,
        confirmed_at=row.confirmed_at,
        treatments=tuple(
            _treatment(conn, one, programs.get(one.program), history, own, t) for one in enrollments
        ),
        exercise_answers=tuple(
            answer
            for one in enrollments
            for answer in _exercise_answers(conn, one, programs.get(one.program), t)
        ),
        forms=tuple(_forms(conn, patient.id, questionnaires, own, t.language)),
        diary=tuple(_diary(conn, patient.id, _latest_program(programs, enrollments), t)),
        activities=tuple(
            ListedActivity(
                a.text, a.activity_type, _type_name(a.activity_type, t), a.created_at, a.removed_at
            )
            for a in patient_copy.activities(conn, patient.id)
        ),
        plans=tuple(_plans(conn, patient.id, now, t)),
        messages=tuple(
            MessageCopy(m.id, m.direction, m.kind, m.created_at, m.delivered_at, m.text, m.module)
            for m in patient_copy.messages(conn, patient.id)
            if not (own and m.direction == TO_PATIENT and m.delivered_at is None)
        ),
        notes=tuple(
            NoteCopy(n.id, n.created_at, n.text) for n in patient_copy.notes(conn, patient.id)
        ),
        reminders=_reminders(conn, patient.id, t),
    )


def _latest_program(programs: ProgramCatalog, enrollments: list[Enrollment]) -> Program | None:
    return programs.get(enrollments[-1].program) if enrollments else None


def _module_name(program: Program | None, number: int, t: Translator) -> str:
    if program is None or not 1 <= number <= program.meta.total_modules:
        return t("export.module_unknown", number=number)
    addon = number > program.module_count
    return module_name(number, program.module(number, t.language).title, addon, t)


def _treatment(
    conn: sqlite3.Connection,
    enrollment: Enrollment,
    program: Program | None,
    history: list,
    own: bool,
    t: Translator,
) -> Treatment:
    modules = tuple(
        ModuleState(
            number=row.module,
            name=_module_name(program, row.module, t),
            addon=program is not None and row.module > program.module_count,
            step_index=row.step_index,
            finished_at=row.finished_at,
        )
        for row in patient_copy.modules(conn, enrollment.id)
    )
    return Treatment(
        enrollment_id=enrollment.id,
        program_id=enrollment.program,
        program_name=program.title(t.language) if program else enrollment.program,
        mode=enrollment.mode,
        status=enrollment.status,
        started_at=enrollment.started_at,
        maintenance_until=enrollment.maintenance_until,
        ended_at=enrollment.ended_at,
        end_reason=enrollment.end_reason,
        end_comment=None if own else patient_copy.end_comment(conn, enrollment.id),
        current_module=enrollment.current_module,
        modules=modules,
        history=tuple(
            LifecycleChange(event.change, event.reason, event.at)
            for event in history
            if event.enrollment_id in (None, enrollment.id)
        ),
    )


def _exercise_answers(
    conn: sqlite3.Connection, enrollment: Enrollment, program: Program | None, t: Translator
) -> list[ExerciseAnswer]:
    found = []
    for saved in answers.of_enrollment(conn, enrollment.id):
        module_part, _, step_id = saved.item_key.partition("/")
        number = int(module_part.removeprefix("module-") or 0) if step_id else 0
        content = None
        if program is not None and 1 <= number <= program.meta.total_modules:
            content = program.module(number, t.language)
        title, question, answer, choice = step_id, None, saved.value, None
        if content is not None and step_id == REFLECTION:
            addon = number > program.module_count
            title = reflection_title(number, content.title, addon, t)
            question = content.reflection.strip() if content.reflection else None
        elif content is not None and step_id in content.step_ids():
            step = content.step(step_id)
            title = step.title
            exercise = step.exercise
            question = exercise.prompt.strip() if exercise else None
            if exercise is not None and exercise.kind == "choice":
                choice = saved.value
                answer = next((o.label for o in exercise.options if o.id == choice), choice)
        found.append(
            ExerciseAnswer(
                enrollment_id=enrollment.id,
                program_id=enrollment.program,
                module=number,
                module_name=_module_name(program, number, t),
                step_id=step_id or saved.item_key,
                step_title=title,
                question=question,
                answer=answer,
                choice=choice,
                updated_at=saved.updated_at,
            )
        )
    return found


def _forms(
    conn: sqlite3.Connection, patient_id: int, questionnaires: dict, own: bool, language: str
) -> list[FormResult]:
    found = []
    for measured in forms.measurements(conn, patient_id):
        questionnaire = questionnaires.get(measured.questionnaire)
        if questionnaire is None:
            # Its file is gone: which items were risk items is unknown, so the patient's copy
            # keeps only the total.
            items = () if own else _unlabelled_items(measured.answers)
            found.append(_form(measured, measured.questionnaire, None, items))
            continue
        text = questionnaire.text
        items = []
        for item in questionnaire.items:
            if item.id not in measured.answers:
                continue
            risk = item.risk is not None
            if own and (risk or item.hidden_from_patient):
                continue
            value = measured.answers[item.id]
            labels = {o.value: text(o.label, language) for o in questionnaire.answer_options(item)}
            question = text(item.heading, language) if item.heading else text(item.text, language)
            items.append(FormItem(item.id, question, value, labels.get(value, str(value)), risk))
        try:
            band = text(band_for(questionnaire, measured.total).label, language)
        except ScoringError:
            band = None
        found.append(_form(measured, text(questionnaire.title, language), band, tuple(items)))
    return found


def _unlabelled_items(values: dict[str, int]) -> tuple[FormItem, ...]:
    return tuple(
        FormItem(item_id, item_id, value, str(value), False)
        for item_id, value in sorted(values.items())
    )


def _form(measured, title: str, band: str | None, items: tuple[FormItem, ...]) -> FormResult:
    return FormResult(
        request_id=measured.request_id,
        questionnaire_id=measured.questionnaire,
        title=title,
        submitted_at=measured.submitted_at,
        total=measured.total,
        max_total=measured.max_total,
        band=band,
        items=items,
    )


def _type_name(activity_type: str | None, t: Translator) -> str | None:
    return t(f"diary.type.{activity_type}") if activity_type else None


def _diary(
    conn: sqlite3.Connection, patient_id: int, program: Program | None, t: Translator
) -> list[DiaryEntry]:
    parts = {}
    if program is not None and program.meta.diary is not None:
        parts = {
            part.id: part.label.get(t.language) or next(iter(part.label.values()))
            for part in program.meta.diary.parts
        }
    order = list(parts)  # a day's parts in the program's order (morning first), others last
    rows = sorted(
        patient_copy.diary(conn, patient_id),
        key=lambda row: (row.day, order.index(row.part) if row.part in order else len(order)),
    )
    return [
        DiaryEntry(
            day=row.day,
            part=row.part,
            part_name=parts.get(row.part, row.part),
            activity=row.activity,
            mood=row.mood,
            activity_type=row.activity_type,
            activity_type_name=_type_name(row.activity_type, t),
            skipped=row.skipped,
        )
        for row in rows
    ]


def _plans(
    conn: sqlite3.Connection, patient_id: int, now: datetime, t: Translator
) -> list[PlannedActivity]:
    by_schedule = {one.id: one for one in schedules.of_patient(conn, patient_id)}
    follow_ups: dict[int, list[FollowUp]] = {}
    # Reminders are queued up to half an hour early; a day ahead takes every one queued.
    for occurrence in activities.occurrences(conn, patient_id, _EVER, now + timedelta(days=1)):
        outcome = occurrence.outcome
        follow_ups.setdefault(occurrence.plan.id, []).append(
            FollowUp(
                planned_for=occurrence.occurrence,
                status=occurrence.status,
                outcome=outcome.outcome if outcome else None,
                outcome_name=t(f"follow_up.outcome.{outcome.outcome}") if outcome else None,
                mood=outcome.mood if outcome else None,
                comment=outcome.comment if outcome else None,
                answered_at=outcome.answered_at if outcome else None,
            )
        )
    found = []
    for plan in activities.plans_of(conn, patient_id):
        schedule = by_schedule.get(plan.schedule_id)
        found.append(
            PlannedActivity(
                plan_id=plan.id,
                text=plan.text,
                activity_type=plan.activity_type,
                activity_type_name=_type_name(plan.activity_type, t),
                planned_by=plan.source,
                times=_times(schedule.times) if schedule else (),
                weekdays=_weekdays(schedule.weekdays) if schedule else None,
                start_date=schedule.start_date if schedule else None,
                end_date=schedule.end_date if schedule else None,
                follow_ups=tuple(follow_ups.get(plan.id, ())),
            )
        )
    return found


def _times(times) -> tuple[str, ...]:
    return tuple(moment.strftime("%H:%M") for moment in times)


def _weekdays(days: frozenset[int] | None) -> tuple[str, ...] | None:
    return tuple(WEEKDAYS[day] for day in sorted(days)) if days else None


def _reminders(conn: sqlite3.Connection, patient_id: int, t: Translator) -> ReminderSettings:
    settings = patients.reminder_settings(conn, patient_id)
    return ReminderSettings(
        quiet_start=settings.quiet_start,
        quiet_end=settings.quiet_end,
        paused_until=settings.paused_until,
        schedules=tuple(
            ReminderSchedule(
                kind=one.kind,
                kind_name=t(f"kind.{one.kind}") if t.has(f"kind.{one.kind}") else one.kind,
                times=_times(one.times),
                weekdays=_weekdays(one.weekdays),
                every_days=one.every_days,
                start_date=one.start_date,
                end_date=one.end_date,
                active=one.active,
                text=one.custom_text,
                questionnaire=one.questionnaire,
            )
            for one in schedules.of_patient(conn, patient_id)
        ),
    )
