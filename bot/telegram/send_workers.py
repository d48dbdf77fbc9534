"""Several workers sending from one outbox (PostgreSQL): who this worker is, its heartbeat,
taking over what a dead worker left, and Telegram's budgets shared by all of them.

Any number of `python -m bot run` processes may share one PostgreSQL database. Each sender
(bot/telegram/sender.py) keeps its own pool, its own in-memory limiter and its lane order, and
claims each row with this module just before its request, in ONE transaction:

1. the chat's claims take turns (an advisory lock; a chat another worker is claiming in is
   passed over) and the chat's head is locked SKIP LOCKED (`outbox.lock_head`): one chat's
   rows strictly in order, at most one in flight per chat across all workers;
2. this worker's heartbeat row is renewed (a worker declared dead may claim nothing more);
3. Telegram's budgets for the bot token are checked and the send recorded
   (storage/send_budget.py), so all workers together stay within ~30/s, 1/s per private chat
   and 20/min per group;
4. the row becomes 'sending', `claimed_by` this worker.

A worker beats every `timeout / 4` seconds (at most 10) and, as it beats, decides the rows of
workers silent past the timeout by the crash rules (storage/workers.py), so a dead worker
never blocks a chat for longer than the timeout and its alerts still arrive. At its start a
worker decides only the rows of dead workers, never a live one's.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time

from bot.clock import Clock
from bot.telegram.rate_limits import Limits, is_send_call
from storage import outbox, send_budget, workers
from storage.database import Database
from storage.outbox import OutboxRow
from storage.send_budget import Budgets, Refusal

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 60.0  # WORKER_TIMEOUT_SECONDS
LONGEST_BEAT_SECONDS = 10.0


class Superseded(Exception):
    """This worker's heartbeat row is gone: another worker declared it dead and decided its
    rows. It must stop (the supervisor restarts the process as a new worker)."""


def new_worker_id() -> str:
    """host:pid:random, unique across restarts (a container may reuse its host name and pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class SharedOutbox:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        limits: Limits | None = None,
        speedup: float = 1.0,
    ):
        self.worker_id = new_worker_id()
        self.timeout_seconds = timeout_seconds
        self.beat_every = min(timeout_seconds / 4, LONGEST_BEAT_SECONDS)
        self._db = database
        self._clock = clock
        self._speedup = speedup
        limits = limits or Limits()
        self._budgets = Budgets(
            overall_per_second=limits.overall_per_second,
            overall_reserved_from=limits.overall_reserved_from,
            private_burst=limits.private_burst,
            private_per_second=limits.private_per_second,
            group_per_minute=limits.group_per_minute,
            group_reserved_from=limits.group_reserved_from,
        )
        self._beaten_at = float("-inf")

    async def join(self) -> int:
        """At the start: this worker's heartbeat row, then what dead workers left (never a live
        one's rows). Returns how many rows were decided."""
        await self._db.transaction(lambda conn: workers.join(conn, self.worker_id))
        self._beaten_at = time.monotonic()
        log.info("send worker %s joined", self.worker_id)
        return await self._take_over()

    def beat_due(self) -> bool:
        return time.monotonic() - self._beaten_at >= self.beat_every

    async def beat(self) -> int:
        """Renew the heartbeat, decide what dead workers left, forget old sends. Returns how
        many rows were decided (the sender looks at the outbox again then)."""
        if not await self._db.transaction(lambda conn: workers.renew(conn, self.worker_id)):
            raise Superseded(self.worker_id)
        self._beaten_at = time.monotonic()
        await self._db.transaction(lambda conn: send_budget.prune(conn, self._speedup))
        return await self._take_over()

    async def leave(self) -> None:
        await self._db.transaction(lambda conn: workers.leave(conn, self.worker_id))
        log.info("send worker %s left", self.worker_id)

    def claim(
        self, conn, row: OutboxRow, lane: int, method: str, now, margin: float
    ) -> bool | Refusal:
        """In one transaction: True (the row is 'sending', this worker's), False (taken or
        changed: look again) or a Refusal (Telegram's budgets: wait)."""
        if not outbox.lock_head(conn, row, now):
            return False
        if not workers.renew(conn, self.worker_id):
            raise Superseded(self.worker_id)
        if is_send_call(method):
            refusal = send_budget.admit(
                conn,
                row.chat_id,
                lane,
                self._budgets,
                margin=margin,
                speedup=self._speedup,
                remember_chat=not row.forget_recipient,
            )
            if refusal is not None:
                return refusal
        outbox.mark_sending(conn, row.id, now, self.worker_id)
        return True

    async def _take_over(self) -> int:
        now = self._clock.now()
        repeated, dropped, dead = await self._db.transaction(
            lambda conn: workers.take_over(conn, now, self.timeout_seconds)
        )
        for worker_id in dead:
            log.warning(
                "send worker %s is silent past %.0f s: taken over", worker_id, self.timeout_seconds
            )
        if repeated or dropped:
            log.warning(
                "outbox: rows left by dead workers: %d repeated, %d not repeated",
                repeated,
                dropped,
            )
        return repeated + dropped
