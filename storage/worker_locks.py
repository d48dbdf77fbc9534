"""One bot worker's advisory locks on PostgreSQL, on a connection of its own.

Several `python -m bot run --webhook` workers may share one database; these locks keep what
must not run twice apart. They are session locks on one connection per process (not on the
pool's, whose connections go back to the pool after each call), so the server drops them the
moment that connection ends: a worker that dies leaves nothing locked behind it.

- **How updates come in** (`RECEIVING`, for the life of the process): webhook workers share
  it, a long poller holds it alone. So a poller refuses to start beside another poller or
  beside webhook workers (its deleteWebhook would take every update away from them), and a
  webhook worker refuses to start beside a poller (`ReceivingTaken`). Long polling is one
  worker; several workers are webhook workers.
- **One chat's turn** (`chat`, around one update's handling): at most one worker handles a
  chat's update at a time, whatever it takes (the turn, and after a failed turn the screening
  and the apology, each their own transaction). Tried, never waited for: a worker that finds
  the chat taken leaves it to the worker that has it, which reads the inbox again when done.

On SQLite (one process) every lock is granted at no cost and nothing is asked.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import psycopg

from storage import postgres

log = logging.getLogger(__name__)

# Advisory locks in the two-integer key space (separate from the one-bigint keys, such as the
# migration lock): the first integer names what is locked.
_RECEIVING = 17_001
_CHAT_TURN = 17_002

POLLING = "polling"
WEBHOOK = "webhook"


class ReceivingTaken(Exception):
    """Another worker takes updates in a way this one cannot run beside."""


class WorkerLocks:
    def __init__(self, url: str | None, receiving: str):
        self._url = url
        self._receiving = receiving
        self._conn: psycopg.AsyncConnection | None = None

    @property
    def shared(self) -> bool:
        """Whether other workers may share the database (PostgreSQL)."""
        return self._url is not None

    @classmethod
    async def open(cls, target: str | Path, receiving: str) -> WorkerLocks:
        """The locks of a worker that takes updates in by `receiving` (POLLING or WEBHOOK);
        raises ReceivingTaken when that cannot run beside the workers already running."""
        if receiving not in (POLLING, WEBHOOK):
            raise ValueError(f"unknown way to receive updates: {receiving}")
        locks = cls(str(target) if postgres.is_url(target) else None, receiving)
        if locks.shared:
            await locks._connect()
        return locks

    @classmethod
    def single_process(cls) -> WorkerLocks:
        """For a database only this process uses (SQLite)."""
        return cls(None, POLLING)

    async def _connect(self) -> psycopg.AsyncConnection:
        """The lock connection, (re)made with the receiving lock taken on it."""
        if self._conn is not None and not self._conn.closed:
            return self._conn
        conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True, connect_timeout=10)
        take = (
            "pg_try_advisory_lock" if self._receiving == POLLING else "pg_try_advisory_lock_shared"
        )
        row = await (await conn.execute(f"SELECT {take}(%s, 1)", (_RECEIVING,))).fetchone()
        if not row[0]:
            await conn.close()
            raise ReceivingTaken(_refusal(self._receiving))
        self._conn = conn
        return conn

    @asynccontextmanager
    async def chat(self, chat_id: int) -> AsyncIterator[bool]:
        """Hold the chat's turn lock while the body runs; yields False (and holds nothing)
        when another worker has it."""
        if not self.shared:
            yield True
            return
        key = _int4(chat_id)
        conn = await self._connect()
        try:
            row = await (
                await conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (_CHAT_TURN, key))
            ).fetchone()
        except BaseException:
            await self._drop()
            raise
        if not row[0]:
            yield False
            return
        try:
            yield True
        finally:
            await self._unlock(conn, key)

    async def _unlock(self, conn: psycopg.AsyncConnection, key: int) -> None:
        try:
            await conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_CHAT_TURN, key))
        except BaseException as error:
            # Not knowing whether it is still held, drop the connection: the server then drops
            # every lock on it (the receiving lock is taken again with the next connection).
            log.error(
                "chat lock: unlock failed (%s); lock connection dropped", type(error).__name__
            )
            await self._drop()
            if not isinstance(error, Exception):
                raise

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception as error:
                log.warning("lock connection: close failed (%s)", type(error).__name__)

    async def close(self) -> None:
        await self._drop()


def _int4(chat_id: int) -> int:
    """A chat id (up to 64 bits) folded into the lock's 32-bit key. Two chats that share a
    key only wait for each other now and then; no chat is ever handled twice at once."""
    folded = ((chat_id >> 32) ^ chat_id) & 0xFFFFFFFF
    return folded - 2**32 if folded >= 2**31 else folded


def _refusal(receiving: str) -> str:
    if receiving == POLLING:
        return (
            "another worker takes updates from this database (a poller, or webhook workers):"
            " long polling is one worker only; run several workers with --webhook"
        )
    return (
        "a long poller runs on this database: stop it before starting webhook workers"
        " (its deleteWebhook would take every update away from them)"
    )
