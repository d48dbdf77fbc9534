"""The outbox of messages to send, and the send ledger of what reached Telegram."""

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from storage import dialect
from storage.timefmt import to_db

LANE_SAFETY = 0
LANE_REPLY = 1
LANE_STAFF = 2
LANE_REMINDER = 3

# A parameter never sent to Telegram: the words that mark an alert repeated after a crash.
REPEAT_NOTE = "repeat_note"


@dataclass(frozen=True, slots=True)
class OutgoingCall:
    """One Bot API call to make: a method and its parameters (without chat_id)."""

    chat_id: int
    method: str
    params: dict
    lane: int = LANE_REPLY
    dedupe_key: str | None = None
    repeat_if_unsure: bool = False
    forget_recipient: bool = False
    payload_json: str | None = None  # `params` already as JSON (a cached message), if given
    # Calls queued right after this one, as (method, params), to the same chat with the same
    # lane and flags: the rest of a text too long for one message (bot/render/calls.py).
    follow_ups: tuple[tuple[str, dict], ...] = ()

    def payload(self) -> str:
        if self.payload_json is not None:
            return self.payload_json
        return json.dumps(self.params, ensure_ascii=False)


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


_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_ROWS = (
    "INSERT INTO outbox (lane, chat_id, method, payload_json, dedupe_key, not_before,"
    " repeat_if_unsure, forget_recipient, created_at) VALUES {rows}"
    " ON CONFLICT (dedupe_key) DO NOTHING"
)
_INSERT = _INSERT_ROWS.format(rows=_ROW) + " RETURNING id"


def _values(call: OutgoingCall, not_before: str, created: str) -> tuple:
    return (
        call.lane,
        call.chat_id,
        call.method,
        call.payload(),
        call.dedupe_key,
        not_before,
        int(call.repeat_if_unsure),
        int(call.forget_recipient),
        created,
    )


def _with_follow_ups(call: OutgoingCall) -> Sequence[OutgoingCall]:
    """A call and the calls that follow it, as rows to queue in this order. A follow-up's
    dedupe key is its call's with the part's number, so a repeated call adds nothing."""
    if not call.follow_ups:
        return (call,)
    rows = [call]
    for number, (method, params) in enumerate(call.follow_ups, start=2):
        key = f"{call.dedupe_key}:part{number}" if call.dedupe_key else None
        rows.append(
            replace(
                call,
                method=method,
                params=params,
                dedupe_key=key,
                payload_json=None,
                follow_ups=(),
            )
        )
    return rows


# Lanes of what the bot starts by itself (a staff action, the tick). A patient who withdrew or
# whose treatment ended gets none of them; safety and replies to their own action still go.
_OUTREACH_LANES = (LANE_STAFF, LANE_REMINDER)


def _outreach_stopped(conn: sqlite3.Connection, chat_ids: set[int]) -> set[int]:
    """Of these chats, those of a patient the bot must no longer reach out to."""
    rows = conn.execute(
        "SELECT chat_id FROM patients WHERE outreach_stopped_at IS NOT NULL"
        f" AND chat_id IN ({dialect.ids_in_json(conn)})",
        (json.dumps(sorted(chat_ids)),),
    )
    return {row[0] for row in rows}


def _withheld(conn: sqlite3.Connection, calls: Sequence[OutgoingCall]) -> set[int]:
    outreach = {call.chat_id for call in calls if call.lane in _OUTREACH_LANES}
    return _outreach_stopped(conn, outreach) if outreach else set()


def enqueue(
    conn: sqlite3.Connection, call: OutgoingCall, now: datetime, not_before: datetime | None = None
) -> int | None:
    """Queue a call (to send at `not_before`, default now), then its follow-ups; returns the
    call's id, or None when its dedupe key was queued before (its follow-ups too, then) or
    the patient it is for may no longer be reached (`outreach_stopped_at`)."""
    if _withheld(conn, (call,)):
        return None
    first_id = None
    for number, row in enumerate(_with_follow_ups(call)):
        inserted = conn.execute(_INSERT, _values(row, to_db(not_before or now), to_db(now)))
        inserted = inserted.fetchone()  # None: the dedupe key was queued before
        if number == 0:
            if inserted is None:
                return None
            first_id = inserted[0]
    return first_id


_ROWS_PER_INSERT = 500  # 9 values a row; SQLite 3.32 or later binds up to 32,766


def enqueue_many(
    conn: sqlite3.Connection, calls: list[tuple[OutgoingCall, datetime]], now: datetime
) -> None:
    """Queue many calls at once, each with its not_before (the tick's batches), in this
    order: one multi-row INSERT per 500 rows (cheaper than executemany's one statement run
    per row)."""
    created = to_db(now)
    withheld = _withheld(conn, [call for call, _ in calls])
    rows = [
        _values(row, to_db(not_before), created)
        for call, not_before in calls
        if not (call.chat_id in withheld and call.lane in _OUTREACH_LANES)
        for row in _with_follow_ups(call)
    ]
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        part = rows[start : start + _ROWS_PER_INSERT]
        conn.execute(
            _INSERT_ROWS.format(rows=", ".join([_ROW] * len(part))),
            [value for row in part for value in row],
        )


def _row(row: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        chat_id=row["chat_id"],
        method=row["method"],
        params=json.loads(row["payload_json"] or "{}"),  # NULL once closed
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


def mark_sending(
    conn: sqlite3.Connection,
    outbox_id: int,
    now: datetime | None = None,
    worker_id: str | None = None,
) -> None:
    """'sending': its request starts now, by this worker (a dead worker's rows are decided
    by another, storage/workers.py)."""
    conn.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_by = ?,"
        " claimed_at = ? WHERE id = ?",
        (worker_id, to_db(now) if now else None, outbox_id),
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
    _record_in_ledger(conn, row.id, message_id, outcome, now)
    conn.execute(
        f"UPDATE outbox SET status = 'sent', sent_at = ?, {_ERASE_ONCE_CLOSED} WHERE id = ?",
        (to_db(now), row.id),
    )


def mark_failed(conn: sqlite3.Connection, row: OutboxRow, reason: str, now: datetime) -> None:
    """Give up on a row for good (e.g. 403: the person blocked the bot)."""
    _record_in_ledger(conn, row.id, None, f"failed:{reason}", now)
    conn.execute(
        f"UPDATE outbox SET status = 'failed', last_error = ?, {_ERASE_ONCE_CLOSED} WHERE id = ?",
        (reason, row.id),
    )


def withhold_outreach(conn: sqlite3.Connection, chat_id: int, now: datetime) -> int:
    """Close the rows the bot started towards this chat and has not sent yet (the patient
    withdrew, or the treatment ended): they are given up, never sent. A row already
    `sending` is Telegram's now. Returns how many."""
    return conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = 'withheld', payload_json = NULL"
        " WHERE chat_id = ? AND status = 'pending' AND lane IN (?, ?)",
        (chat_id, *_OUTREACH_LANES),
    ).rowcount


# A closed row keeps no payload (text, buttons, files: what a feature must keep lives in its
# own table), and a forgotten recipient's row (declined consent) no chat id either. The flag
# is read from the row itself, not from the sender's copy: a decline may set it meanwhile.
_ERASE_ONCE_CLOSED = (
    "payload_json = NULL, chat_id = CASE WHEN forget_recipient = 1 THEN NULL ELSE chat_id END"
)


def _record_in_ledger(
    conn: sqlite3.Connection, outbox_id: int, message_id: int | None, outcome: str, now: datetime
) -> None:
    """One ledger row for a send or a give-up; a forgotten recipient's has no chat or message."""
    conn.execute(
        "INSERT INTO send_ledger (outbox_id, chat_id, message_id, method, outcome, created_at)"
        " SELECT id, CASE WHEN forget_recipient = 1 THEN NULL ELSE chat_id END,"
        " CASE WHEN forget_recipient = 1 THEN NULL ELSE CAST(? AS BIGINT) END, method, ?,"
        f" {dialect.time_param(conn)} FROM outbox WHERE id = ?",
        (message_id, outcome, to_db(now), outbox_id),
    )


def recover_after_crash(conn: sqlite3.Connection, now: datetime) -> tuple[int, int]:
    """Decide the rows a crash left 'sending' (one process: every such row is its own)."""
    rows = conn.execute("SELECT * FROM outbox WHERE status = 'sending' ORDER BY id").fetchall()
    return decide_unsure(conn, rows, now)


def decide_unsure(
    conn: sqlite3.Connection, rows: Sequence[sqlite3.Row], now: datetime
) -> tuple[int, int]:
    """Decide rows left 'sending' by a crash or a dead worker: the request may or may not have
    reached Telegram. Safety alerts are repeated (at least once, marked as a repeat);
    everything else is not (at most once). Returns (repeated, dropped)."""
    repeated = dropped = 0
    for row in rows:
        if row["repeat_if_unsure"]:
            conn.execute(
                "UPDATE outbox SET status = 'pending', last_error = 'repeat-after-crash',"
                " payload_json = ? WHERE id = ?",
                (_marked_as_repeat(row["payload_json"]), row["id"]),
            )
            repeated += 1
        else:
            mark_sent(conn, _row(row), None, now, outcome="unsure-after-crash")
            dropped += 1
    return repeated, dropped


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


# The open rows of a chat, as the partial indexes spell it (SQLite uses a partial index only
# when the query repeats its WHERE term).
_OPEN = "status IN ('pending', 'sending')"


def due_heads(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    blocked: set[int] = frozenset(),
    blocked_above_safety: set[int] = frozenset(),
    per_lane: int = 100,
    safety_only: bool = False,
) -> list[tuple[int, OutboxRow]]:
    """The rows that may go next, best first, as (lane to treat it in, row).

    One query per lane, safety first, so a lane-0 row is found at once however many reminders
    wait. A chat's rows go strictly in order, so a due row stands for the first open row of its
    chat (its head): a safety alert queued behind a staff message in the same group lifts that
    message to lane 0. Each chat appears once. A row waiting for a later time does not hold up
    the due rows behind it. Chats in `blocked` are left out, and those in
    `blocked_above_safety` for lanes above 0 only (a group whose ordinary budget is used up).
    `safety_only`: lane 0 alone (the sender has room for nothing else; one short query).
    """
    found: list[tuple[int, OutboxRow]] = []
    seen: set[int] = set()
    due = to_db(now)
    lanes = (LANE_SAFETY,) if safety_only else (LANE_SAFETY, LANE_REPLY, LANE_STAFF, LANE_REMINDER)
    for lane in lanes:
        skip = set(blocked) if lane == LANE_SAFETY else set(blocked) | set(blocked_above_safety)
        chats = conn.execute(
            f"SELECT chat_id FROM outbox WHERE {_OPEN} AND status = 'pending' AND lane = ?"
            f" AND not_before <= ? AND chat_id NOT IN ({dialect.ids_in_json(conn)})"
            " GROUP BY chat_id ORDER BY MIN(id) LIMIT ?",
            (lane, due, json.dumps(sorted(skip | seen)), per_lane),
        ).fetchall()
        for (chat_id,) in chats:
            head = _head(conn, chat_id, due)
            seen.add(chat_id)
            if head is not None and head["status"] == "pending":
                found.append((lane, _row(head)))
    if safety_only:
        return found
    # a lane outside 0-3 (none today) would be missed above; never silently: take it last
    other = conn.execute(
        f"SELECT chat_id FROM outbox WHERE {_OPEN} AND status = 'pending'"
        " AND lane NOT IN (0, 1, 2, 3) AND not_before <= ? GROUP BY chat_id ORDER BY MIN(id)"
        " LIMIT ?",
        (due, per_lane),
    ).fetchall()
    for (chat_id,) in other:
        if chat_id not in seen and chat_id not in blocked:
            head = _head(conn, chat_id, due)
            seen.add(chat_id)
            if head is not None and head["status"] == "pending":
                found.append((head["lane"], _row(head)))
    return found


# A chat's head: its row in flight if it has one (at most one request in flight per chat,
# whichever worker made it; a row retried later may sit before it), else its first due row.
_HEAD = (
    f"SELECT {{columns}} FROM outbox WHERE chat_id = ? AND {_OPEN}"
    " AND (status = 'sending' OR not_before <= ?)"
    " ORDER BY CASE WHEN status = 'sending' THEN 0 ELSE 1 END, id LIMIT 1"
)


def _head(conn: sqlite3.Connection, chat_id: int, due: str) -> sqlite3.Row | None:
    """The open row of a chat in flight, or else its first due one."""
    return conn.execute(_HEAD.format(columns="*"), (chat_id, due)).fetchone()


# Advisory locks (PostgreSQL) of the claims: one per chat, so two workers never claim in one
# chat at once (storage/dialect.py `try_lock`).
CHAT_CLAIMS = 0x6F757462  # "outb"


def lock_head(conn: sqlite3.Connection, row: OutboxRow, now: datetime) -> bool:
    """In a claim's transaction: whether a row found by `due_heads` is still pending and its
    chat's head, locked for this transaction (False: something changed since, or another
    worker is claiming in this chat right now: look again).

    Several workers (PostgreSQL): the chat's claims take turns (an advisory lock, passed
    over when held), so the read below sees every claim in the chat committed before; the
    head is found WITHOUT skipping locked rows and only then locked, SKIP LOCKED: a chat
    whose head another worker holds is passed over whole, never its second row taken."""
    if not dialect.try_lock(conn, CHAT_CLAIMS, row.chat_id):
        return False
    head = conn.execute(
        f"SELECT id FROM outbox WHERE id = ({_HEAD.format(columns='id')})"
        f" AND status = 'pending'{dialect.skip_locked(conn)}",
        (row.chat_id, to_db(now)),
    ).fetchone()
    return head is not None and head["id"] == row.id


def claim(
    conn: sqlite3.Connection, row: OutboxRow, now: datetime, worker_id: str | None = None
) -> bool:
    """Mark a row found by `due_heads` 'sending', if it is still pending and still the head of
    its chat; False when something changed since (then look again)."""
    if not lock_head(conn, row, now):
        return False
    mark_sending(conn, row.id, now, worker_id)
    return True


def still_heads(conn: sqlite3.Connection, rows: Sequence[OutboxRow], now: datetime) -> set[int]:
    """Of rows found by `due_heads`, the ids still pending and still the head of their chat
    (one read for a batch of workers). Each is marked 'sending' by `claim` only when its
    request starts."""
    due = to_db(now)
    still = set()
    for row in rows:
        head = _head(conn, row.chat_id, due)
        if head is not None and head["id"] == row.id and head["status"] == "pending":
            still.add(row.id)
    return still


def release(conn: sqlite3.Connection, outbox_ids: Sequence[int]) -> None:
    """Give back rows claimed whose request never started (a clean stop): pending again, as
    if never claimed, so they are neither lost nor decided as unsure."""
    conn.execute(
        f"UPDATE outbox SET status = 'pending',"
        f" attempts = {dialect.greatest(conn)}(attempts - 1, 0)"
        f" WHERE status = 'sending' AND id IN ({dialect.ids_in_json(conn)})",
        (json.dumps(list(outbox_ids)),),
    )


def chat_has_due(conn: sqlite3.Connection, chat_id: int, now: datetime) -> bool:
    """Whether a chat still has a row in flight or due."""
    return _head(conn, chat_id, to_db(now)) is not None


def flag_ids_waiting_for(conn: sqlite3.Connection, chat_id: int) -> list[int]:
    """Flags whose alerts to this chat did not get through (failed, or still waiting); the
    waiting ones are given up, since the chat is gone."""
    rows = conn.execute(
        "SELECT id, dedupe_key, status FROM outbox WHERE chat_id = ? AND dedupe_key LIKE 'flag:%'"
        " AND status IN ('pending', 'sending', 'failed')",
        (chat_id,),
    ).fetchall()
    conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = 'channel unreachable'"
        " WHERE chat_id = ? AND dedupe_key LIKE 'flag:%' AND status = 'pending'",
        (chat_id,),
    )
    return sorted({int(row["dedupe_key"].split(":")[1]) for row in rows})


def dedupe_key_of(conn: sqlite3.Connection, outbox_id: int) -> str | None:
    row = conn.execute("SELECT dedupe_key FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
    return row["dedupe_key"] if row else None


def replace_call(conn: sqlite3.Connection, outbox_id: int, method: str, params: dict) -> None:
    """Send something else in a row's place (a file that cannot be sent: its text), at once."""
    conn.execute(
        "UPDATE outbox SET method = ?, payload_json = ?, status = 'pending' WHERE id = ?",
        (method, json.dumps(params, ensure_ascii=False), outbox_id),
    )


def flag_of(conn: sqlite3.Connection, outbox_id: int) -> int | None:
    """The flag an outbox row alerts about (its dedupe key is 'flag:<id>:...'), if any."""
    row = conn.execute("SELECT dedupe_key FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
    key = row["dedupe_key"] if row else None
    return int(key.split(":")[1]) if key and key.startswith("flag:") else None


def _marked_as_repeat(payload_json: str) -> str:
    params = json.loads(payload_json)
    note = params.get(REPEAT_NOTE)
    if note:
        for field in ("text", "caption"):
            if field in params and not params[field].startswith(note):
                params[field] = f"{note}\n{params[field]}"
    return json.dumps(params, ensure_ascii=False)
