"""The inbox: every update is stored before Telegram is told it was received.

A repeated update_id is ignored. Once an update has been handled its payload is erased
(it may hold patient text); the id stays so a repeat is still recognised.
"""

import json
import sqlite3
from datetime import datetime

from storage.timefmt import to_db


def add(conn: sqlite3.Connection, updates: list[dict], now: datetime) -> int:
    """Store new updates; returns how many were new."""
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO inbox (update_id, payload_json, received_at) VALUES (?, ?, ?)"
        " ON CONFLICT (update_id) DO NOTHING",
        [(update["update_id"], json.dumps(update), to_db(now)) for update in updates],
    )
    return conn.total_changes - before


def unprocessed(conn: sqlite3.Connection, limit: int = 100) -> list[dict]:
    rows = conn.execute(
        "SELECT payload_json FROM inbox WHERE processed_at IS NULL ORDER BY update_id LIMIT ?",
        (limit,),
    )
    return [json.loads(row["payload_json"]) for row in rows]


def claim(conn: sqlite3.Connection, update_id: int, now: datetime) -> bool:
    """Mark the update handled, inside the transaction that handles it.

    Returns False when it was handled already, so the caller rolls back and changes nothing.
    """
    cursor = conn.execute(
        "UPDATE inbox SET processed_at = ?, payload_json = NULL"
        " WHERE update_id = ? AND processed_at IS NULL",
        (to_db(now), update_id),
    )
    return cursor.rowcount == 1


def is_processed(conn: sqlite3.Connection, update_id: int) -> bool:
    row = conn.execute(
        "SELECT processed_at FROM inbox WHERE update_id = ?", (update_id,)
    ).fetchone()
    return row is not None and row["processed_at"] is not None


def last_update_id(conn: sqlite3.Connection) -> int | None:
    return conn.execute("SELECT MAX(update_id) FROM inbox").fetchone()[0]
