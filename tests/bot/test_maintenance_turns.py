"""Maintenance through real turns and a real database: `/maintain` (who may, the days, the
modules to keep, Starta vidmakthållande), the patient's reading view and the closed word
everywhere they would work, and the tick ending a maintenance whose days ran out."""

import json
from datetime import timedelta

from bot.reminders import maintenance_over
from bot.render.calls import reply_call
from bot.router import button
from dialogues.types import Incoming, Reply
from storage import dialect, lifecycle, outbox, patients
from storage.database import run_in_transaction
from storage.outbox import LANE_REMINDER
from tests.bot.commands import (
    command,
    diary_command,
    forms_command,
    help_command,
    message_command,
    module_command,
    results_command,
)
from tests.bot.staff_helpers import audit_rows, bind, enroll, patient_id, staff_id
from tests.bot.test_enrollment_turns import enrolled
from tests.bot.test_messages_turns import other_unit_therapist
from tests.harness.catalogue import says, sv

maintain = command("maintain")
open_command = command("open")
crisis_command = command("crisis")


def _maintained(chat, therapist, patient, days="14", deselect=()):
    chat.command(open_command, therapist, "open", "P1", "2")
    chat.command(maintain, therapist, "maintain", "P1", days)
    for label in deselect:
        chat.press(therapist, label)
    chat.press(therapist, "Starta vidmakthållande")
    return patient


def _enrollment(chat, label="P1"):
    return patients.latest_enrollment(chat.conn, patient_id(chat, label))


def _press_data(chat, user, data):
    result, _ = chat.turn(button, user, Incoming(kind="button"), data=data)
    return result


def test_maintain_starts_after_the_confirmation(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(open_command, therapist, "open", "P1", "2")
    chat.command(maintain, therapist, "maintain", "P1", "14")
    page = chat.last_text(therapist)
    assert says(page, "maintain.page", label="P1", days=14, until="15 december 2026")
    assert _enrollment(chat).status == "active"  # nothing before the confirmation
    chat.press(therapist, "✓ Modul 2: " + chat.world.programs["depression"].module(2, "sv").title)
    chat.press(therapist, "Starta vidmakthållande")

    enrollment = _enrollment(chat)
    assert enrollment.status == "maintenance"
    assert says(chat.last_text(therapist), "maintain.started", label="P1", until="15 december 2026")
    assert lifecycle.hidden_in_maintenance(chat.conn, enrollment.id) == {2}
    [event] = [
        e
        for e in lifecycle.history(chat.conn, enrollment.patient_id)
        if e.change not in ("enrolled", "confirmed")
    ]
    assert (event.change, event.staff_id) == ("maintenance", staff_id(chat, therapist))
    assert [row["action"] for row in audit_rows(chat, "maintenance_started")] == [
        "maintenance_started"
    ]
    told = chat.last_text(patient)
    assert says(told, "reading.told", until="15 december 2026")
    assert "112" in told and "90101" in told
    active = chat.conn.execute("SELECT COUNT(*) FROM schedules WHERE active = 1").fetchone()[0]
    assert active == 0


def test_only_the_patients_therapist_or_a_patient_admin_may(chat, therapist):
    enrolled(chat, therapist)
    colleague = bind(chat, "Cecilia", "therapist", "Växjö", 400)
    admin = bind(chat, "Dan", "admin", "Växjö", 401)
    elsewhere = other_unit_therapist(chat)
    for member in (colleague, admin, elsewhere):
        chat.command(maintain, member, "maintain", "P1", "14")
        assert says(chat.last_text(member), "staff.no_such_patient")
    patient_admin = bind(chat, "Eva", "patient-admin", "Växjö", 402)
    chat.command(maintain, patient_admin, "maintain", "P1", "14")
    assert says(chat.last_text(patient_admin), "maintain.page", label="P1")
    chat.press(patient_admin, "Starta vidmakthållande")
    assert _enrollment(chat).status == "maintenance"


def test_bad_days_are_asked_again_and_only_an_active_treatment_can(chat, therapist):
    enrolled(chat, therapist)
    chat.command(maintain, therapist, "maintain", "P1", "400")
    assert says(chat.last_text(therapist), "maintain.bad_days", low=1, high=365)
    chat.text(therapist, "tio")
    assert says(chat.last_text(therapist), "maintain.bad_days", low=1, high=365)
    chat.text(therapist, "10")
    assert says(chat.last_text(therapist), "maintain.page", days=10, until="11 december 2026")
    chat.press(therapist, "Avbryt")
    assert _enrollment(chat).status == "active"
    chat.command(maintain, therapist, "maintain", "P1")
    chat.text(therapist, "10")
    chat.press(therapist, "Starta vidmakthållande")
    chat.command(maintain, therapist, "maintain", "P1", "10")
    assert says(chat.last_text(therapist), "maintain.already", label="P1")
    chat.command(maintain, therapist, "maintain")
    assert says(chat.last_text(therapist), "maintain.usage")


def test_everything_that_would_have_the_patient_work_is_closed(chat, therapist):
    patient = enrolled(chat, therapist)
    step_one = chat.outbox(patient)[-1]  # module 1's step, with its Nästa
    _maintained(chat, therapist, patient)
    closed = sv("reading.closed", until="15 december 2026")
    for name, route in (("diary", diary_command), ("module", module_command)):
        chat.command(route, patient, name)
        assert closed in chat.last_text(patient), name
    chat.command(forms_command, patient, "forms")
    assert closed in chat.last_text(patient)
    chat.command(message_command, patient, "message", "hej")
    assert closed in chat.last_text(patient)
    assert chat.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    chat.text(patient, "Ett svar på övningen")
    assert closed in chat.last_text(patient)
    assert chat.conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0
    chat.press(patient, "Nästa")  # a button from before
    assert closed in chat.last_text(patient)
    assert step_one["id"] < chat.outbox(patient)[-1]["id"]
    # Still open: /crisis, /help, /results.
    chat.command(crisis_command, patient, "crisis")
    assert says(chat.last_text(patient), "crisis.text")
    chat.command(help_command, patient, "help")
    assert says(chat.last_text(patient), "help.patient.title")
    chat.command(results_command, patient, "results")
    assert closed not in chat.last_text(patient)


def test_words_of_crisis_still_reach_a_human_in_maintenance(chat, therapist):
    patient = enrolled(chat, therapist)
    _maintained(chat, therapist, patient)
    chat.command(message_command, patient, "message", "jag", "vill", "inte", "leva")
    assert chat.conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0] == 1
    chat.text(patient, "jag vill inte leva längre")
    texts = chat.texts(patient)
    assert any(says(text, "crisis.text") for text in texts[-3:])


def test_the_patient_reads_the_modules_they_kept(chat, therapist):
    patient = enrolled(chat, therapist)
    module_2 = chat.world.programs["depression"].module(2, "sv")
    _maintained(chat, therapist, patient, deselect=("✓ Modul 2: " + module_2.title,))
    chat.press(patient, sv("reading.button.list"))
    listing = chat.outbox(patient)[-1]
    labels = [b["text"] for line in _keyboard(listing) for b in line]
    module_1 = chat.world.programs["depression"].module(1, "sv")
    assert labels == ["Modul 1: " + module_1.title]
    chat.press(patient, "Modul 1: " + module_1.title)
    assert module_1.steps[0].title in chat.last_text(patient)
    chat.press(patient, "Nästa")
    page = chat.last_text(patient)
    assert module_1.steps[1].title in page
    assert says(page, "module.step_of", current=2, total=len(module_1.steps))
    assert "✍️" not in page  # no exercise to work on
    forged = _press_data(chat, patient, "-|read:2:0")  # the module the therapist deselected
    assert forged.toast == sv("button.stale")
    assert _press_data(chat, patient, "-|read:1:99").toast == sv("button.stale")


def _keyboard(row):
    return json.loads(row["params"]["reply_markup"])["inline_keyboard"]


def test_the_tick_ends_a_maintenance_whose_days_ran_out(chat, therapist):
    patient = enrolled(chat, therapist)
    _maintained(chat, therapist, patient, days="3")
    chat.clock.advance(timedelta(days=2, hours=23))
    assert (
        run_in_transaction(chat.conn, lambda c: maintenance_over.run_batch(c, chat.clock.now()))
        == 0
    )
    chat.clock.advance(timedelta(hours=1))
    handled = run_in_transaction(
        chat.conn, lambda c: maintenance_over.run_batch(c, chat.clock.now())
    )
    assert handled == 1
    enrollment = _enrollment(chat)
    assert (enrollment.status, enrollment.end_reason) == ("ended", lifecycle.MAINTENANCE_OVER)
    assert says(chat.last_text(patient), "lifecycle.closing.maintenance_over")
    # From now on nothing the bot starts reaches the patient.
    call = reply_call(Reply("reminder"), patient, 0, lane=LANE_REMINDER)
    assert (
        run_in_transaction(chat.conn, lambda c: outbox.enqueue(c, call, chat.clock.now())) is None
    )
    assert (
        run_in_transaction(chat.conn, lambda c: maintenance_over.run_batch(c, chat.clock.now()))
        == 0
    )


def _refuse_status_change(conn, enrollment_id: int) -> str:
    """A trigger that makes changing this enrollment's status fail, as a broken row would;
    the name of the error the bot then logs."""
    conn.execute(
        dialect.pick(
            conn,
            sqlite="CREATE TEMP TRIGGER refuse BEFORE UPDATE OF status ON enrollments"
            f" WHEN OLD.id = {enrollment_id} BEGIN SELECT RAISE(ABORT, 'refused'); END",
            postgres="CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " RAISE EXCEPTION 'refused' USING ERRCODE = 'integrity_constraint_violation'; END $$;"
            " CREATE TRIGGER refuse BEFORE UPDATE OF status ON enrollments FOR EACH ROW"
            f" WHEN (OLD.id = {enrollment_id}) EXECUTE FUNCTION refuse()",
        )
    )
    return dialect.pick(conn, sqlite="IntegrityError", postgres="IntegrityConstraintViolation")


def test_one_maintenance_that_cannot_end_does_not_stop_the_others(chat, therapist, caplog):
    first = enroll(chat, 100, "P1", 200)
    second = enroll(chat, 100, "P2", 201)
    for label in ("P1", "P2"):
        chat.command(maintain, therapist, "maintain", label, "3")
        chat.press(therapist, "Starta vidmakthållande")
    broken = _enrollment(chat, "P1").id
    refused = _refuse_status_change(chat.conn, broken)
    chat.clock.advance(timedelta(days=4))
    run_in_transaction(chat.conn, lambda c: maintenance_over.run_batch(c, chat.clock.now()))
    assert _enrollment(chat, "P2").status == "ended"
    assert says(chat.last_text(second), "lifecycle.closing.maintenance_over")
    held = _enrollment(chat, "P1")
    assert held.status == "maintenance"
    assert held.maintenance_until > chat.clock.now()  # tried again later, not every tick
    assert f"enrollment {broken}" in caplog.text and refused in caplog.text
    assert not any(says(text, "lifecycle.closing.maintenance_over") for text in chat.texts(first))


def test_staff_start_no_questionnaire_reminder_or_plan_in_maintenance(chat, therapist):
    patient = enrolled(chat, therapist)
    _maintained(chat, therapist, patient)
    forms_before = chat.conn.execute("SELECT COUNT(*) FROM form_requests").fetchone()[0]
    for name, args in (("measure", ("P1", "phq9")), ("schedule", ("P1",)), ("plan", ("P1",))):
        chat.command(command(name), therapist, name, *args)
        refusal = chat.last_text(therapist)
        assert says(refusal, "maintain.closed_to_staff", label="P1", until="15 december 2026")
    assert chat.conn.execute("SELECT COUNT(*) FROM form_requests").fetchone()[0] == forms_before
