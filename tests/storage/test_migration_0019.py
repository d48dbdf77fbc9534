"""Migration 0019 rebuilds `form_requests` so a request may be 'final' (the final
measurement): every row and index stays, the answers and measurements pointing at it still
hold, and foreign keys are enforced again afterwards."""

import sqlite3
from datetime import UTC, datetime

import pytest

from storage import forms
from storage.database import _migrations, connect_sync, migrate_sync
from storage.timefmt import to_db
from tests.harness.records import patient_id_before_0020

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _migrate_to(conn, version):
    for number, sql in _migrations():
        if number <= version:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={number};\nCOMMIT;")


def _rows(conn, table):
    return [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]


def _final(conn, patient_id):
    conn.execute(
        "INSERT INTO form_requests (patient_id, questionnaire, reason, due_at, created_at)"
        " VALUES (?, 'gad7', 'final', ?, ?)",
        (patient_id, to_db(NOW), to_db(NOW)),
    )


@pytest.fixture
def old(tmp_path):
    """A database before 0019 with a submitted form (answers, a measurement) and an open one."""
    conn = connect_sync(tmp_path / "old.sqlite3")
    _migrate_to(conn, 18)
    patient_id = patient_id_before_0020(conn, NOW)
    submitted = forms.create_request(
        conn,
        patient_id=patient_id,
        questionnaire="phq9",
        reason="extra",
        due_at=NOW,
        window_ends_at=None,
        now=NOW,
    )
    for number in range(1, 10):
        forms.save_answer(conn, submitted, f"q{number}", 1, NOW)
    forms.submit(conn, forms.get(conn, submitted), 9, 27, NOW)
    forms.create_request(
        conn,
        patient_id=patient_id,
        questionnaire="depression-registration",
        reason="module",
        module=2,
        due_at=NOW,
        window_ends_at=None,
        now=NOW,
    )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        _final(conn, patient_id)
    conn.commit()
    return conn, patient_id


def test_0019_keeps_every_row_and_takes_final_requests(old):
    conn, patient_id = old
    tables = ("form_requests", "form_answers", "measurements")
    before = {table: _rows(conn, table) for table in tables}
    migrate_sync(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 19
    assert {table: _rows(conn, table) for table in tables} == before
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {row[1] for row in conn.execute("PRAGMA index_list(form_requests)")}
    assert {"form_requests_open", "form_requests_window"} <= indexes
    _final(conn, patient_id)
    assert [r.questionnaire for r in forms.final_requests(conn, patient_id)] == ["gad7"]
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(
            "INSERT INTO form_requests (patient_id, questionnaire, reason, due_at, created_at)"
            " VALUES (?, 'gad7', 'whim', 'y', 'y')",
            (patient_id,),
        )
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute(
            "INSERT INTO form_answers (request_id, item, value, answered_at)"
            " VALUES (999, 'q1', 0, 'x')"
        )
    assert [m.reason for m in forms.measurements(conn, patient_id)] == ["extra"]
