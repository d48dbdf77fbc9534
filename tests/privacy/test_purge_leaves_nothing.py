"""A purge leaves nothing of what it removed in the database's files.

A patient writes a marker text into everything that keeps words (diary, exercise answers,
activities, plans, messages either way, notes, a flag's free text and comment, an end
comment, the welcome text, a dialogue state, an outbox row with its ledger), the treatment is
ended through bot/care/lifecycle.py and purged by the purge job's own pass
(bot/care/purge.py run_batch + storage/scrub.py). Then every byte of the database file, its
-wal and its -shm is read: the marker, the label and the chat id are nowhere. The same read
before the purge finds them, so the test can fail.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.care import purge
from bot.care.lifecycle import end_treatment
from bot.render.calls import reply_call
from dialogues.types import Reply
from storage import (
    activities,
    answers,
    audit,
    diary,
    flags,
    journal,
    lifecycle,
    messages,
    notes,
    outbox,
    patients,
    purge_ledger,
    schedules,
    scrub,
    statistics,
)
from storage import purge as erasing
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.dialogue_state import DialogueState
from storage.dialogue_state import save as save_state
from storage.timefmt import to_db
from tests.harness.databases import table_names
from tests.harness.records import migrated_database, therapists_patient

MARKER = "MARKÖR-7f3a"
LABEL = "Zq-label-91"
CHAT = 987654321
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _bytes_of(db_path: Path) -> bytes:
    found = b""
    for suffix in ("", "-wal", "-shm"):
        file = Path(f"{db_path}{suffix}")
        if file.exists():
            found += file.read_bytes()
    return found


def _occurs(db_path: Path, text: str) -> bool:
    data = _bytes_of(db_path)
    needles = {text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")}
    needles.add(json.dumps(text)[1:-1].encode("ascii"))  # in JSON columns: "MARK\u00d6R"
    return any(needle in data for needle in needles)


def _fill(conn: sqlite3.Connection) -> tuple[patients.Patient, patients.Enrollment]:
    patient = therapists_patient(conn, NOW, user_id=CHAT, label=LABEL)
    enrollment = patients.enroll(conn, patient.id, "depression", NOW)
    text = f"Jag skrev {MARKER} här"
    long_text = (f"{MARKER} " * 900).strip()  # past one page: an overflow chain
    diary.save_activity(conn, patient.id, date(2026, 3, 1), "morning", text, NOW)
    answers.save(conn, enrollment.id, "module-1/goals", text, NOW)
    answers.save(conn, enrollment.id, "module-1/long", long_text, NOW)
    activities.add(conn, patient.id, text, "vill", NOW)
    messages.add_from_patient(conn, patient.id, text, NOW)
    messages.add_to_patient(
        conn,
        patient_id=patient.id,
        staff_id=patient.therapist_id,
        kind="message",
        text=text,
        now=NOW,
    )
    notes.add(conn, patient.id, text, NOW)
    schedule_id = schedules.create(
        conn,
        patient_id=patient.id,
        kind="custom",
        known_kinds=("custom",),
        times=(time(19, 0),),
        start_date=date(2026, 3, 2),
        now=NOW,
        custom_text=text,
    )
    assert schedule_id
    flag_id = flags.create(
        conn,
        patient_id=patient.id,
        unit_id=patient.unit_id,
        severity="red",
        next_check_at=None,
        now=NOW,
    )
    flags.add_trigger(conn, flag_id, "crisis_terms", {"term": MARKER.lower()}, text, NOW)
    flags.handle(conn, flag_id, patient.therapist_id, text, NOW)
    conn.execute(
        "UPDATE enrollments SET welcome_text = ? WHERE id = ?", (f"Hej {MARKER}", enrollment.id)
    )
    save_state(conn, CHAT, DialogueState("diary", {"draft": text}), NOW)
    sent = outbox.enqueue(conn, reply_call(Reply(text), CHAT, 0), NOW)
    outbox.mark_sent(conn, outbox.next_due(conn, NOW, set()), 4711, NOW)
    assert sent
    conn.execute(
        "INSERT INTO inbox (update_id, payload_json, received_at, processed_at, chat_id)"
        " VALUES (1, NULL, ?, ?, ?)",
        (to_db(NOW), to_db(NOW), CHAT),
    )
    conn.execute("INSERT INTO send_budget (chat_id, started) VALUES (?, 0)", (CHAT,))
    audit.record(conn, staff_id=patient.therapist_id, action="invite_created", now=NOW, label=LABEL)
    audit.record(
        conn,
        staff_id=patient.therapist_id,
        action="note_read",
        now=NOW,
        patient_id=patient.id,
        text=text,
        module=1,
    )
    return patient, enrollment


def _sqlite_file(db_path: Path) -> sqlite3.Connection:
    """The database as a SQLite file in both test passes, for a test about the bytes in its
    files."""
    conn = connect_sync(db_path)
    migrate_sync(conn)
    return conn


def _end_and_purge(
    conn: sqlite3.Connection, ledger: Path, *, file: Path | None = None, journal_done: bool = True
) -> None:
    """Filled, ended and purged, then scrubbed. `file`: the SQLite file, whose bytes must
    hold the marker before the purge (so that a test reading them can fail)."""
    patient, enrollment = run_in_transaction(conn, _fill)
    ended_at = NOW + timedelta(days=1)
    run_in_transaction(
        conn,
        lambda c: end_treatment(
            c,
            patient,
            enrollment,
            "other",
            ended_at,
            staff_id=patient.therapist_id,
            comment=f"Slut {MARKER}",
        ),
    )
    if journal_done:
        run_in_transaction(
            conn,
            lambda c: journal.record(c, patient.id, NOW, ended_at, patient.therapist_id, ended_at),
        )
    if file is not None:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # the marker is in the file, too
        assert _occurs(file, MARKER)
    later = ended_at + timedelta(days=91)
    purged = run_in_transaction(conn, lambda c: purge.run_batch(c, later, ledger_file=ledger))
    assert purged == 1
    assert scrub.scrub(conn)


def test_the_marker_is_nowhere_in_the_files_after_the_purge(tmp_path):
    db_path = tmp_path / "bot.sqlite3"
    conn = _sqlite_file(db_path)
    _end_and_purge(conn, purge_ledger.file_beside(db_path), file=db_path)
    conn.close()
    for needle in (MARKER, LABEL, str(CHAT), MARKER.lower()):
        assert not _occurs(db_path, needle), needle


def test_what_is_kept_is_ids_dates_codes_and_statistics(tmp_path):
    db_path = tmp_path / "bot.sqlite3"
    conn = migrated_database(db_path)
    _end_and_purge(conn, purge_ledger.file_beside(db_path))
    row = conn.execute("SELECT * FROM patients").fetchone()
    assert (row["label"], row["telegram_user_id"], row["chat_id"]) == (None, None, None)
    assert row["purged_at"] is not None
    changes = [event.change for event in lifecycle.history(conn, row["id"])]
    assert changes == ["ended", "purged"]
    purged_audit = conn.execute(
        "SELECT staff_id, patient_id FROM audit_log WHERE action = 'purged'"
    ).fetchall()
    assert [tuple(r) for r in purged_audit] == [(None, row["id"])]
    details = [json.loads(r[0]) for r in conn.execute("SELECT details_json FROM audit_log")]
    assert {"module": 1} in details  # the id survives, the text and the label do not
    assert all("label" not in d and "text" not in d for d in details)
    stats = statistics.of_unit(conn, row["unit_id"])
    measures = {(s.measure, s.count) for s in stats}
    assert ("diary_entries", 1) in measures and ("messages_from_patient", 1) in measures
    assert ("ended:other", 1) in measures
    assert [entry.patient_id for entry in purge_ledger.read(purge_ledger.file_beside(db_path))] == [
        row["id"]
    ]
    for table in erasing.ERASED:
        if table in (
            "patients",
            "enrollments",
            "audit_log",
            "flags",
            "flag_triggers",
            "flag_events",
            "invites",
            "outbox",
            "send_ledger",
            "inbox",
        ):
            continue  # kept rows without text (checked by the byte search)
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table


def test_every_table_is_either_erased_or_kept_on_purpose(tmp_path):
    conn = migrated_database(tmp_path / "bot.sqlite3")
    assert table_names(conn) == set(erasing.ERASED) | set(erasing.KEPT_AS_IS)


def test_a_purge_waits_for_the_journal_and_reminds_then_purges_after_30_days(tmp_path):
    conn = migrated_database(tmp_path / "bot.sqlite3")
    patient, enrollment = run_in_transaction(conn, _fill)
    ended_at = NOW + timedelta(days=1)
    run_in_transaction(conn, lambda c: end_treatment(c, patient, enrollment, "completed", ended_at))
    ledger = tmp_path / "ledger"

    def run(at):
        return run_in_transaction(conn, lambda c: purge.run_batch(c, at, ledger_file=ledger))

    assert run(ended_at + timedelta(days=89)) == 0  # not due
    assert [p.action for p in purge.plan(conn, ended_at + timedelta(days=89))] == [purge.NOT_DUE]
    due = ended_at + timedelta(days=90)
    assert run(due) == 0
    assert [p.action for p in purge.plan(conn, due)] == [purge.WAITING_FOR_JOURNAL]
    reminders = "SELECT COUNT(*) FROM outbox WHERE chat_id = 100 AND status = 'pending'"
    assert conn.execute(reminders).fetchone()[0] == 1  # Anna is told
    assert run(due + timedelta(days=3)) == 0
    assert conn.execute(reminders).fetchone()[0] == 1  # not again within the week
    assert run(due + timedelta(days=7)) == 0
    assert conn.execute(reminders).fetchone()[0] == 2
    assert run(due + timedelta(days=30)) == 1  # purged anyway, and Anna is told
    assert conn.execute(reminders).fetchone()[0] >= 3
    assert purge_ledger.read(ledger)[0].journal_recorded is False


def test_an_open_flag_holds_the_purge(tmp_path):
    conn = migrated_database(tmp_path / "bot.sqlite3")
    patient, enrollment = run_in_transaction(conn, _fill)
    run_in_transaction(
        conn,
        lambda c: flags.create(
            c,
            patient_id=patient.id,
            unit_id=patient.unit_id,
            severity="amber",
            next_check_at=None,
            now=NOW,
        ),
    )
    run_in_transaction(conn, lambda c: end_treatment(c, patient, enrollment, "completed", NOW))
    far = NOW + timedelta(days=400)
    assert run_in_transaction(conn, lambda c: purge.run_batch(c, far, ledger_file=None)) == 0
    assert [p.action for p in purge.plan(conn, far)] == [purge.WAITING_FOR_FLAG]


def test_two_years_without_activity_ends_the_treatment_and_then_purges_it(tmp_path):
    conn = migrated_database(tmp_path / "bot.sqlite3")
    patient, _ = run_in_transaction(conn, _fill)
    conn.execute("UPDATE patients SET last_active_at = ? WHERE id = ?", (to_db(NOW), patient.id))
    almost = NOW + purge.INACTIVE_AFTER - timedelta(days=1)
    run_in_transaction(conn, lambda c: purge.run_batch(c, almost, ledger_file=None))
    assert patients.active_enrollment(conn, patient.id) is not None
    ended_at = NOW + purge.INACTIVE_AFTER
    run_in_transaction(conn, lambda c: purge.run_batch(c, ended_at, ledger_file=None))
    ended = patients.latest_enrollment(conn, patient.id)
    assert (ended.status, ended.end_reason) == ("ended", lifecycle.INACTIVE)
    limit = NOW + purge.RETENTION
    assert run_in_transaction(conn, lambda c: purge.run_batch(c, limit, ledger_file=None)) == 1


def test_a_restore_purges_again_only_the_same_patient(tmp_path):
    """The ledger names a patient by id and creation time: a later patient who got the same
    id (ids are handed out again after a restore) is left alone."""
    from bot.cli.backup import replay

    conn = migrated_database(tmp_path / "bot.sqlite3")
    patient, _ = run_in_transaction(conn, _fill)
    entry = purge_ledger.Entry(
        patient_id=patient.id,
        unit_id=patient.unit_id,
        created_at=NOW - timedelta(days=1),  # someone else who once had this id
        ended_at=NOW,
        end_reason="completed",
        purged_at=NOW,
        journal_recorded=True,
    )
    assert run_in_transaction(conn, lambda c: replay(c, [entry])) == 0
    assert patients.get(conn, patient.id).label == LABEL
    same = purge_ledger.Entry(**{**entry.__dict__, "created_at": NOW})
    assert run_in_transaction(conn, lambda c: replay(c, [same])) == 1
    assert patients.get(conn, patient.id).label is None
    ended = patients.latest_enrollment(conn, patient.id)
    assert (ended.status, ended.end_reason) == ("ended", "completed")


async def test_the_job_scrubs_after_a_purge_it_did_not_do_itself(tmp_path):
    """`python -m bot purge` beside the running bot (its scrub kept from finishing by the
    bot's readers), a restart, or a restore: the bot's job sees purges it has not scrubbed
    after (the purge ledger) and scrubs at its next run, though it purges no one itself."""
    from bot.clock import FixedClock
    from storage.database import Database

    db_path = tmp_path / "bot.sqlite3"
    conn = _sqlite_file(db_path)  # about the bytes in SQLite's log: on SQLite in both passes
    database = await Database.open(db_path)  # the running bot's connection
    patient, enrollment = run_in_transaction(conn, _fill)
    ended_at = NOW + timedelta(days=1)
    run_in_transaction(conn, lambda c: end_treatment(c, patient, enrollment, "completed", ended_at))
    run_in_transaction(
        conn, lambda c: journal.record(c, patient.id, NOW, ended_at, patient.therapist_id, ended_at)
    )
    later = ended_at + timedelta(days=91)
    ledger = purge_ledger.file_beside(db_path)
    assert run_in_transaction(conn, lambda c: purge.run_batch(c, later, ledger_file=ledger)) == 1
    conn.close()  # the command line's purge, without its scrub
    assert _occurs(db_path, MARKER)  # the log still holds the old pages

    job = purge.PurgeJob(database, FixedClock(later), ledger, wake_sender=lambda: None)
    await job.run()
    try:
        assert not _occurs(db_path, MARKER)  # while the bot still runs
    finally:
        await database.close()


def test_an_ending_by_the_bot_itself_waits_for_the_journal_too(tmp_path):
    """Everything the therapist journaled happened before maintenance; the maintenance ran
    out and the bot ended the treatment: that ending belongs in the record, so the purge
    waits for a note covering it."""
    conn = migrated_database(tmp_path / "bot.sqlite3")
    patient, enrollment = run_in_transaction(conn, _fill)
    later = NOW + timedelta(days=5)
    run_in_transaction(
        conn, lambda c: journal.record(c, patient.id, NOW, later, patient.therapist_id, later)
    )
    ended_at = NOW + timedelta(days=20)
    run_in_transaction(
        conn,
        lambda c: end_treatment(c, patient, enrollment, lifecycle.MAINTENANCE_OVER, ended_at),
    )
    due = ended_at + timedelta(days=90)
    assert [p.action for p in purge.plan(conn, due)] == [purge.WAITING_FOR_JOURNAL]
