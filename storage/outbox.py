"""The outbox of messages to send, and the send ledger of what reached Telegram."""

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import to_db

LANE_SAFETY = 0
LANE_REPLY = 1
LANE_STAFF = 2
LANE_REMINDER = 3


@dataclass(frozen=True)
class OutgoingCall:
    """One Bot API call to make: a method and its parameters (without chat_id)."""

    chat_id: int
    method: str
    params: dict
    lane: int = LANE_REPLY
    dedupe_key: str | None = None
    repeat_if_unsure: bool = False
    forget_recipient: bool = False


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    method: str
    params: dict
    lane: int
    status: str
    attempts: int
    repeat_if_unsure: bool
    forget_recipient: bool


def enqueue(
    conn: sqlite3.Connection, call: OutgoingCall, now: datetime, not_before: datetime | None = None
) -> int | None:
    """Queue a call (to send at `not_before`, default now); returns its id, or None when its
    dedupe key was queued before."""
    cursor = conn.execute(
        "INSERT INTO outbox (lane, chat_id, method, payload_json, dedupe_key, not_before,"
        " repeat_if_unsure, forget_recipient, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        (
            call.lane,
            call.chat_id,
            call.method,
            json.dumps(call.params, ensure_ascii=False),
            call.dedupe_key,
            to_db(not_before or now),
            int(call.repeat_if_unsure),
            int(call.forget_recipient),
            to_db(now),
        ),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


def _row(row: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        chat_id=row["chat_id"],
        method=row["method"],
        params=json.loads(row["payload_json"]),
        lane=row["lane"],
        status=row["status"],
        attempts=row["attempts"],
        repeat_if_unsure=bool(row["repeat_if_unsure"]),
        forget_recipient=bool(row["forget_recipient"]),
    )


def next_due(conn: sqlite3.Connection, now: datetime, busy_chats: set[int]) -> OutboxRow | None:
    """The next row to send: highest-priority lane first, then oldest; one chat's messages
    always go in the order they were queued (a chat waiting on a retry is skipped whole)."""
    rows = conn.execute(
        "SELECT * FROM outbox o WHERE status = 'pending' AND not_before <= ?"
        " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.chat_id = o.chat_id"
        "   AND e.status IN ('pending', 'sending') AND e.id < o.id)"
        " ORDER BY lane, id LIMIT 50",
        (to_db(now),),
    )
    for row in rows:
        if row["chat_id"] not in busy_chats:
            return _row(row)
    return None


def mark_sending(conn: sqlite3.Connection, outbox_id: int) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?", (outbox_id,)
    )


def retry_later(conn: sqlite3.Connection, outbox_id: int, when: datetime, error: str) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, last_error = ? WHERE id = ?",
        (to_db(when), error, outbox_id),
    )


def mark_sent(
    conn: sqlite3.Connection,
    row: OutboxRow,
    message_id: int | None,
    now: datetime,
    outcome: str = "sent",
) -> None:
    """Record the send in the ledger and close the row, in one transaction."""
    chat_id = None if row.forget_recipient else row.chat_id
    conn.execute(
        "INSERT INTO send_ledger (outbox_id, chat_id, message_id, method, outcome, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (row.id, chat_id, message_id, row.method, outcome, to_db(now)),
    )
    if row.forget_recipient:
        conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, chat_id = NULL, payload_json = NULL"
            " WHERE id = ?",
            (to_db(now), row.id),
        )
    else:
        conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ? WHERE id = ?", (to_db(now), row.id)
        )


def mark_failed(conn: sqlite3.Connection, row: OutboxRow, reason: str, now: datetime) -> None:
    """Give up on a row for good (e.g. 403: the person blocked the bot)."""
    chat_id = None if row.forget_recipient else row.chat_id
    conn.execute(
        "INSERT INTO send_ledger (outbox_id, chat_id, message_id, method, outcome, created_at)"
        " VALUES (?, ?, NULL, ?, ?, ?)",
        (row.id, chat_id, row.method, f"failed:{reason}", to_db(now)),
    )
    conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = ?,"
        " chat_id = CASE WHEN forget_recipient = 1 THEN NULL ELSE chat_id END,"
        " payload_json = CASE WHEN forget_recipient = 1 THEN NULL ELSE payload_json END"
        " WHERE id = ?",
        (reason, row.id),
    )


def recover_after_crash(conn: sqlite3.Connection, now: datetime) -> tuple[int, int]:
    """Decide the rows a crash left 'sending': the request may or may not have reached
    Telegram. Safety alerts are repeated (at least once, marked as a repeat); everything
    else is not (at most once). Returns (repeated, dropped)."""
    repeated = conn.execute(
        "UPDATE outbox SET status = 'pending', last_error = 'repeat-after-crash'"
        " WHERE status = 'sending' AND repeat_if_unsure = 1"
    ).rowcount
    unsure = conn.execute(
        "SELECT * FROM outbox WHERE status = 'sending' AND repeat_if_unsure = 0"
    ).fetchall()
    for row in unsure:
        mark_sent(conn, _row(row), None, now, outcome="unsure-after-crash")
    return repeated, len(unsure)


def sent_message_id(conn: sqlite3.Connection, outbox_id: int) -> int | None:
    row = conn.execute(
        "SELECT message_id FROM send_ledger WHERE outbox_id = ? AND outcome = 'sent'"
        " ORDER BY id DESC LIMIT 1",
        (outbox_id,),
    ).fetchone()
    return row["message_id"] if row else None


def move_chat(conn: sqlite3.Connection, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: its waiting messages go to the new chat id."""
    conn.execute(
        "UPDATE outbox SET chat_id = ?, status = 'pending' WHERE chat_id = ?"
        " AND status IN ('pending', 'sending')",
        (new_chat_id, old_chat_id),
    )
    conn.execute(
        "UPDATE units SET therapist_chat_id = ? WHERE therapist_chat_id = ?",
        (new_chat_id, old_chat_id),
    )
