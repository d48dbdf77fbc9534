"""Migration 0016 rebuilds `schedules` without its kind CHECK: every row, index and foreign key
stays, the references into it still hold, and foreign keys are enforced again afterwards."""

import sqlite3
from datetime import UTC, date, datetime, time

import pytest

from storage import reminders, schedules
from storage.database import _migrations, connect_sync, migrate_sync
from tests.harness.records import patient_id_before_0020

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OLD_KINDS = ("diary", "module", "forms", "activity", "custom")


def _migrate_to(conn, version):
    for number, sql in _migrations():
        if number <= version:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={number};\nCOMMIT;")


def _rows(conn, table):
    return [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]


@pytest.fixture
def old(tmp_path):
    """A database before 0016, with a schedule of every kind and rows pointing at them."""
    conn = connect_sync(tmp_path / "old.sqlite3")
    _migrate_to(conn, 15)
    patient_id = patient_id_before_0020(conn, NOW)
    for kind in OLD_KINDS:
        schedule_id = schedules.create(
            conn,
            patient_id=patient_id,
            kind=kind,
            known_kinds=OLD_KINDS,
            times=(time(19, 0),),
            start_date=date(2026, 3, 2),
            questionnaire="phq9" if kind == "forms" else None,
            custom_text="Promenad" if kind in ("activity", "custom") else None,
            now=NOW,
        )
        schedules.set_next(conn, schedule_id, NOW, NOW)
        reminders.open_occurrence(
            conn,
            schedule_id=schedule_id,
            patient_id=patient_id,
            occurrence=NOW,
            check_at=NOW,
            now=NOW,
        )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(
            "INSERT INTO schedules (patient_id, kind, times, start_date, created_at, updated_at)"
            " VALUES (?, 'nudge', '10:00', '2026-03-02', 'x', 'x')",
            (patient_id,),
        )
    return conn


def test_0016_keeps_every_row_and_drops_only_the_kind_check(old):
    before = {table: _rows(old, table) for table in ("schedules", "reminders")}
    migrate_sync(old)
    assert old.execute("PRAGMA user_version").fetchone()[0] >= 16
    assert {table: _rows(old, table) for table in before} == before
    assert old.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert old.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {row[1] for row in old.execute("PRAGMA index_list(schedules)")}
    assert {"schedules_due", "schedules_patient"} <= indexes
    referring = {
        table: {row["table"] for row in old.execute(f"PRAGMA foreign_key_list({table})")}
        for table in ("reminders", "form_requests", "activity_plans")
    }
    assert all("schedules" in targets for targets in referring.values())
    # The table takes any kind now (the code decides), and still its foreign keys.
    old.execute(
        "INSERT INTO schedules (patient_id, kind, times, start_date, created_at, updated_at)"
        " VALUES (1, 'nudge', '10:00', '2026-03-02', 'x', 'x')"
    )
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        old.execute(
            "INSERT INTO schedules (patient_id, kind, times, start_date, created_at, updated_at)"
            " VALUES (999, 'nudge', '10:00', '2026-03-02', 'x', 'x')"
        )
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        old.execute(
            "INSERT INTO reminders (schedule_id, patient_id, occurrence, created_at)"
            " VALUES (999, 1, 'x', 'x')"
        )


def test_a_rebuild_that_would_break_a_reference_changes_nothing(old):
    # A reminder pointing at a schedule that is gone: the check before the commit finds it.
    old.execute("PRAGMA foreign_keys=OFF")
    old.execute(
        "INSERT INTO reminders (schedule_id, patient_id, occurrence, created_at)"
        " VALUES (999, 1, 'y', 'y')"
    )
    old.execute("PRAGMA foreign_keys=ON")
    with pytest.raises(RuntimeError, match="migration 16: 1 foreign key"):
        migrate_sync(old)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 15
    assert (
        "CHECK (kind IN"
        in old.execute("SELECT sql FROM sqlite_master WHERE name = 'schedules'").fetchone()[0]
    )
    assert old.execute("PRAGMA foreign_keys").fetchone()[0] == 1
