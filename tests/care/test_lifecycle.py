"""Ending a treatment (bot/care/lifecycle.py) over a real migrated database: what was queued
for the patient is withheld, the closing message still goes, and from then on nothing the
bot starts is queued for them, while replies to their own action still are."""

from datetime import UTC, date, datetime, time

from bot.care.lifecycle import end_treatment
from bot.render.calls import reply_call
from dialogues.types import Reply
from storage import flags, lifecycle, messages, outbox, patients, schedules, staff
from storage.outbox import LANE_REMINDER, LANE_REPLY, LANE_STAFF
from tests.harness.records import migrated_database, therapists_patient

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _queued(conn, chat_id):
    rows = conn.execute(
        "SELECT lane, status, last_error FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,)
    )
    return [tuple(row) for row in rows]


def _setup(tmp_path):
    conn = migrated_database(tmp_path / "bot.db")
    patient = therapists_patient(conn, NOW)
    enrollment = patients.enroll(conn, patient.id, "depression", NOW)
    return conn, patient, enrollment


def test_ending_withholds_queued_outreach_and_sends_the_closing_message(tmp_path):
    conn, patient, enrollment = _setup(tmp_path)
    outbox.enqueue(conn, reply_call(Reply("reminder"), patient.chat_id, 0, lane=LANE_REMINDER), NOW)

    assert end_treatment(conn, patient, enrollment, "completed", NOW, staff_id=patient.therapist_id)

    lanes = _queued(conn, patient.chat_id)
    assert lanes[0] == (LANE_REMINDER, "failed", "withheld")
    assert lanes[1][:2] == (LANE_STAFF, "pending")  # the closing message
    assert patients.active_enrollment(conn, patient.id) is None
    ended = patients.latest_enrollment(conn, patient.id)
    assert (ended.status, ended.end_reason) == ("ended", "completed")
    changes = [event.change for event in lifecycle.history(conn, patient.id)]
    assert changes == ["ended"]


def test_after_the_end_only_replies_to_the_patients_own_action_are_queued(tmp_path):
    conn, patient, enrollment = _setup(tmp_path)
    end_treatment(conn, patient, enrollment, "dropped_out", NOW, closing_message=False)

    for lane in (LANE_STAFF, LANE_REMINDER):
        call = reply_call(Reply("from the bot"), patient.chat_id, 0, lane=lane)
        assert outbox.enqueue(conn, call, NOW) is None
    outbox.enqueue_many(
        conn, [(reply_call(Reply("tick"), patient.chat_id, 0, lane=LANE_REMINDER), NOW)], NOW
    )
    own = reply_call(Reply("answer to /crisis"), patient.chat_id, 0, lane=LANE_REPLY)
    assert outbox.enqueue(conn, own, NOW) is not None
    assert [lane for lane, _, _ in _queued(conn, patient.chat_id)] == [LANE_REPLY]


def test_ending_stops_every_schedule_and_cannot_be_repeated(tmp_path):
    conn, patient, enrollment = _setup(tmp_path)
    schedule_id = schedules.create(
        conn,
        patient_id=patient.id,
        kind="diary",
        known_kinds=("diary",),
        times=(time(19, 0),),
        start_date=date(2026, 3, 2),
        now=NOW,
    )
    conn.execute(
        "UPDATE schedules SET next_due_at = '2026-03-02T18:00:00.000000Z' WHERE id = ?",
        (schedule_id,),
    )
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert [due.schedule.id for due in schedules.due(conn, later, 100)] == [schedule_id]

    end_treatment(conn, patient, enrollment, "referred", NOW)

    assert schedules.due(conn, later, 100) == []
    assert not end_treatment(conn, patient, enrollment, "other", NOW)


def test_open_flags_at_the_end_reach_the_patient_admins_when_the_therapist_cannot_be_reached(
    tmp_path,
):
    conn, patient, enrollment = _setup(tmp_path)
    code = staff.add_staff_role(
        conn, name="Per", role="patient-admin", unit_name="V", telegram_user_id=None, now=NOW
    )
    staff.bind(conn, code, 200, NOW)
    conn.execute("UPDATE staff SET active = 0 WHERE id = ?", (patient.therapist_id,))
    flags.create(
        conn,
        patient_id=patient.id,
        unit_id=patient.unit_id,
        severity="red",
        next_check_at=None,
        now=NOW,
    )

    end_treatment(conn, patient, enrollment, "completed", NOW)

    told = conn.execute("SELECT payload_json FROM outbox WHERE chat_id = 200").fetchall()
    assert len(told) == 1 and "P1" in told[0][0]
    assert conn.execute("SELECT COUNT(*) FROM outbox WHERE chat_id = 100").fetchone()[0] == 0


def _waiting_feedback(conn, patient):
    messages.add_to_patient(
        conn,
        patient_id=patient.id,
        staff_id=patient.therapist_id,
        kind="feedback",
        text="Bra jobbat med modul 3",
        now=NOW,
        module=3,
        delivered=False,
    )


def test_feedback_already_written_reaches_the_patient_before_the_closing_message(tmp_path):
    conn, patient, enrollment = _setup(tmp_path)
    _waiting_feedback(conn, patient)

    end_treatment(conn, patient, enrollment, "completed", NOW, staff_id=patient.therapist_id)

    payloads = [
        row[0]
        for row in conn.execute(
            "SELECT payload_json FROM outbox WHERE chat_id = ? ORDER BY id", (patient.chat_id,)
        )
    ]
    assert len(payloads) == 2
    assert "Bra jobbat med modul 3" in payloads[0]
    assert "avslutad" in payloads[1]


def test_after_a_withdrawal_no_feedback_goes(tmp_path):
    conn, patient, enrollment = _setup(tmp_path)
    _waiting_feedback(conn, patient)

    end_treatment(conn, patient, enrollment, lifecycle.WITHDRAWN, NOW, closing_message=False)

    assert _queued(conn, patient.chat_id) == []
