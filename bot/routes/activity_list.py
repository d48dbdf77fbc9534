"""Routes for /activities: the patient's vill / måste / kan vara utan lists, what is planned,
and how the past week's planned activities went."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.reminders.planning import replan
from bot.turn.context import Turn
from dialogues import activity_list, activity_plan, general
from dialogues.activity_list import ActivitiesView, Change, DoneLine, PlannedLine
from dialogues.types import Outcome, then_open
from storage import activities, events, patients, schedules

DIALOGUE = activity_list.DIALOGUE
RECENT = timedelta(days=7)


def activities_command(turn: Turn) -> Outcome | None:
    if turn.patient is None:
        return None
    return activity_list.page(_view(turn), turn.t)


def _view(turn: Turn) -> ActivitiesView:
    patient_id = turn.patient.id
    zone = ZoneInfo(patients.reminder_settings(turn.conn, patient_id).timezone)
    listed = tuple(
        (a.id, a.text, a.activity_type) for a in activities.listed(turn.conn, patient_id)
    )
    planned = []
    for plan in activities.plans_of(turn.conn, patient_id):
        schedule = schedules.get(turn.conn, plan.schedule_id)
        if schedule.active and schedule.next_occurrence is not None:
            at = schedule.next_occurrence.astimezone(zone).replace(tzinfo=None)
            planned.append(PlannedLine(plan.id, plan.text, at))
    recent = [
        DoneLine(
            text=occurrence.plan.text,
            at=occurrence.occurrence.astimezone(zone).replace(tzinfo=None),
            outcome=occurrence.outcome.outcome if occurrence.outcome else None,
            mood=occurrence.outcome.mood if occurrence.outcome else None,
            missed=occurrence.status == "missed",
        )
        for occurrence in activities.occurrences(turn.conn, patient_id, turn.now - RECENT, turn.now)
    ]
    return ActivitiesView(
        listed=listed,
        planned=tuple(sorted(planned, key=lambda line: line.at)),
        recent=tuple(recent),
        language=turn.t.language,
    )


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.patient is None:
        return general.stale_button(turn.t)
    if action == "plan":
        return then_open(activity_plan.DIALOGUE, "start")
    view = _view(turn)
    outcome, change = activity_list.on_button(view, turn.state.data, action, turn.t)
    return _apply(turn, outcome, change)


def on_text(turn: Turn) -> Outcome:
    if turn.patient is None:
        return general.bad_input("text", turn.t)
    view = _view(turn)
    outcome, change = activity_list.on_text(view, turn.state.data, turn.incoming.text, turn.t)
    return _apply(turn, outcome, change)


def _apply(turn: Turn, outcome: Outcome, change: Change | None) -> Outcome:
    """Store the change, then show the lists as they are now."""
    if change is None:
        return outcome
    patient_id = turn.patient.id
    if change.kind == "add":
        kind, text = change.value
        activities.add(turn.conn, patient_id, text, kind, turn.now)
        notice = turn.t("activities.added")
    elif change.kind == "remove_activity":
        activities.remove(turn.conn, patient_id, change.value, turn.now)
        notice = turn.t("activities.removed")
    else:
        cancel_plan(turn, change.value)
        notice = turn.t("activities.plan_cancelled")
    return outcome.then(activity_list.page(_view(turn), turn.t, notice))


def cancel_plan(turn: Turn, plan_id: int) -> None:
    plan = activities.get_plan(turn.conn, plan_id)
    schedules.update(turn.conn, plan.schedule_id, turn.now, active=0)
    replan(turn.conn, plan.schedule_id, turn.now)
    events.record(
        turn.conn, "activity_plan_cancelled", turn.now, patient_id=plan.patient_id, plan=plan_id
    )
