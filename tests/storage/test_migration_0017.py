"""Migration 0017: every unit waits ten days before the quiet-patient flag, and every patient
already there gets a first look planned (from their last activity, else their start)."""

from storage.database import _migrations, connect_sync, migrate_sync

NOV_1 = "2026-11-01T08:00:00.000000Z"
NOV_2 = "2026-11-02T08:00:00.000000Z"
NOV_20 = "2026-11-20T08:00:00.000000Z"


def _migrate_to(conn, version):
    for number, sql in _migrations():
        if number <= version:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={number};\nCOMMIT;")


def test_existing_patients_get_a_planned_look(tmp_path):
    conn = connect_sync(tmp_path / "old.sqlite3")
    _migrate_to(conn, 16)
    conn.execute("INSERT INTO units (name, created_at) VALUES ('V', ?)", (NOV_1,))
    conn.execute("INSERT INTO staff (unit_id, name, created_at) VALUES (1, 'Anna', ?)", (NOV_1,))
    for label, user, last_active in (("P1", 5, NOV_20), ("P2", 6, None)):
        conn.execute(
            "INSERT INTO patients (unit_id, therapist_id, label, telegram_user_id, chat_id,"
            " consented_at, created_at, last_active_at) VALUES (1, 1, ?, ?, ?, ?, ?, ?)",
            (label, user, user, NOV_2, NOV_2, last_active),
        )
    migrate_sync(conn)
    assert conn.execute("SELECT quiet_days FROM units").fetchone()[0] == 10
    planned = dict(conn.execute("SELECT label, quiet_check_at FROM patients").fetchall())
    assert planned == {"P1": NOV_20, "P2": NOV_2}
