"""`/withdraw` (bot/routes/withdrawal.py): from the middle of a questionnaire, Avbryt leads
back to it with nothing lost; Ja, avsluta ends the treatment (återkallat samtycke), tells the
therapist, and from then on nothing the bot starts is queued for the patient while their
own commands still answer. Real routes over a real database."""

from bot.render.calls import reply_call
from bot.router import button
from dialogues.types import Incoming, Reply
from storage import forms, lifecycle, outbox, patients
from storage.database import run_in_transaction
from storage.outbox import LANE_REMINDER, LANE_REPLY, LANE_STAFF
from tests.bot.commands import COMMANDS, forms_command
from tests.bot.staff_helpers import patient_id
from tests.bot.test_enrollment_turns import enrolled
from tests.harness.catalogue import says, sv

withdraw = COMMANDS["withdraw"]
crisis = COMMANDS["crisis"]


def in_a_questionnaire(chat, therapist):
    patient = enrolled(chat, therapist)
    pid = patient_id(chat, "P1")
    now = chat.clock.now()
    run_in_transaction(
        chat.conn,
        lambda c: forms.create_request(
            c,
            patient_id=pid,
            questionnaire="phq9",
            reason="extra",
            due_at=now,
            window_ends_at=None,
            now=now,
        ),
    )
    chat.command(forms_command, patient, "forms")
    chat.press(patient, "Inte alls")  # the first item answered
    return patient, pid


def test_cancel_goes_back_to_the_questionnaire_where_it_was(chat, therapist):
    patient, pid = in_a_questionnaire(chat, therapist)
    chat.command(withdraw, patient, "withdraw")
    assert says(chat.last_text(patient), "withdrawal.explain")
    chat.text(patient, "hmm")  # typed text: the question stays
    assert says(chat.last_text(patient), "withdrawal.use_buttons")
    chat.press(patient, "Avbryt")
    texts = chat.texts(patient)
    assert any(says(text, "withdrawal.cancelled") for text in texts[-3:])
    assert "Känt dig nedstämd" in texts[-1]  # the second item: the first is kept
    assert patients.active_enrollment(chat.conn, pid) is not None


def test_yes_ends_the_treatment_and_only_the_patients_own_commands_answer(chat, therapist):
    patient, pid = in_a_questionnaire(chat, therapist)
    chat.command(withdraw, patient, "withdraw")
    chat.press(patient, "Ja, avsluta")
    assert says(chat.last_text(patient), "withdrawal.done")
    assert says(chat.last_text(therapist), "withdrawal.therapist_told", label="P1")

    ended = patients.latest_enrollment(chat.conn, pid)
    assert (ended.status, ended.end_reason) == ("ended", lifecycle.WITHDRAWN)
    assert [e.change for e in lifecycle.history(chat.conn, pid)][-1] == "withdrawn"
    open_forms = chat.conn.execute(
        "SELECT COUNT(*) FROM form_requests WHERE patient_id = ? AND status = 'open'", (pid,)
    )
    assert open_forms.fetchone()[0] == 0
    active = chat.conn.execute(
        "SELECT COUNT(*) FROM schedules WHERE patient_id = ? AND active = 1", (pid,)
    )
    assert active.fetchone()[0] == 0

    now = chat.clock.now()
    for lane in (LANE_STAFF, LANE_REMINDER):  # nothing the bot starts is queued
        call = reply_call(Reply("from the bot"), patient, 0, lane=lane)
        assert (
            run_in_transaction(chat.conn, lambda c, call=call: outbox.enqueue(c, call, now)) is None
        )
    chat.command(crisis, patient, "crisis")
    assert chat.last_text(patient) == sv("crisis.text")
    lane = chat.conn.execute(
        "SELECT lane FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", (patient,)
    )
    assert lane.fetchone()[0] == LANE_REPLY

    # The therapist cannot write to them any more.
    before = len(chat.outbox(therapist))
    result, _ = chat.turn(button, therapist, Incoming(kind="button"), data=f"-|msg:to:{pid}")
    assert result.toast == sv("staff_messages.refused.ended")
    assert len(chat.outbox(therapist)) == before
    # A second /withdraw: it has ended already.
    chat.command(withdraw, patient, "withdraw")
    assert says(chat.last_text(patient), "withdrawal.already_ended")


def test_a_stranger_has_nothing_to_withdraw(chat):
    chat.command(withdraw, 300, "withdraw")
    assert not any(says(text, "withdrawal.explain") for text in chat.texts(300))


def test_a_patient_in_maintenance_can_withdraw_too(chat, therapist):
    patient = enrolled(chat, therapist)
    pid = patient_id(chat, "P1")
    now = chat.clock.now()
    enrollment = patients.active_enrollment(chat.conn, pid)
    run_in_transaction(
        chat.conn, lambda c: lifecycle.start_maintenance(c, enrollment.id, now, now.replace(2027))
    )
    chat.command(withdraw, patient, "withdraw")
    assert says(chat.last_text(patient), "withdrawal.explain")
    chat.text(patient, "hmm")  # typed text: the question stays, not the maintenance word
    assert says(chat.last_text(patient), "withdrawal.use_buttons")
    chat.press(patient, "Ja, avsluta")
    assert says(chat.last_text(patient), "withdrawal.done")
    ended = patients.latest_enrollment(chat.conn, pid)
    assert (ended.status, ended.end_reason) == ("ended", lifecycle.WITHDRAWN)
