"""/mydata and /export <label> through the real application (tests/harness/inprocess.py):
the patient gets a short explanation and two documents in the reply lane, also after their
treatment has ended; staff with access get the same two files, audited; a JSON file is
uploaded without a byte order mark, so it parses as it is."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from bot.care.lifecycle import end_treatment
from bot.telegram.uploads import as_document_upload
from storage import lifecycle, patients
from storage.outbox import LANE_REPLY
from tests.harness.catalogue import sv
from tests.harness.inprocess import InProcessBot

WORDS = "Jag har sovit dåligt hela veckan"


@pytest.fixture
async def bot(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    yield bot
    await bot.close()


def _documents(bot, person, after):
    return [row for row in bot.outbox(person, after=after) if row["method"] == "sendDocument"]


def _lanes(bot, person, after):
    rows = bot.conn.execute(
        "SELECT lane FROM outbox WHERE chat_id = ? AND id > ?", (person.chat_id, after)
    )
    return {row["lane"] for row in rows}


async def test_mydata_sends_an_explanation_and_two_documents(bot):
    anna = await bot.add_staff(100, "Anna")
    patient = await bot.enrol_patient(anna, 200, "P1")
    await bot.command(patient, "message", WORDS)
    before = bot.last_outbox_id()
    await bot.command(patient, "mydata")
    rows = bot.outbox(patient, after=before)
    assert [row["method"] for row in rows] == ["sendMessage", "sendDocument", "sendDocument"]
    assert "mydata-2026-12-01.json" in rows[0]["params"]["text"]
    readable, fhir = _documents(bot, patient, before)
    assert readable["params"]["document_name"] == "mydata-2026-12-01.json"
    assert fhir["params"]["document_name"] == "mydata-2026-12-01.fhir.json"
    assert readable["params"]["caption"] == sv("export.mydata.caption_json")
    document = json.loads(readable["params"]["document_text"])
    assert [m["text"] for m in document["messages"]] == [WORDS]
    assert document["patient"]["pseudonym"].startswith("patient-")
    assert "P1" not in readable["params"]["document_text"]
    Bundle.model_validate_json(fhir["params"]["document_text"])
    assert _lanes(bot, patient, before) == {LANE_REPLY}
    assert not bot.errors and not bot.apologies()


async def test_the_json_file_is_uploaded_without_a_byte_order_mark(bot):
    anna = await bot.add_staff(100, "Anna")
    patient = await bot.enrol_patient(anna, 200, "P1")
    before = bot.last_outbox_id()
    await bot.command(patient, "mydata")
    for row in _documents(bot, patient, before):
        upload = as_document_upload(row["params"])["document"]
        content = upload.input_file_content
        assert not content.startswith(b"\xef\xbb\xbf")
        json.loads(content.decode("utf-8"))


async def test_mydata_still_answers_after_the_treatment_has_ended(bot):
    anna = await bot.add_staff(100, "Anna")
    patient = await bot.enrol_patient(anna, 200, "P1")

    def withdraw(conn):
        record = patients.by_telegram_user(conn, patient.user_id)
        enrollment = patients.active_enrollment(conn, record.id)
        end_treatment(conn, record, enrollment, lifecycle.WITHDRAWN, bot.clock.now())

    await bot.database.transaction(withdraw)
    before = bot.last_outbox_id()
    await bot.command(patient, "mydata")
    readable, _ = _documents(bot, patient, before)
    (treatment,) = json.loads(readable["params"]["document_text"])["treatments"]
    assert (treatment["status"], treatment["end_reason"]) == ("ended", "withdrawn")


async def test_export_sends_the_same_files_to_staff_with_access_and_is_audited(bot):
    anna = await bot.add_staff(100, "Anna")
    patient = await bot.enrol_patient(anna, 200, "P1")
    await bot.command(patient, "message", WORDS)
    before = bot.last_outbox_id()
    await bot.command(anna, "export", "P1")
    readable, fhir = _documents(bot, anna, before)
    assert readable["params"]["document_name"] == "export-2026-12-01.json"
    assert fhir["params"]["document_name"] == "export-2026-12-01.fhir.json"
    document = json.loads(readable["params"]["document_text"])
    assert document["patient"]["pseudonym"] == "P1"
    assert WORDS in fhir["params"]["document_text"]
    Bundle.model_validate_json(fhir["params"]["document_text"])
    assert bot.count("audit_log", "action = 'patient_exported'") == 1
    assert _documents(bot, patient, before) == []  # nothing to the patient


async def test_export_is_refused_without_access_and_explains_its_usage(bot):
    anna = await bot.add_staff(100, "Anna")
    await bot.enrol_patient(anna, 200, "P1")
    bo = await bot.add_staff(101, "Bo")  # another therapist of the unit: not his patient
    before = bot.last_outbox_id()
    await bot.command(bo, "export", "P1")
    assert bot.texts(bo, after=before) == [sv("staff.no_such_patient")]
    await bot.command(anna, "export")
    assert bot.texts(anna, after=before) == [sv("export.usage")]
    assert _documents(bot, bo, before) == [] and _documents(bot, anna, before) == []
    assert bot.count("audit_log", "action = 'patient_exported'") == 0
