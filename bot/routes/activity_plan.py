"""Routes for planning an activity: from /activities, a module's plan exercise, or typed at
that exercise. Storing a plan gives it a one-off schedule of kind 'activity': the tick sends
the reminder at the planned time and, as its re-send, the follow-up "Blev det av?"."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from bot.reminders import activity_plans
from bot.reminders.activity_plans import NewPlan
from bot.turn.context import Turn
from dialogues import activity_plan, general, module_steps
from dialogues.activity_plan import Draft, PlanState, PlanView
from dialogues.types import Outcome, then_open
from storage import activities, answers, patients

DIALOGUE = activity_plan.DIALOGUE
PATIENT_PLAN_GRACE_MINUTES = 24 * 60  # unanswered a day after the planned time: missed


def plan_view(turn: Turn) -> PlanView | None:
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    if enrollment is None:
        return None
    settings = patients.reminder_settings(turn.conn, turn.patient.id)
    local = turn.now.astimezone(ZoneInfo(settings.timezone))
    diary = turn.world.programs[enrollment.program].meta.diary
    ask_types = (
        diary is not None
        and diary.types_from_module is not None
        and enrollment.current_module >= diary.types_from_module
    )
    listed = tuple(
        (a.id, a.text, a.activity_type) for a in activities.listed(turn.conn, turn.patient.id)
    )
    return PlanView(
        today=local.date(),
        now=local.time(),
        listed=listed,
        ask_types=ask_types,
        quiet_start=time.fromisoformat(settings.quiet_start),
        quiet_end=time.fromisoformat(settings.quiet_end),
        language=turn.t.language,
    )


def start(
    turn: Turn, item: str | None = None, preset_type: str | None = None, text: str | None = None
) -> Outcome:
    """A new plan: from /activities, or from a module's plan exercise (its item, the activity
    type it asks for, and the text typed as what to do)."""
    view = plan_view(turn) if turn.patient else None
    if view is None:
        return general.stale_button(turn.t)
    return activity_plan.start(view, turn.t, item=item, preset_type=preset_type, text=text)


def on_button(turn: Turn, action: str) -> Outcome:
    view = plan_view(turn) if turn.patient else None
    if view is None:
        return general.stale_button(turn.t)
    state = PlanState.load(turn.state.data)
    if state is not None and state.step == "saved":
        if action == "module":
            return then_open(module_steps.DIALOGUE, "step")
        if action == "again":
            return activity_plan.start(view, turn.t, item=state.item, preset_type=state.type)
    outcome, draft = activity_plan.on_button(view, turn.state.data, action, turn.t)
    if draft is None:
        return outcome
    store_plan(turn, draft)
    return activity_plan.saved(draft, turn.t.language, turn.t)


def on_text(turn: Turn) -> Outcome:
    view = plan_view(turn) if turn.patient else None
    if view is None:
        return general.bad_input("text", turn.t)
    return activity_plan.on_text(view, turn.state.data, turn.incoming.text, turn.t)


def store_plan(turn: Turn, draft: Draft) -> int:
    patient_id = turn.patient.id
    plan = NewPlan(
        patient_id=patient_id,
        text=draft.text,
        activity_type=draft.activity_type,
        times=(draft.at,),
        start=draft.day,
        end=draft.day,
        grace_minutes=PATIENT_PLAN_GRACE_MINUTES,
        source="patient",
        item=draft.item,
    )
    plan_id = activity_plans.create(turn.conn, plan, turn.now)
    if draft.item:
        # The exercise's answer, readable by the therapist like any other answer.
        enrollment = patients.active_enrollment(turn.conn, patient_id)
        description = activity_plan.describe(draft, turn.t.language, turn.t)
        answers.save(turn.conn, enrollment.id, draft.item, description, turn.now)
    return plan_id
