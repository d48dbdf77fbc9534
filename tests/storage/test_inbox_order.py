"""The poller's in-memory order for a fresh batch is the inbox's own order."""

from datetime import UTC, datetime

from storage import inbox
from storage.database import connect_sync, migrate_sync, run_in_transaction
from tests.harness.databases import database_for

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def _message(update_id: int, chat: int, text: str = "hej") -> dict:
    return {"update_id": update_id, "message": {"chat": {"id": chat}, "text": text}}


def _urgent(update: dict) -> bool:
    return "leva" in update.get("message", {}).get("text", "")


def test_fair_order_matches_the_stored_order(tmp_path):
    batch = [
        _message(1, 10),
        _message(2, 10),
        _message(3, 10),
        _message(4, 20),
        _message(5, 30),
        _message(6, 30, "jag vill inte leva"),
        _message(7, 20),
    ]
    conn = connect_sync(database_for(tmp_path, "inbox.sqlite3"))
    migrate_sync(conn)
    run_in_transaction(conn, lambda c: inbox.add(c, batch, NOW, is_urgent=_urgent))
    stored = [update_id for update_id, _ in inbox.unprocessed(conn, 100)]
    in_memory = [update["update_id"] for update in inbox.fair_order(batch, _urgent)]
    assert in_memory == stored == [5, 6, 1, 4, 2, 7, 3]
