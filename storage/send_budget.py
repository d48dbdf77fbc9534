"""Telegram's budgets for one bot token, shared by every worker on one PostgreSQL database.

Telegram counts a bot's sends however many processes make them: ~30 a second overall, about
1 a second in a private chat (a short burst tolerated), 20 a minute in a group. So with
several workers the budgets live in the database: one `send_budget` row per send call of the
last minute (its chat and its start), read and written under ONE advisory lock inside the
claim's transaction (bot/telegram/send_workers.py): the check and the record are one step
for all workers, and a claim that loses its row records nothing.

Times are the database server's clock (one clock for every worker, whatever their machines
say), in seconds, times `speedup` (the development setting that makes transport time pass
faster; 1 in production). A send counts from its start, and `margin` later still (how much
the delay to Telegram may vary from one request to the next, bot/telegram/rate_limits.py), so
a window checked here holds every send that could reach Telegram within it.

Lanes above 0 leave the overall budget's last slot and a group's last three to lane 0, so a
safety alert finds room however busy the other workers are.

PostgreSQL only: one SQLite process keeps its budgets in memory (rate_limits.RateLimiter).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storage import dialect

# The advisory lock every worker takes to read and write the budgets (storage/dialect.py).
BUDGET_LOCK = 0x62756467  # "budg"
KEPT_SECONDS = 120.0  # transport seconds of sends kept: a group's minute and then some


@dataclass(frozen=True)
class Budgets:
    overall_per_second: int = 30
    overall_reserved_from: int = 29  # lanes > 0 stop here; the rest is for lane 0
    private_burst: int = 6
    private_per_second: float = 1.0
    group_per_minute: int = 20
    group_reserved_from: int = 17  # lanes > 0 stop here; the rest is for lane 0


@dataclass(frozen=True)
class Refusal:
    """Not yet: `wait` transport seconds, for the chat's own budget (`chat`) or the overall."""

    wait: float
    chat: bool


def admit(
    conn: sqlite3.Connection,
    chat_id: int,
    lane: int,
    budgets: Budgets,
    *,
    margin: float,
    speedup: float = 1.0,
    remember_chat: bool = True,
) -> Refusal | None:
    """In a claim's transaction: record a send to `chat_id` starting now, if every budget has
    room (None); else how long to wait (nothing recorded). `remember_chat` False: a person
    who declined consent (no chat id is kept; counted overall only)."""
    dialect.lock(conn, BUDGET_LOCK, 0)
    now = _now(conn) * speedup
    refusal = _overall(conn, now, lane, budgets, margin) or _chat(
        conn, now, chat_id, lane, budgets, margin
    )
    if refusal is None:
        conn.execute(
            "INSERT INTO send_budget (chat_id, started) VALUES (?, ?)",
            (chat_id if remember_chat else None, now),
        )
    return refusal


def forget(conn: sqlite3.Connection, chat_id: int) -> None:
    """A person who declined: no budget row keeps their chat id."""
    conn.execute("DELETE FROM send_budget WHERE chat_id = ?", (chat_id,))


def prune(conn: sqlite3.Connection, speedup: float = 1.0) -> int:
    """Forget the sends no budget counts any more."""
    oldest = _now(conn) * speedup - KEPT_SECONDS
    return conn.execute("DELETE FROM send_budget WHERE started < ?", (oldest,)).rowcount


def _now(conn: sqlite3.Connection) -> float:
    return float(conn.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()[0])


def _overall(
    conn: sqlite3.Connection, now: float, lane: int, budgets: Budgets, margin: float
) -> Refusal | None:
    span = 1.0 + margin
    allowed = budgets.overall_per_second if lane == 0 else budgets.overall_reserved_from
    starts = _starts(conn, "started > ?", (now - span,))
    return _window(starts, now, span, allowed, chat=False)


def _chat(
    conn: sqlite3.Connection, now: float, chat_id: int, lane: int, budgets: Budgets, margin: float
) -> Refusal | None:
    if chat_id < 0:  # a group
        span = 60.0 + margin
        allowed = budgets.group_per_minute if lane == 0 else budgets.group_reserved_from
        starts = _starts(conn, "chat_id = ? AND started > ?", (chat_id, now - span))
        return _window(starts, now, span, allowed, chat=True)
    # A private chat's token bucket (`private_burst`, refilled at `private_per_second`), read
    # from its sends: the k latest and this one may go once k + 1 <= burst + rate * (time
    # since the k-th latest counted; it counts from its start + margin).
    starts = _starts(conn, "chat_id = ? AND started > ?", (chat_id, now - 60.0))
    wait = 0.0
    for k, started in enumerate(reversed(starts), start=1):
        needed = (k + 1 - budgets.private_burst) / budgets.private_per_second
        wait = max(wait, needed - max(now - started - margin, 0.0))
    return Refusal(wait, chat=True) if wait > 0 else None


def _starts(conn: sqlite3.Connection, where: str, params: tuple) -> list[float]:
    rows = conn.execute(f"SELECT started FROM send_budget WHERE {where} ORDER BY started", params)
    return [row[0] for row in rows]


def _window(
    starts: list[float], now: float, span: float, allowed: int, *, chat: bool
) -> Refusal | None:
    """One more send fits when fewer than `allowed` started in the last `span` seconds."""
    if len(starts) < allowed:
        return None
    return Refusal(max(starts[len(starts) - allowed] + span - now, 0.0005), chat=chat)
