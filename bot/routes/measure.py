"""`/measure <label> <questionnaire>` (extra measurement now), `... every <days>` (repeat)
and `... stop` (stop a repeating one and close what is open), for staff. Audited."""

from __future__ import annotations

from datetime import time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.care.access import open_patient
from bot.care.notify import tell_patient
from bot.care.treatment_open import refused_unless_active
from bot.reminders.kinds.forms import FORMS
from bot.reminders.kinds.registry import KINDS
from bot.reminders.planning import replan
from bot.turn.context import Turn
from dialogues.numbers import parse_int
from dialogues.types import Button, Outcome, Reply, row
from storage import audit, forms, patients, schedules

EXTRA_WINDOW = timedelta(days=7)
REPEAT_WINDOW_HOURS = 72
MAX_EVERY_DAYS = 90


def measure_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    args = turn.incoming.args
    if len(args) < 2:
        return _reply(turn, "measure.usage", questionnaires=_listed(turn))
    label, questionnaire_id, *rest = args
    patient = open_patient(turn, label, None)  # each action below is audited itself
    if patient is None:
        return _reply(turn, "staff.no_such_patient")
    refusal = refused_unless_active(turn.conn, patient, turn.t)
    if refusal is not None:
        return refusal
    questionnaire = turn.world.questionnaires.get(questionnaire_id)
    if questionnaire is None:
        return _reply(
            turn, "measure.unknown", name=escape(questionnaire_id), questionnaires=_listed(turn)
        )
    title = questionnaire.text(questionnaire.title, turn.t.language)
    if rest == ["stop"]:
        return _stop(turn, patient, questionnaire_id, title)
    every = parse_int(rest[1], 1, MAX_EVERY_DAYS) if len(rest) == 2 else None
    if rest[:1] == ["every"] and every is not None:
        return _repeat(turn, patient, questionnaire_id, title, every)
    if rest:
        return _reply(turn, "measure.usage", questionnaires=_listed(turn))
    return _now(turn, patient, questionnaire_id, title, questionnaire)


def _now(turn: Turn, patient, questionnaire_id: str, title: str, questionnaire) -> Outcome:
    request_id = forms.create_request(
        turn.conn,
        patient_id=patient.id,
        questionnaire=questionnaire_id,
        reason="extra",
        due_at=turn.now,
        window_ends_at=turn.now + EXTRA_WINDOW,
        now=turn.now,
    )
    if request_id is None:
        return _reply(turn, "measure.already", label=escape(patient.label), title=escape(title))
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="measure_requested",
        now=turn.now,
        patient_id=patient.id,
        questionnaire=questionnaire_id,
    )
    _tell_patient(turn, patient, questionnaire, request_id)
    return _reply(turn, "measure.sent", label=escape(patient.label), title=escape(title))


def _tell_patient(turn: Turn, patient, questionnaire, request_id: int) -> None:
    title = escape(questionnaire.text(questionnaire.title, patient.language))
    tell_patient(
        turn.conn,
        patient,
        turn.now,
        lambda t: Reply(
            t("measure.patient_asked", title=title),
            (row(Button(t(FORMS.button_key), f"form:{request_id}", stateless=True)),),
        ),
    )


def _repeat(turn: Turn, patient, questionnaire_id: str, title: str, days: int) -> Outcome:
    zone = ZoneInfo(patients.reminder_settings(turn.conn, patient.id).timezone)
    schedule_id = schedules.create(
        turn.conn,
        patient_id=patient.id,
        kind=FORMS.name,
        known_kinds=KINDS,
        questionnaire=questionnaire_id,
        times=(time(10, 0),),
        start_date=turn.now.astimezone(zone).date() + timedelta(days=1),
        every_days=days,
        grace_minutes=REPEAT_WINDOW_HOURS * 60,
        resend_after_minutes=24 * 60,
        source="staff",
        now=turn.now,
    )
    replan(turn.conn, schedule_id, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="measure_repeat_set",
        now=turn.now,
        patient_id=patient.id,
        questionnaire=questionnaire_id,
        every_days=days,
    )
    return _reply(
        turn, "measure.repeating", label=escape(patient.label), title=escape(title), days=days
    )


def _stop(turn: Turn, patient, questionnaire_id: str, title: str) -> Outcome:
    stopped = 0
    for schedule in schedules.of_patient(turn.conn, patient.id):
        if (
            schedule.kind == FORMS.name
            and schedule.questionnaire == questionnaire_id
            and schedule.active
        ):
            schedules.update(turn.conn, schedule.id, turn.now, active=False)
            replan(turn.conn, schedule.id, turn.now)
            stopped += 1
    closed = forms.stop_open(turn.conn, patient.id, questionnaire_id, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="measure_stopped",
        now=turn.now,
        patient_id=patient.id,
        questionnaire=questionnaire_id,
    )
    key = "measure.stopped" if stopped or closed else "measure.nothing_to_stop"
    return _reply(turn, key, label=escape(patient.label), title=escape(title))


def _listed(turn: Turn) -> str:
    return ", ".join(f"<code>{escape(qid)}</code>" for qid in sorted(turn.world.questionnaires))


def _reply(turn: Turn, key: str, **params: object) -> Outcome:
    return Outcome(replies=(Reply(turn.t(key, **params)),))
