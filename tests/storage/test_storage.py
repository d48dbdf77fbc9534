"""Storage: migrations, the inbox, the outbox and its crash policy, answers, staff, invites."""

from datetime import UTC, datetime, timedelta

import pytest

from storage import answers, idle, inbox, invites, outbox, patients, staff, units
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.outbox import LANE_REMINDER, LANE_REPLY, LANE_SAFETY, OutgoingCall
from tests.harness.databases import database_for

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path):
    connection = connect_sync(database_for(tmp_path, "t.sqlite3"))
    migrate_sync(connection)
    return connection


def test_migrations_set_user_version_and_are_idempotent(tmp_path):
    # SQLite's own PRAGMAs, so a SQLite file in both passes.
    conn = connect_sync(tmp_path / "t.sqlite3")
    migrate_sync(conn)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert version >= 1
    migrate_sync(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_transaction_rolls_back_everything_on_error(conn):
    def work(c):
        units.get_or_create(c, "A", NOW)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_in_transaction(conn, work)
    assert conn.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 0


def test_inbox_ignores_repeats_and_erases_payload_once_handled(conn):
    assert inbox.add(conn, [{"update_id": 5, "message": {"text": "secret"}}], NOW) == 1
    assert inbox.add(conn, [{"update_id": 5, "message": {"text": "secret"}}], NOW) == 0
    assert idle.pending_work(conn, NOW) == 1
    assert inbox.claim(conn, 5, NOW) is True
    assert inbox.claim(conn, 5, NOW) is False
    payload = conn.execute("SELECT payload_json FROM inbox WHERE update_id = 5").fetchone()[0]
    assert payload is None
    assert idle.pending_work(conn, NOW) == 0


def _call(chat, lane=LANE_REPLY, **extra):
    return OutgoingCall(
        chat_id=chat, method="sendMessage", params={"text": "x"}, lane=lane, **extra
    )


def test_outbox_takes_safety_first_and_keeps_each_chats_order(conn):
    first = outbox.enqueue(conn, _call(1, LANE_REMINDER), NOW)
    outbox.enqueue(conn, _call(1, LANE_SAFETY), NOW)  # same chat: must wait for `first`
    alert = outbox.enqueue(conn, _call(2, LANE_SAFETY), NOW)
    assert outbox.next_due(conn, NOW, set()).id == alert
    assert outbox.next_due(conn, NOW, {2}).id == first


def test_outbox_dedupe_key_queues_once(conn):
    assert outbox.enqueue(conn, _call(1, dedupe_key="reminder:1:2026-12-01"), NOW) is not None
    assert outbox.enqueue(conn, _call(1, dedupe_key="reminder:1:2026-12-01"), NOW) is None


def test_crash_while_sending_repeats_safety_and_not_the_rest(conn):
    reminder = outbox.enqueue(conn, _call(1, LANE_REMINDER), NOW)
    alert = outbox.enqueue(conn, _call(2, LANE_SAFETY, repeat_if_unsure=True), NOW)
    outbox.mark_sending(conn, reminder)
    outbox.mark_sending(conn, alert)
    assert outbox.recover_after_crash(conn, NOW) == (1, 1)
    status = dict(conn.execute("SELECT id, status FROM outbox").fetchall())
    assert status == {reminder: "sent", alert: "pending"}
    outcome = conn.execute("SELECT outcome FROM send_ledger WHERE outbox_id = ?", (reminder,))
    assert outcome.fetchone()[0] == "unsure-after-crash"


def test_sent_row_of_forgotten_recipient_keeps_no_chat_or_text(conn):
    row_id = outbox.enqueue(conn, _call(7, forget_recipient=True), NOW)
    row = outbox.next_due(conn, NOW, set())
    assert row.id == row_id
    outbox.mark_sent(conn, row, 42, NOW)
    stored = conn.execute("SELECT chat_id, payload_json FROM outbox").fetchone()
    assert tuple(stored) == (None, None)
    assert conn.execute("SELECT chat_id FROM send_ledger").fetchone()[0] is None


def test_next_due_at_finds_future_messages_only_in_range(conn):
    outbox.enqueue(conn, _call(1), NOW)
    later = NOW + timedelta(hours=2)
    conn.execute("UPDATE outbox SET not_before = ?", (later.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),))
    assert idle.pending_work(conn, NOW) == 0
    assert idle.next_due_at(conn, NOW, NOW + timedelta(hours=1)) is None
    assert idle.next_due_at(conn, NOW, NOW + timedelta(hours=3)) == later


def test_staff_bind_code_works_once(conn):
    code = staff.add_staff_role(
        conn, name="Anna", role="therapist", unit_name="V", telegram_user_id=None, now=NOW
    )
    assert staff.bind(conn, code, 100, NOW).roles == frozenset({"therapist"})
    assert staff.bind(conn, code, 101, NOW) is None
    again = staff.add_staff_role(
        conn, name="Anna", role="admin", unit_name="V", telegram_user_id=100, now=NOW
    )
    assert again is None
    assert staff.by_telegram_user(conn, 100).roles == frozenset({"therapist", "admin"})


def test_staff_bind_code_expires(conn):
    code = staff.add_staff_role(
        conn, name="Bo", role="admin", unit_name="V", telegram_user_id=None, now=NOW
    )
    assert staff.bind(conn, code, 100, NOW + timedelta(days=15)) is None


def _therapist(conn):
    code = staff.add_staff_role(
        conn, name="Anna", role="therapist", unit_name="V", telegram_user_id=None, now=NOW
    )
    return staff.bind(conn, code, 100, NOW)


def _patient(conn, member, label="P1"):
    return patients.create(
        conn,
        unit_id=member.unit_id,
        therapist_id=member.id,
        label=label,
        telegram_user_id=5,
        chat_id=5,
        language="sv",
        now=NOW,
    )


def test_label_in_use_by_open_invite_or_patient(conn):
    member = _therapist(conn)
    invite = invites.create(
        conn,
        unit_id=member.unit_id,
        therapist_id=member.id,
        program="depression",
        label="P1",
        now=NOW,
        valid_for=timedelta(days=14),
    )
    assert invites.label_in_use(conn, member.unit_id, "P1", NOW)
    assert not invites.label_in_use(conn, member.unit_id, "P1", NOW + timedelta(days=15))
    invites.mark(conn, invite.id, "declined", NOW)
    assert not invites.label_in_use(conn, member.unit_id, "P1", NOW)
    _patient(conn, member)
    assert invites.label_in_use(conn, member.unit_id, "P1", NOW)


def test_answers_keep_latest_and_count_versions(conn):
    member = _therapist(conn)
    patient = _patient(conn, member)
    enrollment = patients.enroll(conn, patient.id, "depression", NOW)
    answers.save(conn, enrollment.id, "module-1/goals", "first", NOW)
    answers.save(conn, enrollment.id, "module-1/goals", "second", NOW)
    answers.save(conn, enrollment.id, "module-10/goals", "other module", NOW)
    assert answers.for_prefix(conn, enrollment.id, "module-1/") == {"module-1/goals": "second"}
    version = conn.execute("SELECT version FROM answers WHERE item_key = 'module-1/goals'")
    assert version.fetchone()[0] == 2
