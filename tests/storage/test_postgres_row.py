"""`storage.postgres.Row`, the sqlite3.Row face of a psycopg row: read by name and index,
and shown with each value under its own column's name (a failing test prints rows)."""

from storage.postgres import Row


def _row(names, values):
    index = {name: number for number, name in reversed(list(enumerate(names)))}
    return Row(values, index)


def test_a_row_reads_by_name_and_index_and_shows_each_value_under_its_name():
    row = _row(["id", "chat_id", "status"], (7, 1000000002, "sent"))
    assert (row["id"], row["chat_id"], row["status"]) == (7, 1000000002, "sent")
    assert tuple(row) == (7, 1000000002, "sent")
    assert dict(zip(row.keys(), (row[key] for key in row.keys()), strict=True)) == {
        "id": 7,
        "chat_id": 1000000002,
        "status": "sent",
    }
    assert repr(row) == "Row({'id': 7, 'chat_id': 1000000002, 'status': 'sent'})"


def test_a_name_twice_reads_as_its_first_column_as_in_sqlite():
    row = _row(["id", "id"], (1, 2))
    assert row["id"] == 1
    assert repr(row) == "Row({'id': 1})"


def test_a_nul_a_person_typed_is_stored_on_postgresql_as_the_replacement_character():
    """PostgreSQL's text cannot hold NUL: without the adapter's care the whole turn fails."""
    from datetime import UTC, datetime

    from storage import messages
    from storage.database import connect_sync, migrate_sync, run_in_transaction
    from tests.harness.databases import own_postgres_database
    from tests.harness.records import therapists_patient

    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with own_postgres_database("nul") as url:
        conn = connect_sync(url)
        migrate_sync(conn)

        def work(c):
            patient = therapists_patient(c, now)
            return messages.add_from_patient(c, patient.id, "hej\x00då", now)

        message_id = run_in_transaction(conn, work)
        text = conn.execute("SELECT text FROM messages WHERE id = ?", (message_id,)).fetchone()
        conn.close()
    assert text[0] == "hej\ufffddå"
