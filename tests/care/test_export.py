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

from bot.care.export.documents import documents
from bot.care.export.record import PATIENT, STAFF
from bot.care.lifecycle import end_treatment
from storage import (
    activities,
    answers,
    diary,
    forms,
    lifecycle,
    messages,
    notes,
    patients,
    progress,
    reminders,
    schedules,
)
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


FHIR_STATUSES = {  # the value sets fhir.resources does not check (it checks shapes)
    "CarePlan": {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "stopped"},
    "Observation": {"registered", "preliminary", "final", "amended", "cancelled"},
    "Communication": {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed"},
}


def _form(readable_text, questionnaire_id):
    (form,) = [
        one
        for one in json.loads(readable_text)["questionnaires"]
        if one["questionnaire"] == questionnaire_id
    ]
    return form


def _form_response(fhir_text, questionnaire_id):
    (response,) = [
        one
        for one in _resources(fhir_text, "QuestionnaireResponse")
        if one.questionnaire.endswith(f"/Questionnaire/{questionnaire_id}")
    ]
    return response


def test_the_bundle_parses_back_with_fhir_resources_and_holds_each_kind_of_data(record):
    conn, patient = record
    _, fhir = _documents(conn, patient, STAFF)
    bundle = Bundle.model_validate_json(fhir.text)
    assert bundle.type == "collection"
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds.count("Patient") == 1
    assert kinds.count("CarePlan") == 1
    assert kinds.count("QuestionnaireResponse") == 3  # PHQ-9, MADRS-S, module 1's exercises
    assert kinds.count("Observation") == 4  # two scores, one diary entry, one follow-up
    assert kinds.count("Communication") == 4  # three messages, one note
    full_urls = {entry.fullUrl for entry in bundle.entry}
    assert len(full_urls) == len(bundle.entry)
    for entry in bundle.entry:
        resource = entry.resource
        assert entry.fullUrl == f"urn:uuid:{resource.id}"
        kind = resource.get_resource_type()
        if kind in FHIR_STATUSES:
            assert resource.status in FHIR_STATUSES[kind], (kind, resource.status)
        subject = getattr(resource, "subject", None)
        if subject is not None:
            assert subject.reference in full_urls


def test_a_score_is_an_observation_of_our_total_code_derived_from_its_response(record):
    conn, patient = record
    _, fhir = _documents(conn, patient, STAFF)
    response = _form_response(fhir.text, "phq9")
    (score,) = [
        one
        for one in _resources(fhir.text, "Observation")
        if one.code.coding[0].system.endswith("/CodeSystem/questionnaire-total")
        and one.code.coding[0].code == "phq9"
    ]
    assert score.valueInteger == 8
    assert score.derivedFrom[0].reference == f"urn:uuid:{response.id}"
    assert score.effectiveDateTime.isoformat().startswith("2026-12-03T09:00:00")
    assert response.questionnaire == "https://ikbt.example/fhir/Questionnaire/phq9"


def test_the_staff_export_has_the_label_and_every_item_risk_items_too(record):
    conn, patient = record
    readable, fhir = _documents(conn, patient, STAFF)
    document = json.loads(readable.text)
    assert document["patient"]["pseudonym"] == LABEL
    phq9 = _form(readable.text, "phq9")
    assert [item["item"] for item in phq9["answers"]][-1] == "q9"
    assert phq9["answers"][-1]["risk_item"] is True
    assert "q9" in [item["item"] for item in _form(readable.text, "madrs-s")["answers"]]
    assert [item.linkId for item in _form_response(fhir.text, "phq9").item][-1] == "q9"
    (person,) = _resources(fhir.text, "Patient")
    assert person.identifier[0].value == LABEL
    assert not person.name
    assert WAITING_FEEDBACK in readable.text and WAITING_FEEDBACK in fhir.text


def test_the_patients_copy_leaves_out_what_their_results_leave_out(record):
    conn, patient = record
    readable, fhir = _documents(conn, patient, PATIENT)
    for questionnaire_id in ("phq9", "madrs-s"):  # PHQ-9 q9 is a risk item; MADRS-S q9 hidden
        items = [item["item"] for item in _form(readable.text, questionnaire_id)["answers"]]
        assert items == [f"q{n}" for n in range(1, 9)]
        assert "q9" not in [
            item.linkId for item in _form_response(fhir.text, questionnaire_id).item
        ]
    assert _form(readable.text, "phq9")["total"] == 8  # the total, as their results show it
    for document in (readable.text, fhir.text):
        assert LABEL not in document
        assert WAITING_FEEDBACK not in document  # waits for the next module
        assert "risk" not in document
    assert json.loads(readable.text)["patient"]["pseudonym"] == f"patient-{patient.id}"
    (person,) = _resources(fhir.text, "Patient")
    assert person.identifier[0].value == f"patient-{patient.id}"


def test_both_files_hold_the_patients_own_words_and_labels_in_their_language(record):
    conn, patient = record
    readable, fhir = _documents(conn, patient, PATIENT)
    for words in (DIARY_WORDS, ANSWER_WORDS, NOTE_WORDS, "Baka bullar", "Det blev bara en plåt"):
        assert words in readable.text and words in fhir.text
    document = json.loads(readable.text)
    assert "Ringa mamma" in readable.text  # the lists: in the readable file only
    (choice,) = [one for one in document["exercise_answers"] if one["step"] == "how-it-works"]
    assert (choice["answer"], choice["choice"]) == ("På kvällen", "evening")
    assert choice["module_name"].startswith("Modul 1: ")
    morning, evening = document["diary"]  # in the program's order of the day
    assert (morning["part_of_day_name"], morning["activity_type_name"], morning["mood"]) == (
        "Morgon",
        "Vill",
        6,
    )
    assert evening["skipped"] is True
    (plan,) = document["planned_activities"]
    assert plan["follow_ups"][0]["outcome_name"] == "Delvis"
    assert plan["follow_ups"][0]["planned_for"] == "2026-12-02T17:00:00+01:00"  # local, ISO
    assert document["treatments"][0]["program_name"] == "Steg för steg – när livet känns tungt"


def test_the_files_are_named_by_the_date_only(record):
    conn, patient = record
    own = _documents(conn, patient, PATIENT)
    staff = _documents(conn, patient, STAFF)
    assert [one.name for one in own] == ["mydata-2026-12-04.json", "mydata-2026-12-04.fhir.json"]
    assert [one.name for one in staff] == ["export-2026-12-04.json", "export-2026-12-04.fhir.json"]


def test_a_questionnaire_whose_file_is_gone_keeps_only_its_total_in_the_patients_copy(record):
    """Without its file nobody can tell which items were risk items: the patient's copy
    shows the total alone; staff get the stored values without labels."""
    conn, patient = record
    known = {k: v for k, v in bundled_questionnaires().items() if k != "phq9"}
    copies = {
        audience: documents(conn, patient, bundled_programs(), known, NOW, audience)
        for audience in (PATIENT, STAFF)
    }
    own = _form(copies[PATIENT][0].text, "phq9")
    assert (own["total"], own["answers"]) == (8, [])
    Bundle.model_validate_json(copies[PATIENT][1].text)
    staff = _form(copies[STAFF][0].text, "phq9")
    assert [(item["item"], item["value"]) for item in staff["answers"]][-1] == ("q9", 2)


def test_an_ended_treatment_shows_its_end_and_only_staff_see_the_comment(record):
    conn, patient = record
    enrollment = patients.active_enrollment(conn, patient.id)
    progress.save(conn, enrollment.id, 1, progress.ModuleProgress(3, False), NOW)
    ended_at = NOW + timedelta(days=2, hours=1)
    end_treatment(
        conn,
        patient,
        enrollment,
        "other",
        ended_at,
        staff_id=patient.therapist_id,
        comment="Flyttar till annan region",
    )
    patient = patients.get(conn, patient.id)
    for audience in (PATIENT, STAFF):
        readable, fhir = _documents(conn, patient, audience)
        (treatment,) = json.loads(readable.text)["treatments"]
        assert (treatment["status"], treatment["end_reason"]) == ("ended", "other")
        assert treatment["ended_at"] == "2026-12-03T10:00:00+01:00"
        assert [change["change"] for change in treatment["history"]] == ["ended"]
        assert [module["module"] for module in treatment["modules"]] == [1]
        (plan,) = _resources(fhir.text, "CarePlan")
        assert plan.status == "completed"
        assert [c.coding[0].code for c in plan.category] == ["ended", "other"]
        assert plan.activity[0].detail.status == "stopped"  # module 1 was not finished
        shows_comment = "Flyttar till annan region" in readable.text
        assert shows_comment == (audience == STAFF)


def test_a_withdrawn_treatment_is_a_revoked_care_plan(record):
    conn, patient = record
    enrollment = patients.active_enrollment(conn, patient.id)
    end_treatment(conn, patient, enrollment, lifecycle.WITHDRAWN, NOW, closing_message=False)
    _, fhir = _documents(conn, patients.get(conn, patient.id), PATIENT)
    (plan,) = _resources(fhir.text, "CarePlan")
    assert plan.status == "revoked"
