"""The sender: a small pool of send workers that drains the outbox into Telegram.

Rows are taken by lane (safety first, then replies, staff messages, reminders) and, within a
chat, strictly in the order they were queued. Up to `workers` requests are in flight at once
(SEND_WORKERS), at most one per chat, so each chat stays in order while Telegram's round trip
(50-150 ms from most hosts) no longer caps the rate. One worker is kept for lane 0: however
many reminders wait, a safety alert is claimed at once and takes the next free send slot.

The loop (`run`) looks at the outbox (one query per lane, so a safety alert is found at once
however many reminders wait; a wake, a new row, looks again), claims the rows for every free
worker in ONE transaction ('sending'), and starts one task per row. A task makes its request
when the budgets allow (`_granted`: lane, then age), then records it ('sent' + a ledger row) in
its own transaction, so a crash in between leaves a row that `recover_after_crash` decides on
at the next start (a reminder at most once, a `repeat_if_unsure` alert at least once). A crash
can also find a row claimed whose request had not started yet; it is decided the same way. A
clean stop (`close`) gives such rows back instead.

Telegram's limits (bot/telegram/rate_limits.py) are RESERVED when a request starts, so a
request started later sees every one still in flight: the limits hold with any round trip. A
chat over its limit is passed over, its rows staying 'pending' and due, and other chats go
meanwhile.

Several workers (processes) on one PostgreSQL database share the outbox: each row is claimed
in one transaction with the chat's turn, a SKIP LOCKED lock on its head, Telegram's budgets
shared in the database and this worker's heartbeat; a dead worker's rows are decided by
another by the crash rules (bot/telegram/send_workers.py). On SQLite (one process) the
budgets are kept in memory only and `recover` decides what a crash left at the start.

Transport waits (RetryAfter, back-off, rate limits) are real time, not the bot's clock. In
development only, `transport_speedup` makes that time pass faster (the script suite: the
emulator has no limits to break, and scripts need not wait out Telegram's).

Never silent: whatever goes wrong with one row stays with that row, in whichever worker. A row
Telegram refuses, or whose retries run out, is given up with an ERROR line and someone is told
(bot/escalation/undelivered.py); a row that fails in a way nobody foresaw is set aside the same
way (status 'failed', the error's type in last_error, never its message). A chart that cannot
be drawn goes as its text, and a photo or document Telegram will not take goes as text too, so
no file ever blocks its chat. A worker cannot quietly leave the pool: one that cannot even set
its row aside, or whose send could not be recorded, ends the loop; one that hangs stops the
loop's heartbeat. Either way the supervisor restarts the process (bot/supervisor.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from dataclasses import dataclass, field
from functools import partial

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.escalation.alerts import channel_lost, delivered
from bot.escalation.undelivered import on_given_up
from bot.i18n import Translator
from bot.ops import metrics
from bot.reminders.reachability import mark_unreachable
from bot.supervisor import Heartbeat
from bot.telegram import uploads
from bot.telegram.rate_limits import RateLimiter, Reservation, is_send_call
from bot.telegram.send_workers import DEFAULT_TIMEOUT_SECONDS, SharedOutbox, Superseded
from bot.telegram.uploads import as_document_upload
from storage import outbox
from storage.database import Database, savepoint
from storage.outbox import OutboxRow
from storage.send_budget import Refusal

log = logging.getLogger(__name__)

# The outbox stores Bot API method names, so the sender calls them generically on purpose.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

# Methods whose parameters hold no chat_id (the row's chat only orders them).
_NO_CHAT_PARAM = frozenset({"setMyCommands", "deleteMyCommands"})
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (1, 2, 4, 8, 16, 30)
DEFAULT_WORKERS = 8  # requests in flight at once (SEND_WORKERS)
# A worker busy this long (a request has its own time-outs, so a chart or an upload that never
# ends) stops the loop's heartbeat: the supervisor restarts the process.
WORKER_HUNG_SECONDS = 90.0
# A graceful stop: how long the requests in flight get to be answered and recorded (inside the
# supervisor's drain, bot/app.py DRAIN_SECONDS).
STOP_DRAIN_SECONDS = 4.0
CANDIDATES_PER_LANE = 100  # rows found per lane in one look at the outbox
CANDIDATES_MAX_AGE = 0.5  # seconds (real) before looking again while busy
FILE_METHODS = frozenset({"sendPhoto", "sendDocument"})
# A file or a command menu that fails this often goes as text (a file) or is given up (a
# menu): neither may hold up the replies queued after it in its chat.
QUICK_ATTEMPTS = 2


@dataclass(eq=False)
class _Work:
    """A row claimed for one worker: its task, since when, and whether its request started."""

    row: OutboxRow
    lane: int
    task: asyncio.Task | None = None
    since: float = field(default_factory=time.monotonic)
    started: bool = False


class _Taken(Exception):
    """A picked row that was no longer its chat's pending head when its turn came."""


class NotRecorded(Exception):
    """Telegram answered but the answer could not be written down (the database). The row
    must not be given up (it may well have been delivered): it stays 'sending', the loop
    ends, and the supervisor restarts the process, whose recovery decides the row as after a
    crash (safety: repeated; everything else: not)."""


async def _recorded(recording, row: OutboxRow) -> None:
    try:
        await recording
    except Exception as error:
        log.critical("outbox %d: sent, but not recorded: %s", row.id, type(error).__name__)
        raise NotRecorded from error


@dataclass
class _Waiter:
    """A worker ready to make its request, waiting for the budgets to allow it."""

    lane: int
    row_id: int
    chat_id: int
    method: str
    future: asyncio.Future


class Sender:
    def __init__(
        self,
        bot: Bot,
        database: Database,
        clock: Clock,
        poll_interval: float,
        limiter: RateLimiter | None = None,
        heartbeat: Heartbeat | None = None,
        language: str = "sv",
        transport_speedup: float = 1.0,
        workers: int = DEFAULT_WORKERS,
        worker_timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ):
        self._bot = bot
        self._speedup = transport_speedup
        self._heartbeat = heartbeat or Heartbeat("sender")
        self._t = Translator(language)  # for the note on a file sent as text
        self._db = database
        self._clock = clock
        self._poll_interval = poll_interval
        self._limiter = limiter or RateLimiter(monotonic=self._transport_now)
        # Several workers may share a PostgreSQL database: claims, budgets and heartbeats go
        # through it. None on SQLite (one process).
        self._shared = None
        if database.dialect == "postgres":
            self._shared = SharedOutbox(
                database,
                clock,
                timeout_seconds=worker_timeout,
                limits=self._limiter.limits,
                speedup=transport_speedup,
            )
        self._workers = max(1, workers)
        # Lanes above 0 may fill this many workers; the rest is for safety.
        self._general_workers = max(1, self._workers - 1)
        self._wake = asyncio.Event()
        self._held_chats: dict[int, float] = {}  # chat -> monotonic time it may send again
        self._paused_until = 0.0  # a global RetryAfter
        # The shared overall budget is used up for lanes > 0 (other workers send too).
        self._paused_above_safety_until = 0.0
        # Rows found by the last look at the outbox, best first: (lane to treat it in, row).
        # Each is the head of its chat; looked at again on wake, after anything but a plain
        # send, when a chat just sent to has more, or after CANDIDATES_MAX_AGE.
        self._candidates: list[tuple[int, OutboxRow]] = []
        self._candidates_at = float("-inf")
        self._stale = True
        self._busy: dict[int, _Work] = {}  # chat -> the row claimed for it, being sent
        self._waiting: list[_Waiter] = []  # workers ready to start, waiting for the budgets
        self._grant_timer: asyncio.TimerHandle | None = None
        self._failed: BaseException | None = None  # what ended a worker beyond its row
        self._closing = False
        self._stopping = False

    def stop(self) -> None:
        """A graceful stop (the supervisor's): claim nothing more; `run` then gives back the
        rows claimed whose request has not started and waits for those in flight (`close`)."""
        self._stopping = True
        self._wake.set()

    def _transport_now(self) -> float:
        """Seconds of transport time: real (monotonic), faster only by the development setting."""
        return time.monotonic() * self._speedup

    def wake(self) -> None:
        self._stale = True
        self._wake.set()

    @property
    def in_flight(self) -> int:
        """Rows claimed and not yet finished (for tests and metrics)."""
        return len(self._busy)

    @property
    def worker_id(self) -> str | None:
        """This worker's name in the shared outbox (None on SQLite)."""
        return self._shared.worker_id if self._shared else None

    async def recover(self) -> None:
        """At the start: decide what a crash left 'sending'. With several workers, only what
        dead workers left: a live worker's rows are its own."""
        if self._shared is not None:
            await self._shared.join()
            return
        repeated, dropped = await self._db.transaction(
            lambda conn: outbox.recover_after_crash(conn, self._clock.now())
        )
        if repeated or dropped:
            log.warning("outbox recovery: %d repeated, %d not repeated", repeated, dropped)

    async def run(self) -> None:
        try:
            while not self._stopping:
                if self._failed is not None:
                    raise self._failed  # see _worker_done: only a fresh start can decide it
                try:
                    wait = await self._dispatch()
                except Exception as error:  # the database, most likely: no beat, try again soon
                    log.error("sender: reading the outbox failed: %s", type(error).__name__)
                    self._stale = True
                    await asyncio.sleep(1)
                    continue
                await self._beat_shared()
                if not self._a_worker_hangs():
                    self._heartbeat.beat()
                self._grant()
                await self._sleep(wait)
            await self.close(STOP_DRAIN_SECONDS)
        finally:
            await self._stop_workers()

    async def close(self, seconds: float) -> None:
        """Stop sending cleanly: claim nothing more, give back the rows claimed whose request
        has not started (they stay 'pending', so nothing is lost or decided as unsure), and
        wait up to `seconds` for the requests in flight to be answered and recorded."""
        self._closing = True
        not_started = [work for work in self._busy.values() if not work.started]
        for work in not_started:
            work.task.cancel()
        await asyncio.gather(*(work.task for work in not_started), return_exceptions=True)
        ids = [work.row.id for work in not_started]
        if ids:
            await self._db.transaction(lambda conn: outbox.release(conn, ids))
        in_flight = [work.task for work in self._busy.values()]
        if in_flight:
            await asyncio.wait(in_flight, timeout=seconds)
        if self._shared is not None:
            try:  # another worker decides at once whatever is still left
                await self._shared.leave()
            except Exception as error:  # then it does so after the timeout
                log.error("send worker: leaving failed: %s", type(error).__name__)

    async def _beat_shared(self) -> None:
        """The heartbeat in the shared outbox, and what dead workers left. A failure (the
        database) is tried again at the next round; a worker declared dead stops."""
        if self._shared is None or not self._shared.beat_due():
            return
        try:
            if await self._shared.beat():
                self.wake()  # repeated alerts wait, and chats are free again
        except Superseded:
            log.critical("send worker %s: declared dead by another worker", self.worker_id)
            raise
        except Exception as error:
            log.error("send worker: heartbeat failed: %s", type(error).__name__)

    async def _sleep(self, seconds: float | None = None) -> None:
        self._wake.clear()
        if self._stopping:
            return
        timeout = self._poll_interval
        if self._shared is not None:
            timeout = min(timeout, self._shared.beat_every)
        if seconds is not None:  # transport seconds, as real ones
            timeout = min(seconds / self._speedup, self._poll_interval)
        # asyncio.wait, not wait_for: Python 3.11's wait_for swallows a cancellation that
        # comes as the wake does (then the loop would never stop)
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({woken}, timeout=max(timeout, 0.001))
        finally:
            woken.cancel()

    # -- claiming -------------------------------------------------------------------------

    async def _dispatch(self) -> float | None:
        """Claim rows for the free workers and start them; how long to wait at most.

        A row its chat's limit holds back stays 'pending' and due (never moved to a later
        time): the outbox shows it as work to do, and it goes as soon as the limit allows."""
        now_real = self._transport_now()
        self._held_chats = {c: t for c, t in self._held_chats.items() if t > now_real}
        if now_real < self._paused_until:
            return self._paused_until - now_real
        free = self._workers - len(self._busy)
        if self._closing or free <= 0:
            return None  # a worker that finishes wakes the loop
        if (
            self._stale
            or not self._candidates
            or (now_real - self._candidates_at > CANDIDATES_MAX_AGE)
        ):
            await self._look()
        picked = self._pick(free)
        if picked:
            await self._claim(picked)
            if self._stale:
                return 0.0  # look again at once
        elif self._candidates and len(self._busy) < self._general_workers:
            self._stale = True  # every chat found is held: look past them next time
        waits = [until - now_real for until in self._held_chats.values()]
        release = self._limiter.next_release()
        if release is not None:
            waits.append(release)
        return min(waits) if waits else None

    def _pick(self, free: int) -> list[tuple[int, OutboxRow]]:
        """The best rows for `free` workers: one per chat, none to a chat busy, held or over
        its limit, and lanes above 0 never in the worker kept for safety."""
        picked: list[tuple[int, OutboxRow]] = []
        chats: set[int] = set()
        safety_busy = any(work.lane == 0 for work in self._busy.values())
        for lane, row in self._candidates:
            if len(picked) >= free:
                break
            chat = row.chat_id
            if chat in self._busy or chat in self._held_chats or chat in chats:
                continue
            if lane > 0 and len(self._busy) + len(picked) >= self._general_workers:
                continue
            if lane == 0 and safety_busy:
                continue  # one at a time: see _SAFETY_ONE_AT_A_TIME
            safety_busy |= lane == 0
            if self._limiter.chat_wait(chat, lane) > 0:
                continue  # this chat is held; a later chat may go
            picked.append((lane, row))
            chats.add(chat)
        taken = {row.id for _, row in picked}
        self._candidates = [(lane, row) for lane, row in self._candidates if row.id not in taken]
        return picked

    # _SAFETY_ONE_AT_A_TIME: lane-0 rows (alerts, a patient's safety message) go one at a
    # time, each claimed only when it can start: a crash then leaves at most the one whose
    # request is out 'sending' (an alert is repeated; a safety message without
    # repeat_if_unsure is not), as with one request in flight. They are few; the kept worker
    # means each still goes at once.

    async def _claim(self, picked: list[tuple[int, OutboxRow]]) -> None:
        """Check the picked rows in one transaction (still pending, still their chat's head)
        and start a worker for each. A row becomes 'sending' only when its request starts
        (`_call`): a crash never leaves a row 'sending' whose request never left, so nothing
        waiting for its turn is decided as "unsure" and lost."""
        now = self._clock.now()
        rows = [row for _, row in picked]
        claimed = await self._db.call(lambda conn: outbox.still_heads(conn, rows, now))
        if len(claimed) < len(picked):
            self._stale = True  # something changed since the look
        for lane, row in picked:
            if row.id in claimed:
                work = _Work(row, lane)
                self._busy[row.chat_id] = work
                work.task = asyncio.create_task(self._work(lane, work), name=f"send {row.id}")
                work.task.add_done_callback(partial(self._worker_done, work))

    async def _look(self) -> None:
        blocked, blocked_above_safety = self._limiter.blocked_chats()
        blocked |= set(self._held_chats) | set(self._busy)
        now = self._clock.now()
        # Only the worker kept for safety is free: look for lane 0 alone (a woken alert is
        # found by one short query, not four over the reminders' backlog).
        safety_only = len(self._busy) >= self._general_workers
        self._candidates = await self._db.call(
            lambda conn: outbox.due_heads(
                conn,
                now,
                blocked=blocked,
                blocked_above_safety=blocked_above_safety,
                per_lane=CANDIDATES_PER_LANE,
                safety_only=safety_only,
            )
        )
        self._candidates_at = self._transport_now()
        self._stale = safety_only  # look at every lane once a worker is free

    # -- the workers ----------------------------------------------------------------------

    async def _work(self, lane: int, work: _Work) -> None:
        """One worker's row, contained: whatever fails stays with this row."""
        try:
            await self._send(work, lane)
        except _Taken:
            self._stale = True  # the row changed since it was picked: look again
        except (NotRecorded, Superseded):
            # NotRecorded: the row stays 'sending', a fresh start decides it. Superseded:
            # another worker declared this one dead and decides its rows; it must stop.
            raise
        except Exception as error:
            await self._set_aside(work.row, error)

    def _worker_done(self, work: _Work, task: asyncio.Task) -> None:
        if self._busy.get(work.row.chat_id) is work:
            del self._busy[work.row.chat_id]
        if not task.cancelled() and task.exception() is not None and self._failed is None:
            self._failed = task.exception()  # run() raises it: the loop ends
        self._wake.set()  # a worker is free

    def _a_worker_hangs(self) -> bool:
        """A request or a chart that never ends must not quietly hold a worker: the loop
        stops beating, so the supervisor restarts the process."""
        now = time.monotonic()
        for work in self._busy.values():
            if now - work.since > WORKER_HUNG_SECONDS:
                log.critical("outbox %d: its worker is stuck", work.row.id)
                return True
        return False

    async def _stop_workers(self) -> None:
        if self._grant_timer is not None:
            self._grant_timer.cancel()
        tasks = [work.task for work in self._busy.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- the budgets ----------------------------------------------------------------------

    async def _granted(self, row: OutboxRow, lane: int, method: str) -> Reservation | None:
        """Wait until this request may start (lane first, then age, across all workers) and
        reserve its place in Telegram's budgets."""
        if not is_send_call(method):
            return None
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiter(lane, row.id, row.chat_id, method, future))
        self._grant()
        try:
            return await future
        finally:
            self._waiting = [w for w in self._waiting if w.future is not future]

    def _grant(self) -> None:
        """Let the best waiting workers start, as many as the budgets allow now; come back
        when the next one may."""
        if self._grant_timer is not None:
            self._grant_timer.cancel()
            self._grant_timer = None
        if not self._waiting:
            return
        now = self._transport_now()
        if now < self._paused_until:
            self._grant_later(self._paused_until - now)
            return
        self._waiting.sort(key=lambda w: (w.lane, w.row_id))
        soonest = None
        for waiter in list(self._waiting):
            if waiter.future.done():
                continue
            if waiter.lane > 0 and now < self._paused_above_safety_until:
                pause = self._paused_above_safety_until - now
                soonest = pause if soonest is None else min(soonest, pause)
                continue
            held = self._limiter.chat_wait(waiter.chat_id, waiter.lane)
            if held > 0:  # another chat may go meanwhile
                soonest = held if soonest is None else min(soonest, held)
                continue
            overall = self._limiter.overall_wait()
            if overall > 0:
                soonest = overall if soonest is None else min(soonest, overall)
                break  # keep the order: the best waits for the next slot
            waiter.future.set_result(self._limiter.reserve(waiter.chat_id, waiter.method))
            self._waiting.remove(waiter)
        if soonest is not None:
            self._grant_later(soonest)

    def _grant_later(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._grant_timer = loop.call_later(max(seconds / self._speedup, 0.0005), self._grant)

    async def _send(self, work: _Work, lane: int) -> None:
        row = work.row
        params = dict(row.params)
        params.pop(outbox.REPEAT_NOTE, None)  # ours, not Telegram's
        if row.method not in _NO_CHAT_PARAM:
            params["chat_id"] = row.chat_id
        if row.status == "pending" and row.attempts > 0 and row.repeat_if_unsure:
            log.info("outbox %d: repeating after an uncertain send", row.id)
        method = row.method
        try:
            method, params = await self._ready(row, params)
            result = await self._call(work, lane, method, params)
        except RetryAfter as error:
            until = self._transport_now() + _seconds(error.retry_after)
            self._paused_until = max(self._paused_until, until)
            await self._retry(row, "retry_after", hold=False)
        except ChatMigrated as migrated:
            new_chat_id = migrated.new_chat_id
            await self._db.transaction(
                lambda conn: outbox.move_chat(conn, row.chat_id, new_chat_id)
            )
        except Forbidden:
            log.warning("outbox %d: forbidden (blocked or removed) chat", row.id)
            await self._finish_forbidden(row)
        except BadRequest as error:
            if "message is not modified" in error.message:
                await self._finish_sent(row, None)
            elif method in FILE_METHODS:
                await self._as_text(row, "bad_request")
            else:
                await self._give_up(row, "bad_request")
        except (TimedOut, NetworkError) as error:
            log.warning("outbox %d: %s, attempt %d", row.id, type(error).__name__, row.attempts + 1)
            quick = method in FILE_METHODS or method in _NO_CHAT_PARAM
            if method in FILE_METHODS and row.attempts + 1 >= QUICK_ATTEMPTS:
                await self._as_text(row, "network")
            elif row.attempts + 1 >= (QUICK_ATTEMPTS if quick else MAX_ATTEMPTS):
                await self._give_up(row, "network")
            else:
                await self._retry(row, type(error).__name__, hold=True)
        else:
            message_id = result.get("message_id") if isinstance(result, dict) else None
            await _recorded(self._finish_sent(row, message_id), row)
            return
        self._stale = True  # anything but a plain send: look at the outbox afresh

    async def _ready(self, row: OutboxRow, params: dict) -> tuple[str, dict]:
        """The call to make: a chart drawn (only now, off the event loop), a document's text
        as the file. A chart that cannot be drawn goes as its text instead."""
        try:
            params = await uploads.as_photo_upload(params)
        except Exception as error:  # whatever the drawing library made of people's text
            log.error(
                "outbox %d: chart not drawn (%s); sending its text", row.id, type(error).__name__
            )
            return "sendMessage", _text_version(params, None)
        return row.method, as_document_upload(params)

    async def _call(self, work: _Work, lane: int, method: str, params: dict):
        while True:
            reservation = await self._granted(work.row, lane, method)
            try:
                # 'sending' now, just before the request: the outbox's crash rules hold per row.
                refusal = await self._start(work, lane, method)
                if refusal is None:
                    work.started = True
                    try:
                        result = await self._bot.do_api_request(method, api_kwargs=params)
                    except Exception as error:
                        metrics.sent(method, metrics.outcome_of(error))
                        raise
                    metrics.sent(method, "ok")
                    return result
            finally:
                self._limiter.answered(reservation)
                self._grant()  # an answer may free room in a window
            self._refused(work.row, lane, refusal)

    async def _start(self, work: _Work, lane: int, method: str) -> Refusal | None:
        """Claim the row ('sending'): None when claimed, a Refusal when the budgets shared
        with other workers say wait; `_Taken` when the row is no longer its chat's pending
        head (withheld, forgotten, moved on, or another worker has its chat)."""
        now = self._clock.now()
        row = work.row
        if self._shared is None:
            if not await self._db.transaction(lambda conn: outbox.claim(conn, row, now)):
                raise _Taken(row.id)
            return None
        margin = self._limiter.margin()
        shared = self._shared
        claimed = await self._db.transaction(
            lambda conn: shared.claim(conn, row, lane, method, now, margin)
        )
        if claimed is False:
            raise _Taken(row.id)
        return None if claimed is True else claimed

    def _refused(self, row: OutboxRow, lane: int, refusal: Refusal) -> None:
        """Other workers used the budget: a chat's own budget holds the chat (its row stays
        pending; the worker takes another chat), the overall one holds this lane group a
        moment, and the row waits its turn again."""
        until = self._transport_now() + refusal.wait
        if refusal.chat:
            self._held_chats[row.chat_id] = until
            raise _Taken(row.id)
        if lane == 0:
            self._paused_until = max(self._paused_until, until)
        else:
            self._paused_above_safety_until = max(self._paused_above_safety_until, until)

    async def _retry(self, row: OutboxRow, reason: str, *, hold: bool) -> None:
        if hold:
            delay = BACKOFF_SECONDS[min(row.attempts, len(BACKOFF_SECONDS) - 1)]
            self._held_chats[row.chat_id] = self._transport_now() + delay
        await self._db.transaction(
            lambda conn: outbox.retry_later(conn, row.id, self._clock.now(), reason)
        )

    async def _finish_sent(self, row: OutboxRow, message_id: int | None) -> None:
        now = self._clock.now()

        def record(conn):
            outbox.mark_sent(conn, row, message_id, now)
            delivered(conn, row.id)  # a flag's alert reached someone
            return row.chat_id is not None and outbox.chat_has_due(conn, row.chat_id, now)

        if await self._db.transaction(record):
            self._stale = True  # the chat's next row is due: find it in its lane

    async def _finish_forbidden(self, row: OutboxRow) -> None:
        """The chat is closed to the bot: this row fails; a patient becomes unreachable, and
        a lost therapist channel sends its alerts privately instead."""
        now = self._clock.now()

        def record(conn):
            outbox.mark_failed(conn, row, "forbidden", now)
            if not channel_lost(conn, row.chat_id, now):
                mark_unreachable(conn, row.chat_id, now)

        await self._db.transaction(record)
        self.wake()

    async def _give_up(self, row: OutboxRow, reason: str) -> None:
        """Telegram refused the row, or its retries ran out: it fails for good, never holding
        up its chat, and whoever must know is told by another route."""
        log.error(
            "outbox %d: %s to chat %s given up (%s; lane %d, %d attempts)",
            row.id,
            row.method,
            row.chat_id,
            reason,
            row.lane,
            row.attempts + 1,
        )
        metrics.set_aside("outbox")
        now = self._clock.now()

        def record(conn):
            outbox.mark_failed(conn, row, reason, now)
            try:  # telling people must not undo the row's end (it would come back forever)
                with savepoint(conn):
                    on_given_up(conn, row, now)
            except Exception as error:
                log.error("outbox %d: telling of it failed: %s", row.id, type(error).__name__)

        await self._db.transaction(record)
        self.wake()

    async def _set_aside(self, row: OutboxRow, error: Exception) -> None:
        """A failure nobody foresaw, inside one row: that row is set aside (given up, with the
        error's type only: its message may hold a person's text) and the loop goes on."""
        self._stale = True
        try:
            await self._give_up(row, f"error:{type(error).__name__}")
        except Exception as second:
            # The row stays 'sending' and holds its chat: only a fresh start can decide it
            # (recover_after_crash). End the loop, so the supervisor restarts the process.
            log.critical("outbox %d: could not be set aside: %s", row.id, type(second).__name__)
            raise

    async def _as_text(self, row: OutboxRow, reason: str) -> None:
        """A photo or document Telegram will not take goes as its text, so the person still
        gets what it says and nothing waits behind it."""
        log.error("outbox %d: %s failed (%s); sending its text instead", row.id, row.method, reason)
        note = self._t("send.file_failed") if row.method == "sendDocument" else None
        params = _text_version(row.params, note)
        await self._db.transaction(
            lambda conn: outbox.replace_call(conn, row.id, "sendMessage", params)
        )


def _text_version(params: dict, note: str | None) -> dict:
    """A photo's or document's row as a text message: its caption (and a note), its buttons."""
    text = "\n\n".join(part for part in (params.get("caption"), note) if part) or "…"
    names = ("chat_id", "parse_mode", "reply_markup", outbox.REPEAT_NOTE)
    kept = {name: params[name] for name in names if name in params}
    return {"text": text, **kept}


def _seconds(retry_after) -> float:
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else retry_after
