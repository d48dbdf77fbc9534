"""A `PatientCopy` as a FHIR R4B Bundle (type collection), built and checked with
`fhir.resources.R4B`. Pure. Which resource holds what is in docs/export.md:

- Patient: the pseudonym as an identifier, the language; no name, no Telegram id.
- CarePlan per treatment: program, status, period, phase and end reason as codes, one
  activity per module the patient has been in.
- QuestionnaireResponse per submitted questionnaire (item answers as codings, linked to our
  canonical questionnaire URL) and Observation per score (our code system for totals,
  valueInteger, derived from its response).
- QuestionnaireResponse per module with exercise answers; Observation per diary entry and per
  answered activity follow-up; Communication per message and per note.

Every resource gets a stable id (a UUID made from the patient's id and what it holds), so two
exports of the same data give the same ids. Codes in our own code systems have English
displays; the patient's-language labels are in each CodeableConcept's `text`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from bot.care.export.record import (
    DiaryEntry,
    ExerciseAnswer,
    FormResult,
    MessageCopy,
    NoteCopy,
    PatientCopy,
    PlannedActivity,
    Treatment,
)
from storage.lifecycle import WITHDRAWN

# Our canonical base: questionnaires, code systems and identifier systems live under it. The
# .example name is reserved (RFC 2606): a region publishing these replaces it in one place.
BASE = "https://ikbt.example/fhir"
PSEUDONYM_SYSTEM = f"{BASE}/sid/pseudonym"
TOTALS = f"{BASE}/CodeSystem/questionnaire-total"
RECORD = f"{BASE}/CodeSystem/record"  # what a resource records: diary-entry, mood, ...
ACTIVITY_TYPE = f"{BASE}/CodeSystem/activity-type"
ACTIVITY_OUTCOME = f"{BASE}/CodeSystem/activity-outcome"
DIARY_PART = f"{BASE}/CodeSystem/diary-part"
MESSAGE_KIND = f"{BASE}/CodeSystem/message-kind"
PHASE = f"{BASE}/CodeSystem/treatment-phase"
END_REASON = f"{BASE}/CodeSystem/end-reason"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_IDS = uuid.UUID("6f1c2a4e-8d3b-5c7a-9e0f-1a2b3c4d5e6f")  # the namespace of our resource ids


def questionnaire_url(questionnaire_id: str) -> str:
    return f"{BASE}/Questionnaire/{questionnaire_id}"


def module_url(program_id: str, module: int) -> str:
    return f"{BASE}/Questionnaire/{program_id}-module-{module}"


def as_fhir(copy: PatientCopy) -> str:
    return as_bundle(copy).model_dump_json(indent=2, exclude_none=True) + "\n"


def as_bundle(copy: PatientCopy) -> Bundle:
    build = _Builder(copy)
    resources = [build.patient()]
    resources += [build.care_plan(one) for one in copy.treatments]
    for form in copy.forms:
        resources += build.form(form)
    resources += build.exercises()
    resources += [build.diary_entry(entry) for entry in copy.diary if not entry.skipped]
    resources += [
        build.follow_up(plan, index)
        for plan in copy.plans
        for index, follow in enumerate(plan.follow_ups)
        if follow.outcome is not None
    ]
    resources += [build.message(message) for message in copy.messages]
    resources += [build.note(note) for note in copy.notes]
    return Bundle(
        id=build.id_of("bundle", copy.created_at.isoformat()),
        type="collection",
        timestamp=build.at(copy.created_at),
        entry=[
            {"fullUrl": f"urn:uuid:{resource.id}", "resource": resource} for resource in resources
        ],
    )


def _coding(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, text: str | None = None, display: str | None = None) -> dict:
    concept = {"coding": [_coding(system, code, display)]}
    if text:
        concept["text"] = text
    return concept


def _record(code: str, display: str) -> dict:
    return _concept(RECORD, code, display, display)


class _Builder:
    """Ids, references and times shared by every resource of one copy."""

    def __init__(self, copy: PatientCopy):
        self.copy = copy
        self.zone = ZoneInfo(copy.timezone)
        self.subject = {"reference": f"urn:uuid:{self.id_of('patient')}"}

    def id_of(self, *key: object) -> str:
        return str(uuid.uuid5(_IDS, "/".join(str(part) for part in (self.copy.patient_id, *key))))

    def at(self, moment: datetime | None) -> str | None:
        return moment.astimezone(self.zone).isoformat(timespec="seconds") if moment else None

    def patient(self) -> Patient:
        return Patient(
            id=self.id_of("patient"),
            identifier=[{"system": PSEUDONYM_SYSTEM, "value": self.copy.pseudonym}],
            communication=[
                {
                    "language": _concept("urn:ietf:bcp:47", self.copy.language),
                    "preferred": True,
                }
            ],
        )

    def care_plan(self, one: Treatment) -> CarePlan:
        if one.status == "ended":
            status = "revoked" if one.end_reason == WITHDRAWN else "completed"
        else:
            status = "active"  # active or in maintenance (the phase says which)
        category = [_concept(PHASE, one.status, display=one.status)]
        if one.end_reason:
            category.append(_concept(END_REASON, one.end_reason, display=one.end_reason))
        end = one.ended_at or one.maintenance_until
        period = {"start": self.at(one.started_at)}
        if end is not None:
            period["end"] = self.at(end)
        activities = [
            {
                "detail": {
                    "code": _concept(
                        f"{BASE}/CodeSystem/{one.program_id}-module",
                        str(module.number),
                        module.name,
                    ),
                    "status": "completed"
                    if module.finished_at
                    else ("stopped" if one.status == "ended" else "in-progress"),
                }
            }
            for module in one.modules
        ]
        return CarePlan(
            id=self.id_of("treatment", one.enrollment_id),
            status=status,
            intent="plan",
            title=one.program_name,
            category=category,
            subject=self.subject,
            period=period,
            created=self.at(one.started_at),
            activity=activities or None,
        )

    def form(self, form: FormResult) -> list:
        response_id = self.id_of("form", form.request_id)
        response = QuestionnaireResponse(
            id=response_id,
            questionnaire=questionnaire_url(form.questionnaire_id),
            status="completed",
            subject=self.subject,
            authored=self.at(form.submitted_at),
            item=[
                {
                    "linkId": item.item_id,
                    "text": item.question,
                    "answer": [
                        {
                            "valueCoding": _coding(
                                f"{questionnaire_url(form.questionnaire_id)}/answers",
                                str(item.value),
                                item.answer,
                            )
                        }
                    ],
                }
                for item in form.items
            ]
            or None,
        )
        score = Observation(
            id=self.id_of("score", form.request_id),
            status="final",
            category=[_concept(OBSERVATION_CATEGORY, "survey", display="Survey")],
            code=_concept(
                TOTALS, form.questionnaire_id, form.title, f"{form.questionnaire_id} total"
            ),
            subject=self.subject,
            effectiveDateTime=self.at(form.submitted_at),
            valueInteger=form.total,
            interpretation=[{"text": form.band}] if form.band else None,
            referenceRange=[{"text": f"0-{form.max_total}"}],
            derivedFrom=[{"reference": f"urn:uuid:{response_id}"}],
        )
        return [response, score]

    def exercises(self) -> list[QuestionnaireResponse]:
        by_module: dict[tuple[int, int], list[ExerciseAnswer]] = {}
        for answer in self.copy.exercise_answers:
            by_module.setdefault((answer.enrollment_id, answer.module), []).append(answer)
        finished = {
            (one.enrollment_id, module.number)
            for one in self.copy.treatments
            for module in one.modules
            if module.finished_at
        }
        return [
            QuestionnaireResponse(
                id=self.id_of("exercises", enrollment_id, module),
                questionnaire=module_url(saved[0].program_id, module),
                status="completed" if (enrollment_id, module) in finished else "in-progress",
                subject=self.subject,
                authored=self.at(max(answer.updated_at for answer in saved)),
                item=[
                    {
                        "linkId": answer.step_id,
                        "text": answer.question or answer.step_title,
                        "answer": [{"valueString": answer.answer}],
                    }
                    for answer in saved
                ],
            )
            for (enrollment_id, module), saved in by_module.items()
        ]

    def diary_entry(self, entry: DiaryEntry) -> Observation:
        components = [
            {
                "code": _record("part-of-day", "Part of the day"),
                "valueCodeableConcept": _concept(DIARY_PART, entry.part, entry.part_name),
            }
        ]
        if entry.mood is not None:
            components.append({"code": _record("mood", "Mood (0-10)"), "valueInteger": entry.mood})
        if entry.activity_type:
            components.append(
                {
                    "code": _record("activity-type", "Activity type"),
                    "valueCodeableConcept": _concept(
                        ACTIVITY_TYPE, entry.activity_type, entry.activity_type_name
                    ),
                }
            )
        return Observation(
            id=self.id_of("diary", entry.day.isoformat(), entry.part),
            status="final",
            code=_record("diary-entry", "Activity diary entry"),
            subject=self.subject,
            effectiveDateTime=_day(entry.day),
            valueString=entry.activity or None,
            component=components,
        )

    def follow_up(self, plan: PlannedActivity, index: int) -> Observation:
        follow = plan.follow_ups[index]
        components = [
            {"code": _record("planned-activity", "Planned activity"), "valueString": plan.text}
        ]
        if follow.mood is not None:
            components.append({"code": _record("mood", "Mood (0-10)"), "valueInteger": follow.mood})
        return Observation(
            id=self.id_of("follow-up", plan.plan_id, follow.planned_for.isoformat()),
            status="final",
            code=_record("activity-follow-up", "Did the planned activity happen?"),
            subject=self.subject,
            effectiveDateTime=self.at(follow.planned_for),
            issued=self.at(follow.answered_at),
            valueCodeableConcept=_concept(ACTIVITY_OUTCOME, follow.outcome, follow.outcome_name),
            component=components,
            note=[{"text": follow.comment}] if follow.comment else None,
        )

    def message(self, message: MessageCopy) -> Communication:
        from_patient = message.direction == "from_patient"
        # Feedback waiting for the next module (staff export only) is not sent yet.
        waiting = not from_patient and message.delivered_at is None
        return Communication(
            id=self.id_of("message", message.message_id),
            status="preparation" if waiting else "completed",
            category=[_concept(MESSAGE_KIND, message.kind, display=message.kind)],
            subject=self.subject,
            sender=self.subject if from_patient else None,
            recipient=None if from_patient else [self.subject],
            sent=None if waiting else self.at(message.written_at),
            received=None if from_patient else self.at(message.delivered_at),
            payload=[{"contentString": message.text}],
        )

    def note(self, note: NoteCopy) -> Communication:
        return Communication(
            id=self.id_of("note", note.note_id),
            status="completed",
            category=[_concept(MESSAGE_KIND, "note", display="note")],
            subject=self.subject,
            sender=self.subject,
            sent=self.at(note.written_at),
            payload=[{"contentString": note.text}],
        )


def _day(day: date) -> str:
    return day.isoformat()
