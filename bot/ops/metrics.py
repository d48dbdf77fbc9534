"""The bot's metrics, in the Prometheus format (`prometheus_client`), on a registry of our own.

Counters are incremented where things happen (the handlers, the sender, the poller, the
periodic jobs, containment) through the small functions below, which are cheap and safe to
call from any thread. Gauges that need the database (outbox depth, oldest waiting send,
oldest unhandled red flag) are read when /metrics is scraped (`endpoint.py`).

No patient data in any label: a label is a Bot API method name, an outcome, a lane, a loop
or job name, or the kind of thing set aside -- all words from our own code, never a chat id,
a label or a text.
"""

from __future__ import annotations

import re
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.process_collector import ProcessCollector

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # memory, CPU, open files, start time

UPDATES_HANDLED = Counter(
    "ikbt_updates_handled", "Updates whose turn was stored.", registry=REGISTRY
)
TURNS_FAILED = Counter(
    "ikbt_turns_failed",
    "Updates whose route failed (rolled back; apology sent).",
    registry=REGISTRY,
)
SENDS = Counter(
    "ikbt_sends",
    "Bot API send calls by method and outcome.",
    ["method", "outcome"],
    registry=REGISTRY,
)
TOO_MANY_REQUESTS = Counter(
    "ikbt_telegram_429",
    "Answers 429 (Too Many Requests) from the Bot API.",
    ["call"],
    registry=REGISTRY,
)
SET_ASIDE = Counter(
    "ikbt_set_aside",
    "Rows set aside after a failure (an update, an outbox row, a tick item).",
    ["kind"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "ikbt_job_duration_seconds",
    "Duration of a periodic job's run (tick, purge, checkpoint).",
    ["job"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "ikbt_outbox_depth",
    "Outbox rows waiting or being sent, per lane (0 safety, 1 replies, 2 staff, 3 reminders).",
    ["lane"],
    registry=REGISTRY,
)
OLDEST_PENDING_SEND = Gauge(
    "ikbt_outbox_oldest_pending_seconds",
    "How long the oldest due outbox row has waited (0: none waits).",
    registry=REGISTRY,
)
OLDEST_RED_FLAG = Gauge(
    "ikbt_oldest_unhandled_red_flag_seconds",
    "Age of the oldest red flag no person has handled yet (0: none open).",
    registry=REGISTRY,
)

LANES = (0, 1, 2, 3)
# A Bot API method name, as our outbox stores it; anything else is counted as "other".
_METHOD = re.compile(r"^[A-Za-z]{1,40}$")

_telegram_answered_at: float | None = None  # monotonic: the last answer from the Bot API


def update_handled() -> None:
    UPDATES_HANDLED.inc()


def turn_failed() -> None:
    TURNS_FAILED.inc()


def sent(method: str, outcome: str) -> None:
    """One send call's outcome: ok, retry_after, bad_request, forbidden, migrated, timed_out,
    network or error."""
    SENDS.labels(method=_method(method), outcome=outcome).inc()
    if outcome == "retry_after":
        too_many_requests("send")
    if outcome not in ("network", "timed_out", "error"):
        telegram_answered()


def too_many_requests(call: str) -> None:
    """`call`: send or get_updates."""
    TOO_MANY_REQUESTS.labels(call=call).inc()


def set_aside(kind: str) -> None:
    SET_ASIDE.labels(kind=kind).inc()


def job_ran(job: str, seconds: float) -> None:
    JOB_SECONDS.labels(job=job).observe(seconds)


def telegram_answered() -> None:
    """The Bot API answered (anything, even a refusal): Telegram is reachable."""
    global _telegram_answered_at
    _telegram_answered_at = time.monotonic()


def seconds_since_telegram_answered() -> float | None:
    """None: no answer yet in this process."""
    if _telegram_answered_at is None:
        return None
    return time.monotonic() - _telegram_answered_at


def outcome_of(error: BaseException | None) -> str:
    """A send's outcome from the error it raised (None: it went). By class name, so this
    module needs no python-telegram-bot (only bot/telegram/ imports it)."""
    if error is None:
        return "ok"
    names = {kind.__name__ for kind in type(error).__mro__}
    for name, outcome in (
        ("RetryAfter", "retry_after"),
        ("ChatMigrated", "migrated"),
        ("Forbidden", "forbidden"),
        ("BadRequest", "bad_request"),
        ("TimedOut", "timed_out"),
        ("NetworkError", "network"),
    ):
        if name in names:
            return outcome
    return "error"


def _method(method: str) -> str:
    return method if _METHOD.match(method) else "other"
