"""The inbox: every update is stored before Telegram is told it was received.

A repeated update_id is ignored. Once an update has been handled its payload and chat are
erased (it may hold patient text; the chat only orders waiting updates); the id stays so a
repeat is still recognised.
"""

import json
import sqlite3
from collections.abc import Callable, Collection
from datetime import datetime

from storage import dialect
from storage.timefmt import to_db


def add(
    conn: sqlite3.Connection,
    updates: list[dict],
    now: datetime,
    *,
    is_urgent: Callable[[dict], bool] = lambda update: False,
) -> int:
    """Store new updates (each a dict with an int `update_id`); returns how many were new.
    `is_urgent` tells an update whose chat goes first (crisis terms in its text)."""
    # One statement per update (a batch is small): a repeat, posted twice or to another
    # worker, inserts nothing, and RETURNING counts what was new on both databases.
    new = 0
    for update in updates:
        stored = conn.execute(
            "INSERT INTO inbox (update_id, payload_json, received_at, chat_id, urgent)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (
                update["update_id"],
                json.dumps(update, ensure_ascii=False),
                to_db(now),
                chat_of(update),
                int(is_urgent(update)),
            ),
        ).fetchone()
        new += stored is not None
    return new


def chat_of(update: dict) -> int | None:
    """The chat a raw update belongs to, read defensively (the update is not parsed yet)."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        holder = value.get("message") if key == "callback_query" else value
        chat = holder.get("chat") if isinstance(holder, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return chat["id"]
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return sender["id"]
    return None


def fair_order(updates: list[dict], is_urgent: Callable[[dict], bool]) -> list[dict]:
    """A fresh batch in the order `unprocessed` would give it: chats with a crisis text first,
    then chats in turn, within a chat in order (the poller handles a batch it has just stored
    without reading it back)."""
    chats: dict[int | None, list[dict]] = {}
    for update in sorted(updates, key=lambda update: update["update_id"]):
        chats.setdefault(chat_of(update), []).append(update)
    urgent = {chat for chat, waiting in chats.items() if any(map(is_urgent, waiting))}
    placed = [
        (chat not in urgent, place, update["update_id"], update)
        for chat, waiting in chats.items()
        for place, update in enumerate(waiting)
    ]
    return [update for *_, update in sorted(placed, key=lambda entry: entry[:3])]


def unprocessed(
    conn: sqlite3.Connection, limit: int = 100, *, skip_chats: Collection[int] = ()
) -> list[tuple[int, dict | None]]:
    """The next updates to handle, as (update_id, payload): chats with a crisis text first,
    then chats in turn (each chat's first waiting update, then each chat's second, ...), so
    one chat's flood queues behind itself; within a chat always in order. `skip_chats`: chats
    left out (another worker is handling them)."""
    skipping = ""
    params: tuple = (limit,)
    if skip_chats:
        skipping = f" AND (chat_id IS NULL OR chat_id NOT IN ({dialect.ids_in_json(conn)}))"
        params = (json.dumps(sorted(skip_chats)), limit)
    rows = conn.execute(
        "SELECT update_id, payload_json FROM ("
        "  SELECT update_id, payload_json,"
        "   MAX(urgent) OVER (PARTITION BY chat_id) AS chat_urgent,"
        "   ROW_NUMBER() OVER (PARTITION BY chat_id ORDER BY update_id) AS place"
        f"  FROM inbox WHERE processed_at IS NULL{skipping}"
        ") AS waiting ORDER BY chat_urgent DESC, place, update_id LIMIT ?",
        params,
    )
    return [
        (row["update_id"], json.loads(row["payload_json"]) if row["payload_json"] else None)
        for row in rows
    ]


def first_waiting(conn: sqlite3.Connection, chat_id: int) -> int | None:
    """The chat's oldest update not yet handled: the only one of the chat that may be turned
    now (a worker asks once it holds the chat's turn lock)."""
    return conn.execute(
        "SELECT MIN(update_id) FROM inbox WHERE chat_id = ? AND processed_at IS NULL", (chat_id,)
    ).fetchone()[0]


def set_aside(
    conn: sqlite3.Connection, update_id: int, keys: list[str], error_type: str, now: datetime
) -> None:
    """Close an update that cannot be handled: keep its id, its top-level keys and the
    error's type, never its content."""
    conn.execute(
        "INSERT INTO inbox (update_id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (update_id, to_db(now)),
    )
    conn.execute(
        "UPDATE inbox SET processed_at = ?, payload_json = NULL, chat_id = NULL, error_type = ?,"
        " update_keys = ? WHERE update_id = ?",
        (to_db(now), error_type, json.dumps(sorted(keys)), update_id),
    )


def set_aside_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM inbox WHERE error_type IS NOT NULL").fetchone()[0]


def claim(conn: sqlite3.Connection, update_id: int, now: datetime) -> bool:
    """Mark the update handled, inside the transaction that handles it.

    Returns False when it was handled already, so the caller rolls back and changes nothing.
    """
    cursor = conn.execute(
        "UPDATE inbox SET processed_at = ?, payload_json = NULL, chat_id = NULL"
        " WHERE update_id = ? AND processed_at IS NULL",
        (to_db(now), update_id),
    )
    return cursor.rowcount == 1


def last_update_id(conn: sqlite3.Connection) -> int | None:
    return conn.execute("SELECT MAX(update_id) FROM inbox").fetchone()[0]
