"""Migration 0020 rebuilds `patients` and `enrollments` for the lifecycle: every row stays with
its id, everyone enrolled before counts as confirmed, each treatment gets its 'enrolled'
lifecycle row, the references into both tables still hold, and the new rules apply."""

import sqlite3
from datetime import UTC, datetime

import pytest

from storage import lifecycle, patients
from storage.database import _migrations, connect_sync, migrate_sync
from storage.timefmt import to_db
from tests.harness.records import patient_id_before_0020

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _migrate_to(conn, version):
    for number, sql in _migrations():
        if number <= version:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={number};\nCOMMIT;")


@pytest.fixture
def migrated(tmp_path):
    conn = connect_sync(tmp_path / "old.sqlite3")
    _migrate_to(conn, 19)
    patient_id = patient_id_before_0020(conn, NOW)
    enrollment_id = conn.execute(
        "INSERT INTO enrollments (patient_id, program, started_at, module_started_at)"
        " VALUES (?, 'depression', ?, ?)",
        (patient_id, to_db(NOW), to_db(NOW)),
    ).lastrowid
    conn.execute(
        "INSERT INTO module_progress (enrollment_id, module, step_index) VALUES (?, 1, 2)",
        (enrollment_id,),
    )
    conn.commit()
    migrate_sync(conn)
    return conn, patient_id, enrollment_id


def test_every_row_stays_confirmed_with_its_enrolled_row(migrated):
    conn, patient_id, enrollment_id = migrated
    patient = patients.get(conn, patient_id)
    assert patient.label == "P1" and patient.confirmed
    enrollment = patients.active_enrollment(conn, patient_id)
    assert (enrollment.id, enrollment.status) == (enrollment_id, "active")
    assert conn.execute("SELECT step_index FROM module_progress").fetchone()[0] == 2
    assert [event.change for event in lifecycle.history(conn, patient_id)] == ["enrolled"]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_treatment_goes_forward_only(migrated):
    conn, patient_id, enrollment_id = migrated
    assert lifecycle.start_maintenance(conn, enrollment_id, NOW, NOW)
    assert patients.active_enrollment(conn, patient_id) is None
    assert lifecycle.end(conn, enrollment_id, lifecycle.MAINTENANCE_OVER, NOW)
    assert not lifecycle.start_maintenance(conn, enrollment_id, NOW, NOW)
    assert not lifecycle.end(conn, enrollment_id, "completed", NOW)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE enrollments SET end_reason = 'bored' WHERE id = ?", (enrollment_id,))


def test_a_purged_patient_row_may_hold_no_label_or_telegram_ids(migrated):
    conn, patient_id, _ = migrated
    conn.execute(
        "UPDATE patients SET label = NULL, telegram_user_id = NULL, chat_id = NULL,"
        " purged_at = ? WHERE id = ?",
        (to_db(NOW), patient_id),
    )
    assert patients.get(conn, patient_id).label is None
