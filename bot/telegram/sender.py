"""The sender: one loop that drains the outbox into Telegram.

Rows are taken by lane (safety first, then replies, staff messages, reminders) and, within a
chat, strictly in the order they were queued. Each row is marked 'sending' before the call
and 'sent' with Telegram's message id after it, each in its own transaction, so a crash in
between leaves a row that `recover_after_crash` decides on at the next start.

Telegram's limits (bot/telegram/rate_limits.py) are kept before each call: a chat over its limit is
passed over, its rows staying 'pending' and due, and other chats go meanwhile; sends are
spaced to the overall limit. The outbox is read in batches, one query per lane, so a safety
alert is found at once however many reminders wait; a wake (a new row) looks again.

Transport waits (RetryAfter, back-off, rate limits) are real time, not the bot's clock. In
development only, `transport_speedup` makes that time pass faster (the script suite: the
emulator has no limits to break, and scripts need not wait out Telegram's).

Never silent: whatever goes wrong with one row stays with that row. A row Telegram refuses, or
whose retries run out, is given up with an ERROR line and someone is told
(bot/escalation/undelivered.py); a row that fails in a way nobody foresaw is set aside the same
way (status 'failed', the error's type in last_error, never its message). A chart that cannot
be drawn goes as its text, and a photo or document Telegram will not take goes as text too, so
no file ever blocks its chat. The loop beats its heartbeat every round (bot/supervisor.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings

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
from bot.telegram.rate_limits import RateLimiter
from bot.telegram.uploads import as_document_upload
from storage import outbox
from storage.database import Database, savepoint
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

# The outbox stores Bot API method names, so the sender calls them generically on purpose.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

# Methods whose parameters hold no chat_id (the row's chat only orders them).
_NO_CHAT_PARAM = frozenset({"setMyCommands", "deleteMyCommands"})
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (1, 2, 4, 8, 16, 30)
CANDIDATES_PER_LANE = 100  # rows found per lane in one look at the outbox
CANDIDATES_MAX_AGE = 0.5  # seconds (real) before looking again while busy
FILE_METHODS = frozenset({"sendPhoto", "sendDocument"})
# A file or a command menu that fails this often goes as text (a file) or is given up (a
# menu): neither may hold up the replies queued after it in its chat.
QUICK_ATTEMPTS = 2


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
    ):
        self._bot = bot
        self._speedup = transport_speedup
        self._heartbeat = heartbeat or Heartbeat("sender")
        self._t = Translator(language)  # for the note on a file sent as text
        self._db = database
        self._clock = clock
        self._poll_interval = poll_interval
        self._limiter = limiter or RateLimiter(monotonic=self._transport_now)
        self._wake = asyncio.Event()
        self._held_chats: dict[int, float] = {}  # chat -> monotonic time it may send again
        self._paused_until = 0.0  # a global RetryAfter
        # Rows found by the last look at the outbox, best first: (lane to treat it in, row).
        # Each is the head of its chat; looked at again on wake, after anything but a plain
        # send, when the chat just sent to has more, or after CANDIDATES_MAX_AGE.
        self._candidates: list[tuple[int, OutboxRow]] = []
        self._candidates_at = float("-inf")
        self._stale = True
        self._stopping = False

    def stop(self) -> None:
        """A graceful stop: the request in flight is finished and recorded, no new one starts."""
        self._stopping = True
        self._wake.set()

    def _transport_now(self) -> float:
        """Seconds of transport time: real (monotonic), faster only by the development setting."""
        return time.monotonic() * self._speedup

    def wake(self) -> None:
        self._stale = True
        self._wake.set()

    async def recover(self) -> None:
        repeated, dropped = await self._db.transaction(
            lambda conn: outbox.recover_after_crash(conn, self._clock.now())
        )
        if repeated or dropped:
            log.warning("outbox recovery: %d repeated, %d not repeated", repeated, dropped)

    async def run(self) -> None:
        while not self._stopping:
            try:
                row, wait = await self._next_row()
            except Exception as error:  # the database, most likely: no beat, try again soon
                log.error("sender: reading the outbox failed: %s", type(error).__name__)
                self._stale = True
                await asyncio.sleep(1)
                continue
            self._heartbeat.beat()
            if row is None:
                await self._sleep(wait)
                continue
            try:
                await self._send(row)
            except NotRecorded:
                raise  # the row stays 'sending': a fresh start decides it (see NotRecorded)
            except Exception as error:
                await self._set_aside(row, error)

    async def _sleep(self, seconds: float | None = None) -> None:
        self._wake.clear()
        if self._stopping:
            return
        timeout = self._poll_interval
        if seconds is not None:  # transport seconds, as real ones
            timeout = min(seconds / self._speedup, self._poll_interval)
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=max(timeout, 0.001))
        except TimeoutError:
            pass

    async def _next_row(self) -> tuple[OutboxRow | None, float | None]:
        """The row to send now, claimed ('sending'); or None and how long to wait at most.

        A row its chat's limit holds back stays 'pending' and due (never moved to a later
        time): the outbox shows it as work to do, and it goes as soon as the limit allows."""
        now_real = self._transport_now()
        if now_real < self._paused_until:
            return None, self._paused_until - now_real
        overall = self._limiter.overall_wait()
        if overall > 0 and self._candidates:
            return None, overall  # the next send slot is not open yet
        self._held_chats = {c: t for c, t in self._held_chats.items() if t > now_real}
        if (
            self._stale
            or not self._candidates
            or (now_real - self._candidates_at > CANDIDATES_MAX_AGE)
        ):
            await self._look()
        for index, (lane, row) in enumerate(self._candidates):
            if row.chat_id in self._held_chats:
                continue
            wait = self._limiter.wait(row.chat_id, lane, row.method)
            if wait > 0:
                if self._limiter.chat_wait(row.chat_id, lane) > 0:
                    continue  # this chat is held; a later chat may go
                return None, wait  # only the overall slot: keep the order, wait for it
            del self._candidates[index]
            now = self._clock.now()
            claimed = await self._db.transaction(
                lambda conn, row=row, now=now: outbox.claim(conn, row, now)
            )
            if claimed:
                return row, None
            self._stale = True
            return None, 0.0
        if self._candidates:
            self._stale = True  # every chat found is held: look past them next time
        waits = [until - now_real for until in self._held_chats.values()]
        release = self._limiter.next_release()
        if release is not None:
            waits.append(release)
        return None, min(waits) if waits else None

    async def _look(self) -> None:
        blocked, blocked_above_safety = self._limiter.blocked_chats()
        blocked |= set(self._held_chats)
        now = self._clock.now()
        self._candidates = await self._db.call(
            lambda conn: outbox.due_heads(
                conn,
                now,
                blocked=blocked,
                blocked_above_safety=blocked_above_safety,
                per_lane=CANDIDATES_PER_LANE,
            )
        )
        self._candidates_at = self._transport_now()
        self._stale = False

    async def _send(self, row: OutboxRow) -> None:
        params = dict(row.params)
        params.pop(outbox.REPEAT_NOTE, None)  # ours, not Telegram's
        if row.method not in _NO_CHAT_PARAM:
            params["chat_id"] = row.chat_id
        if row.status == "pending" and row.attempts > 0 and row.repeat_if_unsure:
            log.info("outbox %d: repeating after an uncertain send", row.id)
        method = row.method
        try:
            method, params = await self._ready(row, params)
            result = await self._call(row, method, params)
        except RetryAfter as error:
            self._paused_until = self._transport_now() + _seconds(error.retry_after)
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

    async def _call(self, row: OutboxRow, method: str, params: dict):
        self._limiter.started(method)
        try:
            result = await self._bot.do_api_request(method, api_kwargs=params)
        except Exception as error:
            metrics.sent(method, metrics.outcome_of(error))
            raise
        else:
            metrics.sent(method, "ok")
            return result
        finally:
            # Counted once the answer (or error) is back: see bot/telegram/rate_limits.py.
            self._limiter.record(row.chat_id, method)

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
