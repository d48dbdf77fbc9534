"""Routes for /plan <label>: a therapist's recurring activity plans for a patient. Each plan
is a schedule of kind 'activity' (reminder at each time, follow-up two hours later, missed
after its grace) plus an activity_plans row with its options. Every read and change is
audited; the patient is told when a plan is made or paused."""

from __future__ import annotations

from datetime import time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.care.access import named_patient, patient_of_dialogue
from bot.care.notify import tell_patient
from bot.care.treatment_open import refused_unless_active
from bot.reminders import activity_plans
from bot.reminders.activity_plans import NewPlan
from bot.reminders.planning import replan
from bot.turn.context import Turn
from dialogues import general, staff_plans
from dialogues.staff_plans import FollowUpLine, PlanLine, PlansPage, PlansView
from dialogues.types import Outcome, Reply
from storage import activities, audit, patients, schedules
from storage.patients import Patient

DIALOGUE = staff_plans.DIALOGUE
RECENT = timedelta(days=14)


def plan_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    patient = named_patient(turn, "staff_plans.usage", "activity_plans_viewed")
    if isinstance(patient, Outcome):
        return patient
    refusal = refused_unless_active(turn.conn, patient, turn.t)
    if refusal is not None:
        return refusal
    return staff_plans.page(_view(turn, patient), PlansPage(patient=patient.id), turn.t)


def grace_days_of(schedule) -> int:
    first = min(schedule.times)
    return max(0, (schedule.grace_minutes - _to_midnight(first)) // (24 * 60))


def _to_midnight(at: time) -> int:
    """Minutes from `at` to the end of its day: a plan's grace runs to midnight of the
    planned day plus its grace days."""
    return 24 * 60 - (at.hour * 60 + at.minute)


def _view(turn: Turn, patient: Patient) -> PlansView:
    settings = patients.reminder_settings(turn.conn, patient.id)
    zone = ZoneInfo(settings.timezone)
    lines = []
    for plan in activities.plans_of(turn.conn, patient.id, source="staff"):
        schedule = schedules.get(turn.conn, plan.schedule_id)
        lines.append(
            PlanLine(
                plan_id=plan.id,
                text=plan.text,
                activity_type=plan.activity_type,
                weekdays=schedule.weekdays,
                every_days=schedule.every_days,
                times=schedule.times,
                start=schedule.start_date,
                grace_days=grace_days_of(schedule),
                flag_when_missed=plan.flag_when_missed,
                comments_allowed=plan.comments_allowed,
                active=schedule.active,
            )
        )
    recent = tuple(
        FollowUpLine(
            text=occurrence.plan.text,
            at=occurrence.occurrence.astimezone(zone).replace(tzinfo=None),
            outcome=occurrence.outcome.outcome if occurrence.outcome else None,
            mood=occurrence.outcome.mood if occurrence.outcome else None,
            comment=occurrence.outcome.comment if occurrence.outcome else None,
        )
        for occurrence in activities.occurrences(turn.conn, patient.id, turn.now - RECENT, turn.now)
        if occurrence.status != "open" or occurrence.outcome is not None
    )
    return PlansView(
        label=patient.label,
        plans=tuple(lines),
        recent=recent,
        today=turn.now.astimezone(zone).date(),
        quiet_start=time.fromisoformat(settings.quiet_start),
        quiet_end=time.fromisoformat(settings.quiet_end),
        language=turn.t.language,
    )


def on_button(turn: Turn, action: str) -> Outcome:
    patient = patient_of_dialogue(turn)
    if patient is None:
        return general.stale_button(turn.t)
    outcome, change = staff_plans.on_button(_view(turn, patient), turn.state.data, action, turn.t)
    if change is None:
        return outcome
    if change.kind == "create":
        _create(turn, patient, change.value)
        notice = turn.t("staff_plans.saved")
    else:
        notice = _toggle(turn, patient, change.value)
    return staff_plans.page(_view(turn, patient), PlansPage(patient=patient.id), turn.t, notice)


def on_text(turn: Turn) -> Outcome:
    patient = patient_of_dialogue(turn)
    if patient is None:
        return general.bad_input("text", turn.t)
    return staff_plans.on_text(_view(turn, patient), turn.state.data, turn.incoming.text, turn.t)


def _create(turn: Turn, patient: Patient, line: PlanLine) -> None:
    plan = NewPlan(
        patient_id=patient.id,
        text=line.text,
        activity_type=line.activity_type,
        times=line.times,
        weekdays=line.weekdays,
        every_days=line.every_days,
        start=line.start,
        grace_minutes=_to_midnight(min(line.times)) + line.grace_days * 24 * 60,
        source="staff",
        flag_when_missed=line.flag_when_missed,
        comments_allowed=line.comments_allowed,
        created_by=turn.staff.id,
    )
    plan_id = activity_plans.create(turn.conn, plan, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="activity_plan_created",
        now=turn.now,
        patient_id=patient.id,
        plan=plan_id,
    )
    _tell_patient(turn, patient, "staff_plans.patient_new", line.text)


def _toggle(turn: Turn, patient: Patient, plan_id: int) -> str:
    plan = activities.get_plan(turn.conn, plan_id)
    schedule = schedules.get(turn.conn, plan.schedule_id)
    active = not schedule.active
    schedules.update(turn.conn, schedule.id, turn.now, active=active)
    replan(turn.conn, schedule.id, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="activity_plan_resumed" if active else "activity_plan_paused",
        now=turn.now,
        patient_id=patient.id,
        plan=plan_id,
    )
    key = "staff_plans.patient_resumed" if active else "staff_plans.patient_paused"
    _tell_patient(turn, patient, key, plan.text)
    return turn.t("staff_plans.resumed" if active else "staff_plans.paused_notice")


def _tell_patient(turn: Turn, patient: Patient, key: str, text: str) -> None:
    tell_patient(turn.conn, patient, turn.now, lambda t: Reply(t(key, text=escape(text))))
