"""Routes for a planned activity's follow-up: the stateless `act:` buttons on the reminder
and its follow-up ("Blev det av?", then mood), the comment, and the diary entry it becomes."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.reminders.kinds.diary import DIARY
from bot.turn.context import Turn
from dialogues import follow_up, general
from dialogues.diary import MAX_ACTIVITY_CHARS
from dialogues.numbers import parse_id, parse_int
from dialogues.types import Outcome
from storage import activities, patients, reminders
from storage import diary as diary_store

DIALOGUE = follow_up.DIALOGUE


def act_button(turn: Turn, rest: str) -> Outcome:
    """`act:<reminder>:ask`, `act:<reminder>:<answer>` or `act:<reminder>:<answer>:<mood>`."""
    raw_id, _, choice = rest.partition(":")
    answer, _, raw_mood = choice.partition(":")
    reminder_id = parse_id(raw_id)
    reminder = reminders.get(turn.conn, reminder_id) if reminder_id else None
    if turn.patient is None or reminder is None or reminder.patient_id != turn.patient.id:
        return general.stale_button(turn.t)
    plan = activities.plan_of_schedule(turn.conn, reminder.schedule_id)
    if plan is None:
        return general.stale_button(turn.t)
    earlier = activities.outcome_of(turn.conn, reminder.id)
    if earlier is not None:
        return follow_up.already(earlier.outcome, earlier.mood, turn.t)
    if answer == "ask":
        return Outcome(replies=(follow_up.question(plan.text, reminder.id, turn.t),))
    if answer not in follow_up.OUTCOMES:
        return general.stale_button(turn.t)
    if answer != "nej" and not raw_mood:
        return follow_up.ask_mood(plan.text, reminder.id, answer, turn.t)
    mood = parse_int(raw_mood, min(follow_up.MOODS), max(follow_up.MOODS))
    if answer != "nej" and mood is None:
        return general.stale_button(turn.t)
    return _record(turn, plan, reminder, answer, mood)


def open_from_reminder(turn: Turn, reminder_id: int) -> Outcome:
    """The reminder's "Berätta hur det gick": the follow-up question at once."""
    return act_button(turn, f"{reminder_id}:ask")


def _record(turn: Turn, plan, reminder, answer: str, mood: int | None) -> Outcome:
    activities.record_outcome(turn.conn, plan.id, reminder.id, answer, mood, turn.now)
    if reminder.status == "open":
        reminders.close(turn.conn, reminder.id, "answered", turn.now)
    landed_in = None
    if answer != "nej":
        landed_in = _into_diary(turn, plan, reminder.occurrence, answer, mood)
    return follow_up.recorded(answer, mood, landed_in, reminder.id, plan.comments_allowed, turn.t)


def _into_diary(turn: Turn, plan, occurrence, answer: str, mood: int) -> str | None:
    """The activity as a diary entry in the part of the day it was planned for; added to
    what the patient already wrote there, never replacing it. Returns where it went."""
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    diary = turn.world.programs[enrollment.program].meta.diary if enrollment else None
    if diary is None:
        return None
    zone = ZoneInfo(patients.reminder_settings(turn.conn, turn.patient.id).timezone)
    local = occurrence.astimezone(zone)
    part = _part_at(diary.parts, local.time())
    day = local.date()
    text = plan.text if answer == "ja" else turn.t("follow_up.partly", text=plan.text)
    existing = diary_store.of_day(turn.conn, turn.patient.id, day).get(part.id)
    if existing is None or existing.skipped or not existing.activity:
        diary_store.save_activity(turn.conn, turn.patient.id, day, part.id, text, turn.now)
        details = {"mood": mood}
        if plan.activity_type:
            details["activity_type"] = plan.activity_type
        diary_store.save_detail(turn.conn, turn.patient.id, day, part.id, turn.now, **details)
    else:
        combined = f"{existing.activity} · {text}"[:MAX_ACTIVITY_CHARS]
        diary_store.save_activity(turn.conn, turn.patient.id, day, part.id, combined, turn.now)
        kept = {"mood": existing.mood if existing.mood is not None else mood}
        kept["activity_type"] = existing.activity_type or plan.activity_type
        diary_store.save_detail(turn.conn, turn.patient.id, day, part.id, turn.now, **kept)
    reminders.mark_answered(turn.conn, turn.patient.id, DIARY.name, turn.now)
    label = part.label.get(turn.t.language) or next(iter(part.label.values()))
    return f"{label}, {format_date(day, 'EEEE d MMMM', locale=turn.t.language)}"


def _part_at(parts, at: time):
    """The last part that starts at or before `at` (parts without a start are skipped);
    before the first start, the first part."""
    chosen = parts[0]
    for part in parts:
        if part.starts and time.fromisoformat(part.starts) <= at:
            chosen = part
    return chosen


def on_text(turn: Turn) -> Outcome:
    outcome, comment = follow_up.on_text(turn.state.data, turn.incoming.text, turn.t)
    if comment is not None:
        activities.set_comment(turn.conn, int(turn.state.data["reminder"]), comment)
    return outcome


def on_button(turn: Turn, action: str) -> Outcome:
    return follow_up.on_button(turn.state.data, action, turn.t)
