"""Data at rest: closed outbox rows keep no payload, a decline erases its chat, migration 0013
cleans what was stored before, and the database is the owner's only."""

import json
import os
import stat
from datetime import UTC, datetime

import pytest

from storage import dialogue_state, forget, outbox
from storage.database import Database, _migrations, connect_sync, migrate_sync
from storage.dialogue_state import DialogueState
from storage.outbox import OutgoingCall
from tests.harness.databases import database_for

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
TEXT = "Hej, jag heter Kalle"


@pytest.fixture
def conn(tmp_path):
    connection = connect_sync(database_for(tmp_path, "t.sqlite3"))
    migrate_sync(connection)
    return connection


def _queue(conn, chat_id, text=TEXT, **fields):
    return outbox.enqueue(conn, OutgoingCall(chat_id, "sendMessage", {"text": text}, **fields), NOW)


def _row(conn, outbox_id):
    return conn.execute("SELECT * FROM outbox WHERE id = ?", (outbox_id,)).fetchone()


def _ledger(conn, outbox_id):
    return conn.execute(
        "SELECT chat_id, message_id, outcome FROM send_ledger WHERE outbox_id = ?", (outbox_id,)
    ).fetchall()


def _due(conn, outbox_id):
    row = outbox.next_due(conn, NOW, set())
    assert row.id == outbox_id
    return row


def test_a_sent_row_loses_its_payload_and_keeps_its_chat_and_ledger(conn):
    row_id = _queue(conn, 7)
    outbox.mark_sent(conn, _due(conn, row_id), 42, NOW)
    stored = _row(conn, row_id)
    assert (stored["status"], stored["chat_id"], stored["payload_json"]) == ("sent", 7, None)
    assert [tuple(r) for r in _ledger(conn, row_id)] == [(7, 42, "sent")]
    assert outbox.sent_message_id(conn, row_id) == 42  # a flag alert is still edited by it


def test_a_row_given_up_loses_its_payload(conn):
    row_id = _queue(conn, 7)
    outbox.mark_failed(conn, _due(conn, row_id), "bad_request", NOW)
    stored = _row(conn, row_id)
    assert (stored["status"], stored["payload_json"], stored["last_error"]) == (
        "failed",
        None,
        "bad_request",
    )


def test_a_row_left_sending_by_a_crash_is_closed_without_its_payload(conn):
    row_id = _queue(conn, 7)
    outbox.mark_sending(conn, row_id)
    outbox.recover_after_crash(conn, NOW)
    assert _row(conn, row_id)["payload_json"] is None


def test_open_rows_keep_their_payload(conn):
    row_id = _queue(conn, 7)
    outbox.retry_later(conn, row_id, NOW, "network")
    assert json.loads(_row(conn, row_id)["payload_json"]) == {"text": TEXT}


def test_forgetting_a_chat_erases_it_and_leaves_other_chats_alone(conn):
    offer = _queue(conn, 7)
    outbox.mark_sent(conn, _due(conn, offer), 3, NOW)
    waiting = _queue(conn, 7, "still to go")
    other = _queue(conn, 8)
    dialogue_state.save(conn, 7, DialogueState("language", {"awaiting": True}), NOW)
    dialogue_state.save(conn, 8, DialogueState("diary", {}), NOW)

    forget.forget_private_chat(conn, 7)

    sent = _row(conn, offer)
    assert (sent["chat_id"], sent["payload_json"]) == (None, None)
    assert [tuple(r) for r in _ledger(conn, offer)] == [(None, None, "sent")]
    assert conn.execute("SELECT COUNT(*) FROM dialogue_state WHERE chat_id = 7").fetchone()[0] == 0
    # a row still to go is sent as queued, then erased like the decline's reply
    assert _row(conn, waiting)["forget_recipient"] == 1
    outbox.mark_sent(conn, _due(conn, waiting), 4, NOW)
    assert (_row(conn, waiting)["chat_id"], _row(conn, waiting)["payload_json"]) == (None, None)
    assert [tuple(r) for r in _ledger(conn, waiting)] == [(None, None, "sent")]
    # another chat keeps everything
    assert _row(conn, other)["chat_id"] == 8 and _row(conn, other)["forget_recipient"] == 0
    assert dialogue_state.load(conn, 8).dialogue == "diary"


def test_a_decline_while_the_row_is_being_sent_still_erases_it(conn):
    row_id = _queue(conn, 7)
    row = _due(conn, row_id)  # the sender's copy: forget_recipient not set
    outbox.mark_sending(conn, row_id)
    forget.forget_private_chat(conn, 7)  # the decline commits meanwhile
    outbox.mark_sent(conn, row, 5, NOW)
    assert (_row(conn, row_id)["chat_id"], _row(conn, row_id)["payload_json"]) == (None, None)
    assert [tuple(r) for r in _ledger(conn, row_id)] == [(None, None, "sent")]


# ---- migration 0013: what was stored before --------------------------------------------


def _migrate_to(conn, version):
    for number, sql in _migrations():
        if number <= version:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={number};\nCOMMIT;")


def test_migration_0013_erases_old_declines_and_sent_payloads(tmp_path):
    conn = connect_sync(tmp_path / "old.sqlite3")
    _migrate_to(conn, 12)
    conn.execute("INSERT INTO units (id, name, created_at) VALUES (1, 'U', 'x')")
    conn.execute("INSERT INTO staff (id, unit_id, name, created_at) VALUES (1, 1, 'Anna', 'x')")
    for code, status in (("DECLINEDCODE", "declined"), ("LATERPATIENT", "declined")):
        conn.execute(
            "INSERT INTO invites (code, unit_id, therapist_id, program, label, status,"
            " created_at, expires_at) VALUES (?, 1, 1, 'depression', ?, ?, 'x', 'x')",
            (code, code, status),
        )
    conn.execute(
        "INSERT INTO patients (unit_id, therapist_id, label, telegram_user_id, chat_id,"
        " consented_at, created_at) VALUES (1, 1, 'P', 88, 88, 'x', 'x')"
    )

    def offer(chat_id, code):
        markup = json.dumps({"inline_keyboard": [[{"callback_data": f"-|consent:no:{code}"}]]})
        row_id = outbox.enqueue(
            conn,
            OutgoingCall(chat_id, "sendMessage", {"text": "Välkommen", "reply_markup": markup}),
            NOW,
        )
        # sent the old way (before 0024's claimed_by): the payload stayed
        conn.execute("UPDATE outbox SET status = 'sending' WHERE id = ?", (row_id,))
        conn.execute("UPDATE outbox SET status = 'sent' WHERE id = ?", (row_id,))
        conn.execute(
            "INSERT INTO send_ledger (outbox_id, chat_id, message_id, method, outcome,"
            " created_at) VALUES (?, ?, 9, 'sendMessage', 'sent', 'x')",
            (row_id, chat_id),
        )
        return row_id

    declined = offer(77, "DECLINEDCODE")
    became_patient = offer(88, "LATERPATIENT")
    pending = _queue(conn, 88, "not yet sent")
    dialogue_state.save(conn, 77, DialogueState("x", {}), NOW)

    migrate_sync(conn)

    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 13
    erased = _row(conn, declined)
    assert (erased["chat_id"], erased["payload_json"], erased["forget_recipient"]) == (
        None,
        None,
        1,
    )
    assert [tuple(r) for r in _ledger(conn, declined)] == [(None, None, "sent")]
    assert conn.execute("SELECT COUNT(*) FROM dialogue_state WHERE chat_id = 77").fetchone()[0] == 0
    # the one who agreed later keeps their chat; every sent payload is gone, open ones stay
    assert _row(conn, became_patient)["chat_id"] == 88
    assert _row(conn, became_patient)["payload_json"] is None
    assert [tuple(r) for r in _ledger(conn, became_patient)] == [(88, 9, "sent")]
    assert json.loads(_row(conn, pending)["payload_json"]) == {"text": "not yet sent"}


# ---- file modes --------------------------------------------------------------------------


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    old = os.umask(0o022)  # the usual umask: world-readable files unless we say otherwise
    yield
    os.umask(old)


def _write_something(conn):
    conn.execute("INSERT INTO units (name, created_at) VALUES ('U', 'x')")


def test_the_database_and_the_folders_we_create_are_the_owners_only(tmp_path, usual_umask):
    existing = tmp_path / "srv"
    existing.mkdir(mode=0o755)
    path = existing / "new" / "nested" / "bot.sqlite3"
    conn = connect_sync(path)
    migrate_sync(conn)
    _write_something(conn)
    assert _mode(existing / "new") == 0o700
    assert _mode(existing / "new" / "nested") == 0o700
    assert _mode(existing) == 0o755  # a folder that was there is left as it was
    assert _mode(path) == 0o600
    for suffix in ("-wal", "-shm"):
        assert _mode(f"{path}{suffix}") == 0o600, suffix
    conn.close()


async def test_the_bots_connection_creates_owner_only_files(tmp_path, usual_umask):
    path = tmp_path / "data" / "ikbt.sqlite3"
    database = await Database.open(path)
    await database.transaction(_write_something)
    assert _mode(tmp_path / "data") == 0o700
    for file in (path, f"{path}-wal", f"{path}-shm"):
        assert _mode(file) == 0o600, file
    await database.close()


def test_an_existing_world_readable_database_is_narrowed(tmp_path, usual_umask):
    path = tmp_path / "old.sqlite3"
    connect_sync(path).close()
    os.chmod(path, 0o644)
    connect_sync(path).close()
    assert _mode(path) == 0o600
