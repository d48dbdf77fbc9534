"""Storage: messages both ways, feedback waiting for its module, reply times, notes, modes."""

from datetime import UTC, datetime, timedelta

import pytest

from storage import invites, messages, notes, patients, staff
from storage.database import connect_sync, migrate_sync
from tests.harness.databases import database_for

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path):
    connection = connect_sync(database_for(tmp_path, "t.sqlite3"))
    migrate_sync(connection)
    return connection


def _therapist(conn, name="Anna", user=100):
    code = staff.add_staff_role(
        conn, name=name, role="therapist", unit_name="V", telegram_user_id=None, now=NOW
    )
    return staff.bind(conn, code, user, NOW)


def _patient(conn, member, label="P1", user=5):
    patient = patients.create(
        conn,
        unit_id=member.unit_id,
        therapist_id=member.id,
        label=label,
        telegram_user_id=user,
        chat_id=user,
        language="sv",
        now=NOW,
    )
    patients.enroll(conn, patient.id, "depression", NOW)
    return patient


def _reply(conn, patient, member, at, kind="message", **extra):
    return messages.add_to_patient(
        conn, patient_id=patient.id, staff_id=member.id, kind=kind, text="svar", now=at, **extra
    )


def test_a_reply_answers_every_open_message_before_it(conn):
    member = _therapist(conn)
    patient = _patient(conn, member)
    first = messages.add_from_patient(conn, patient.id, "ett", NOW)
    second = messages.add_from_patient(conn, patient.id, "två", NOW + timedelta(minutes=5))
    _reply(conn, patient, member, NOW + timedelta(hours=1))
    for message_id in (first, second):
        message = messages.get(conn, message_id)
        assert message.answered_at == NOW + timedelta(hours=1)
        assert message.read_at is not None
    times = messages.reply_times(conn, patient.id)
    assert (times.last_minutes, times.median_minutes, times.replies) == (60, 60, 1)
    assert times.unanswered_since is None


def test_reply_times_median_and_the_open_message(conn):
    member = _therapist(conn)
    patient = _patient(conn, member)
    for wait_minutes, start in ((30, 0), (90, 1), (600, 2)):
        asked = NOW + timedelta(days=start)
        messages.add_from_patient(conn, patient.id, "fråga", asked)
        _reply(conn, patient, member, asked + timedelta(minutes=wait_minutes))
    open_since = NOW + timedelta(days=5)
    messages.add_from_patient(conn, patient.id, "obesvarad", open_since)
    times = messages.reply_times(conn, patient.id)
    assert (times.last_minutes, times.median_minutes, times.replies) == (600, 90, 3)
    assert times.unanswered_since == open_since


def test_feedback_is_not_a_reply_and_a_message_without_a_question_is_none(conn):
    member = _therapist(conn)
    patient = _patient(conn, member)
    _reply(conn, patient, member, NOW)  # the therapist writes first: nothing to time
    messages.add_from_patient(conn, patient.id, "fråga", NOW + timedelta(minutes=1))
    _reply(conn, patient, member, NOW + timedelta(minutes=2), kind="feedback", module=1)
    times = messages.reply_times(conn, patient.id)
    assert (times.last_minutes, times.replies) == (None, 0)
    assert times.unanswered_since == NOW + timedelta(minutes=1)


def test_feedback_waits_for_the_module_after_it(conn):
    member = _therapist(conn)
    patient = _patient(conn, member)
    waiting = _reply(conn, patient, member, NOW, kind="feedback", module=2, delivered=False)
    assert messages.waiting_feedback(conn, patient.id, before=2) == []
    assert [m.id for m in messages.waiting_feedback(conn, patient.id, before=3)] == [waiting]
    messages.mark_delivered(conn, waiting, NOW)
    assert messages.waiting_feedback(conn, patient.id, before=3) == []
    assert messages.get(conn, waiting).delivered_at == NOW


def test_history_is_the_latest_oldest_first(conn):
    member = _therapist(conn)
    patient = _patient(conn, member)
    for minute in range(12):
        messages.add_from_patient(conn, patient.id, f"m{minute}", NOW + timedelta(minutes=minute))
    listed = messages.of_patient(conn, patient.id, limit=10)
    assert [m.text for m in listed] == [f"m{minute}" for minute in range(2, 12)]


def test_notes_latest_oldest_first(conn):
    member = _therapist(conn)
    patient = _patient(conn, member)
    for minute in range(3):
        notes.add(conn, patient.id, f"n{minute}", NOW + timedelta(minutes=minute))
    assert [n.text for n in notes.of_patient(conn, patient.id, limit=2)] == ["n1", "n2"]


def test_mode_goes_from_invite_to_enrollment(conn):
    member = _therapist(conn)
    invite = invites.create(
        conn,
        unit_id=member.unit_id,
        therapist_id=member.id,
        program="depression",
        label="S1",
        now=NOW,
        valid_for=timedelta(days=14),
        mode="self-help",
    )
    assert invites.by_code(conn, invite.code).mode == "self-help"
    patient = patients.create(
        conn,
        unit_id=member.unit_id,
        therapist_id=member.id,
        label="S1",
        telegram_user_id=7,
        chat_id=7,
        language="sv",
        now=NOW,
    )
    enrollment = patients.enroll(conn, patient.id, "depression", NOW, mode=invite.mode)
    assert enrollment.mode == "self-help"
    guided = _patient(conn, member, "P2", 8)
    assert patients.active_enrollment(conn, guided.id).mode == "guided"
