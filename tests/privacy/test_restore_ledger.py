"""A restore never brings purged data back silently, also when the purge ledger file beside
the database is missing or an old copy.

The database records its purges in its own `purge_ledger` table too. A restore compares:
every purge that the database being replaced or the backup itself records must be in the
ledger file, or the file is not the current one, and the restore stops with an error before
it overwrites anything (`--without-ledger` accepts the loss on purpose).
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from bot.care import purge
from bot.care.lifecycle import end_treatment
from bot.cli.backup import LedgerIncomplete, backup, restore
from storage import journal, patients, purge_ledger
from storage.database import connect_sync, migrate_sync, run_in_transaction
from tests.harness.records import therapists_patient
from tests.privacy.test_purge_leaves_nothing import NOW

LABEL = "Rs-label-42"


def _purge(db_path, patient_id: int) -> None:
    conn = connect_sync(db_path)

    def work(c):
        patient = patients.get(c, patient_id)
        enrollment = patients.latest_enrollment(c, patient_id)
        end_treatment(c, patient, enrollment, "completed", NOW)
        journal.record(c, patient_id, NOW, NOW, patient.therapist_id, NOW)
        later = NOW + timedelta(days=91)
        ledger = purge_ledger.file_beside(db_path)
        assert purge.run_batch(c, later, ledger_file=ledger) == 1

    run_in_transaction(conn, work)
    conn.close()


def _enrolled(db_path, user_id: int, label: str) -> int:
    # Backups and restores copy SQLite's files: on SQLite in both test passes.
    conn = connect_sync(db_path)
    migrate_sync(conn)

    def work(c):
        patient = therapists_patient(c, NOW, user_id=user_id, label=label)
        patients.enroll(c, patient.id, "depression", NOW)
        return patient.id

    patient_id = run_in_transaction(conn, work)
    conn.close()
    return patient_id


def _label(db_path, patient_id: int) -> str | None:
    conn = connect_sync(db_path)
    try:
        return conn.execute("SELECT label FROM patients WHERE id = ?", (patient_id,)).fetchone()[0]
    finally:
        conn.close()


def test_a_missing_ledger_file_stops_the_restore_before_it_overwrites(tmp_path):
    db_path = tmp_path / "bot.sqlite3"
    patient_id = _enrolled(db_path, 4711, LABEL)
    backup_file = tmp_path / "backup.sqlite3"
    backup(db_path, backup_file)
    _purge(db_path, patient_id)
    purge_ledger.file_beside(db_path).unlink()  # lost, or never copied to the new server

    with pytest.raises(LedgerIncomplete):
        restore(backup_file, db_path)
    assert _label(db_path, patient_id) is None  # nothing was overwritten

    assert restore(backup_file, db_path, without_ledger=True) == 0  # on purpose
    assert _label(db_path, patient_id) == LABEL


def test_an_old_copy_of_the_ledger_file_stops_the_restore(tmp_path):
    """The database is lost with its folder; the ledger file came back from an old copy that
    lacks a purge the backup itself records: later purges are likely missing too."""
    db_path = tmp_path / "bot.sqlite3"
    first = _enrolled(db_path, 4711, LABEL)
    _enrolled(db_path, 4712, "Rs-other-43")
    ledger = purge_ledger.file_beside(db_path)
    _purge(db_path, first)
    old_copy = tmp_path / "ledger-old"
    ledger.rename(old_copy)
    old_copy.write_text("")  # a copy from before the first purge
    backup_file = tmp_path / "backup.sqlite3"
    backup(db_path, backup_file)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"bot.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copy(old_copy, ledger)

    with pytest.raises(LedgerIncomplete):
        restore(backup_file, db_path)


def test_a_complete_ledger_file_restores_and_purges_again(tmp_path):
    db_path = tmp_path / "bot.sqlite3"
    patient_id = _enrolled(db_path, 4711, LABEL)
    backup_file = tmp_path / "backup.sqlite3"
    backup(db_path, backup_file)
    _purge(db_path, patient_id)
    assert restore(backup_file, db_path) == 1
    assert _label(db_path, patient_id) is None


def test_purge_replays_the_ledger_after_a_restore_by_other_tools(tmp_path, monkeypatch):
    """PostgreSQL is restored with pg_restore, not `python -m bot restore`: `python -m bot
    purge --replay-ledger` then purges again what the ledger file names. Here the "restored
    dump" is a second database holding the same patient as the first held before its purge
    (on PostgreSQL in the second test pass)."""
    from bot.cli.main import main as cli_main
    from tests.harness.databases import database_for

    purged_target = database_for(tmp_path, "a.sqlite3")
    restored_target = database_for(tmp_path, "b.sqlite3")
    ledger = tmp_path / "ledger.purges"
    ids = []
    for target in (purged_target, restored_target):
        conn = connect_sync(target)
        migrate_sync(conn)
        ids.append(run_in_transaction(conn, lambda c: _enrol(c, user_id=7, label=LABEL)))
        conn.close()
    assert ids[0] == ids[1]
    conn = connect_sync(purged_target)
    run_in_transaction(conn, lambda c: _end_and_purge(c, ids[0], ledger))
    conn.close()
    assert len(purge_ledger.read(ledger)) == 1

    monkeypatch.setenv("DATABASE_URL", str(restored_target))
    if not str(restored_target).startswith("postgresql://"):
        monkeypatch.delenv("DATABASE_URL")
        monkeypatch.setenv("DATABASE_PATH", str(restored_target))
    monkeypatch.setenv("PURGE_LEDGER_PATH", str(ledger))
    assert cli_main(["purge", "--replay-ledger"]) == 0

    conn = connect_sync(restored_target)
    row = conn.execute("SELECT label, purged_at FROM patients WHERE id = ?", (ids[1],)).fetchone()
    conn.close()
    assert row[0] is None and row[1] is not None


def _enrol(c, *, user_id: int, label: str) -> int:
    patient = therapists_patient(c, NOW, user_id=user_id, label=label)
    patients.enroll(c, patient.id, "depression", NOW)
    return patient.id


def _end_and_purge(c, patient_id: int, ledger) -> None:
    patient = patients.get(c, patient_id)
    enrollment = patients.latest_enrollment(c, patient_id)
    end_treatment(c, patient, enrollment, "completed", NOW)
    journal.record(c, patient_id, NOW, NOW, patient.therapist_id, NOW)
    assert purge.run_batch(c, NOW + timedelta(days=91), ledger_file=ledger) == 1
