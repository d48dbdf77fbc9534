"""The final measurement (eftermätning, issue 14): finishing the program's last core module
asks for its `final_measures` once; when all are answered the care team gets first vs final
totals with reliable change, and the patient sees the change in /results (without risk
items). Real routes, real SQLite; the program is the bundled one with module 1 as its last
core module, so the walk is short."""

import dataclasses
import json
from datetime import timedelta

import pytest

from bot.care import final_measures
from bot.router import button
from dialogues.types import Incoming
from storage import forms
from tests.bot.commands import results_command
from tests.bot.test_enrollment_turns import enrolled
from tests.harness.catalogue import says, sv


@pytest.fixture
def one_module(chat):
    """The depression program, ending after module 1 (its final measurement as bundled)."""
    program = chat.world.programs["depression"]
    meta = program.meta.model_copy(update={"modules": 1})
    short = dataclasses.replace(program, meta=meta)
    programs = type(chat.world.programs)({**dict(chat.world.programs), "depression": short})
    chat.world = dataclasses.replace(chat.world, programs=programs)
    return chat


def first_phq9(chat, patient_user, values):
    """A PHQ-9 answered before (the first measurement), straight into storage."""
    patient_id = chat.conn.execute(
        "SELECT id FROM patients WHERE telegram_user_id = ?", (patient_user,)
    ).fetchone()[0]
    now = chat.clock.now()
    request_id = forms.create_request(
        chat.conn,
        patient_id=patient_id,
        questionnaire="phq9",
        reason="extra",
        due_at=now,
        window_ends_at=None,
        now=now,
    )
    for number, value in enumerate(values, start=1):
        forms.save_answer(chat.conn, request_id, f"q{number}", value, now)
    forms.submit(chat.conn, forms.get(chat.conn, request_id), sum(values), 27, now)
    chat.conn.commit()
    chat.clock.advance(timedelta(days=42))  # the treatment goes on


def finish_module(chat, patient):
    for _ in range(9):
        chat.press(patient, "Nästa")


def press_row(chat, user, row_index):
    """Press the first button of a row on the newest message with buttons."""
    for row in reversed(chat.outbox(user)):
        markup = row["params"].get("reply_markup")
        if markup:
            data = json.loads(markup)["inline_keyboard"][row_index][0]["callback_data"]
            return chat.turn(button, user, Incoming(kind="button"), data=data, message_id=row["id"])
    raise AssertionError("no buttons")


def answer_open_form(chat, user, option):
    """Answer every item of the form shown with the option in row `option`, then Skicka."""
    for _ in range(20):
        if sv("form.button.send") in (chat.outbox(user)[-1]["params"].get("reply_markup") or ""):
            chat.press(user, sv("form.button.send"))
            return
        press_row(chat, user, option)
    raise AssertionError(f"the form did not end: {chat.texts(user)[-3:]}")


def final_requests(chat):
    return [
        tuple(row)
        for row in chat.conn.execute(
            "SELECT questionnaire, status FROM form_requests WHERE reason = 'final' ORDER BY id"
        )
    ]


def test_the_last_module_asks_for_the_final_measurement_once(one_module, therapist):
    chat = one_module
    patient = enrolled(chat, therapist)
    finish_module(chat, patient)
    assert final_requests(chat) == [("phq9", "open"), ("gad7", "open"), ("madrs-s", "open")]
    notice = next(text for text in chat.texts(patient) if says(text, "form.final_notice"))
    assert "PHQ-9" in notice and "GAD-7" in notice and "MADRS-S" in notice
    # Reading the module again and finishing it again asks nothing more.
    chat.press(patient, "Läs modulen igen")
    finish_module(chat, patient)
    assert len(final_requests(chat)) == 3


def test_not_before_the_last_module(chat, therapist):
    patient = enrolled(chat, therapist)  # the bundled program: module 1 of 7
    finish_module(chat, patient)
    assert final_requests(chat) == []


def test_the_battery_answered_tells_the_care_team_the_change(one_module, therapist):
    chat = one_module
    patient = enrolled(chat, therapist)
    first_phq9(chat, patient, [2, 2, 2, 2, 2, 2, 2, 2, 0])  # 16
    finish_module(chat, patient)
    chat.press(patient, sv("form.final_answer_now"))
    for _ in range(3):  # PHQ-9, then GAD-7, then MADRS-S open one after another
        answer_open_form(chat, patient, 0)  # "not at all" / 0 on every item
    assert final_requests(chat) == [
        ("phq9", "submitted"),
        ("gad7", "submitted"),
        ("madrs-s", "submitted"),
    ]
    note = next(text for text in chat.texts(therapist) if says(text, "results.final_note_title"))
    assert "PHQ-9: 16 → 0 av 27 (-16) – " + sv("results.rc.improved") in note
    assert says(note, "results.final_note_only", title="GAD-7", final=0, max=21)
    assert "MADRS-S: 0 av 54" in note
    # The patient's /results: the change since the first time, the final point marked, and
    # never the risk item (PHQ-9 item 9) shown back.
    chat.command(results_command, patient, "results")
    phq9 = [text for text in chat.texts(patient) if text.startswith("<b>PHQ-9</b>\n")][-1]
    assert "16 → 0" in phq9 and "(eftermätning)" in phq9
    risk_item = chat.world.questionnaires["phq9"].item("q9")
    assert risk_item.text["sv"][:40] not in phq9


def test_no_note_while_a_final_form_is_open(one_module, therapist):
    chat = one_module
    patient = enrolled(chat, therapist)
    finish_module(chat, patient)
    chat.press(patient, sv("form.final_answer_now"))
    answer_open_form(chat, patient, 0)  # PHQ-9 only
    assert not any(says(text, "results.final_note_title") for text in chat.texts(therapist))


def test_self_help_gets_no_final_measurement(one_module, therapist):
    chat = one_module
    patient = enrolled(chat, therapist)
    chat.conn.execute("UPDATE enrollments SET mode = 'self-help'")
    chat.conn.commit()
    finish_module(chat, patient)
    assert final_requests(chat) == []
    assert final_measures.FINAL == "final"
