"""A `PatientCopy` as a readable JSON document: plain English keys, times in ISO 8601 in the
patient's own zone (with its offset), dates as YYYY-MM-DD, and beside every code its label in
the patient's language (`activity_type` "vill" with `activity_type_name` "Vill"). Pure."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.care.export.record import PATIENT, PatientCopy, ReminderSettings, Treatment

FORMAT = "ikbt-patient-data"
FORMAT_VERSION = 1


def as_json(copy: PatientCopy) -> str:
    """The document's text: indented, non-ASCII kept (å, ä, ö read as they are)."""
    return json.dumps(as_dict(copy), ensure_ascii=False, indent=2) + "\n"


def as_dict(copy: PatientCopy) -> dict:
    zone = ZoneInfo(copy.timezone)

    def at(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "copy_for": copy.audience,
        "created_at": at(copy.created_at),
        "patient": {
            "pseudonym": copy.pseudonym,
            "language": copy.language,
            "timezone": copy.timezone,
            "consented_at": at(copy.consented_at),
            "identity_confirmed_at": at(copy.confirmed_at),
        },
        "treatments": [_treatment(one, at, copy.audience) for one in copy.treatments],
        "exercise_answers": [
            {
                "program": answer.program_id,
                "module": answer.module,
                "module_name": answer.module_name,
                "step": answer.step_id,
                "step_title": answer.step_title,
                "question": answer.question,
                "answer": answer.answer,
                "choice": answer.choice,
                "updated_at": at(answer.updated_at),
            }
            for answer in copy.exercise_answers
        ],
        "questionnaires": [
            {
                "questionnaire": form.questionnaire_id,
                "title": form.title,
                "submitted_at": at(form.submitted_at),
                "total": form.total,
                "max_total": form.max_total,
                "band": form.band,
                "answers": [
                    {
                        "item": item.item_id,
                        "question": item.question,
                        "value": item.value,
                        "answer": item.answer,
                        **({"risk_item": item.risk} if copy.audience != PATIENT else {}),
                    }
                    for item in form.items
                ],
            }
            for form in copy.forms
        ],
        "diary": [
            {
                "day": entry.day.isoformat(),
                "part_of_day": entry.part,
                "part_of_day_name": entry.part_name,
                "activity": entry.activity,
                "mood": entry.mood,
                "activity_type": entry.activity_type,
                "activity_type_name": entry.activity_type_name,
                "skipped": entry.skipped,
            }
            for entry in copy.diary
        ],
        "activity_lists": [
            {
                "activity": one.text,
                "activity_type": one.activity_type,
                "activity_type_name": one.activity_type_name,
                "added_at": at(one.created_at),
                "removed_at": at(one.removed_at),
            }
            for one in copy.activities
        ],
        "planned_activities": [
            {
                "activity": plan.text,
                "activity_type": plan.activity_type,
                "activity_type_name": plan.activity_type_name,
                "planned_by": plan.planned_by,
                "times": list(plan.times),
                "weekdays": list(plan.weekdays) if plan.weekdays else None,
                "start_date": _day(plan.start_date),
                "end_date": _day(plan.end_date),
                "follow_ups": [
                    {
                        "planned_for": at(follow.planned_for),
                        "status": follow.status,
                        "outcome": follow.outcome,
                        "outcome_name": follow.outcome_name,
                        "mood": follow.mood,
                        "comment": follow.comment,
                        "answered_at": at(follow.answered_at),
                    }
                    for follow in plan.follow_ups
                ],
            }
            for plan in copy.plans
        ],
        "messages": [
            {
                "direction": message.direction,
                "kind": message.kind,
                "written_at": at(message.written_at),
                "delivered_at": at(message.delivered_at),
                "module": message.module,
                "text": message.text,
            }
            for message in copy.messages
        ],
        "notes": [{"written_at": at(note.written_at), "text": note.text} for note in copy.notes],
        "reminders": _reminders(copy.reminders, at),
    }


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _treatment(one: Treatment, at, audience: str) -> dict:
    found = {
        "program": one.program_id,
        "program_name": one.program_name,
        "mode": one.mode,
        "status": one.status,
        "started_at": at(one.started_at),
        "maintenance_until": at(one.maintenance_until),
        "ended_at": at(one.ended_at),
        "end_reason": one.end_reason,
        "current_module": one.current_module,
        "modules": [
            {
                "module": module.number,
                "name": module.name,
                "add_on": module.addon,
                "step_reached": module.step_index,
                "finished_at": at(module.finished_at),
            }
            for module in one.modules
        ],
        "history": [
            {"change": change.change, "reason": change.reason, "at": at(change.at)}
            for change in one.history
        ],
    }
    if audience != PATIENT:
        found["end_comment"] = one.end_comment
    return found


def _reminders(settings: ReminderSettings, at) -> dict:
    return {
        "quiet_hours": {"from": settings.quiet_start, "until": settings.quiet_end},
        "paused_until": at(settings.paused_until),
        "schedules": [
            {
                "kind": one.kind,
                "kind_name": one.kind_name,
                "times": list(one.times),
                "weekdays": list(one.weekdays) if one.weekdays else None,
                "every_days": one.every_days,
                "start_date": _day(one.start_date),
                "end_date": _day(one.end_date),
                "active": one.active,
                "text": one.text,
                "questionnaire": one.questionnaire,
            }
            for one in settings.schedules
        ],
    }
