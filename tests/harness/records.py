"""Rows most storage-level tests start from: a migrated database and one therapist's
patient, made through the real repositories."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from storage import lifecycle, patients, staff
from storage.database import connect_sync, migrate_sync
from storage.patients import Patient
from storage.timefmt import to_db
from tests.harness.databases import database_for


def migrated_database(path: Path) -> sqlite3.Connection:
    """A migrated database for the test: `path` on SQLite, a fresh one in the PostgreSQL pass."""
    conn = connect_sync(database_for(path.parent, path.name))
    migrate_sync(conn)
    return conn


def therapists_patient(
    conn: sqlite3.Connection,
    now: datetime,
    user_id: int = 5,
    label: str = "P1",
    *,
    confirmed: bool = True,
) -> Patient:
    """Anna, a therapist of unit V (Telegram user 100, made the first time), and a patient of
    hers with this label (Telegram user and chat `user_id`), confirmed by her as her patient
    unless `confirmed` is False."""
    therapist = _anna(conn, now)
    patient = patients.create(
        conn,
        unit_id=therapist.unit_id,
        therapist_id=therapist.id,
        label=label,
        telegram_user_id=user_id,
        chat_id=user_id,
        language="sv",
        now=now,
    )
    if confirmed:
        lifecycle.confirm(conn, patient.id, therapist.id, now)
    return patients.get(conn, patient.id)


def patient_id_before_0020(conn: sqlite3.Connection, now: datetime, user_id: int = 5) -> int:
    """The same patient in a database migrated only up to a version before 0020 (a migration's
    own test), where the repository's Patient cannot be read yet: its id."""
    therapist = _anna(conn, now)
    return conn.execute(
        "INSERT INTO patients (unit_id, therapist_id, label, telegram_user_id, chat_id,"
        " consented_at, created_at) VALUES (?, ?, 'P1', ?, ?, ?, ?)",
        (therapist.unit_id, therapist.id, user_id, user_id, to_db(now), to_db(now)),
    ).lastrowid


def _anna(conn: sqlite3.Connection, now: datetime):
    therapist = staff.by_telegram_user(conn, 100)
    if therapist is None:
        code = staff.add_staff_role(
            conn, name="Anna", role="therapist", unit_name="V", telegram_user_id=None, now=now
        )
        therapist = staff.bind(conn, code, 100, now)
    return therapist
