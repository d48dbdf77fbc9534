"""Telegram's sending limits as the sender keeps them: when may a chat be sent to.

Telegram asks bots for at most ~30 messages per second overall, about 1 per second in one
private chat (a short burst is tolerated) and 20 per minute in one group. A group's budget is
shared so that a red safety alert always has room: rows of a lower priority (lane > 0) to a
group are held back once the group has used `group_reserved_from` of its 20 in the last
minute; the rest is for lane 0.

Only send calls count (methods starting with send, edit, copyMessage, forwardMessage);
`setMyCommands` and other calls are never held here.

Times are real (a monotonic source, injectable for tests), never the bot's clock. A send is
recorded when its answer came back, not when it started: with one request at a time, the
moment Telegram received a request lies between its start and its answer, so a budget counted
from answers is never more generous than the one Telegram counts from arrivals, whatever the
network delay.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

SEND_CALL_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")
_EPSILON = 1e-9


def is_send_call(method: str) -> bool:
    return method.startswith(SEND_CALL_PREFIXES)


@dataclass(frozen=True)
class Limits:
    overall_per_second: int = 30
    overall_burst: int = 3  # starts that may bunch up to catch up a late slot
    # A reply to one press is often 2-5 messages (a notice, the step, a chart); Telegram lets
    # such short bursts through in a private chat, and holds the sustained rate to ~1/s.
    private_burst: int = 6
    private_per_second: float = 1.0
    group_per_minute: int = 20
    group_reserved_from: int = 17  # lanes > 0 stop here; the rest is for lane 0

    @property
    def overall_spacing(self) -> float:
        """One send slot: sends are spread out over the second, not bunched at its start, so
        a row that arrives while the budget is busy waits one slot, not the rest of a second."""
        return 1.0 / self.overall_per_second


class RateLimiter:
    def __init__(
        self, limits: Limits | None = None, monotonic: Callable[[], float] = time.monotonic
    ):
        self.limits = limits or Limits()
        self._now = monotonic
        self._overall: deque[float] = deque()  # answers in the last second
        self._next_slot = float("-inf")  # when the next send slot is due (GCRA)
        self._private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._groups: dict[int, deque[float]] = {}  # chat -> answers in the last minute

    # -- asking -------------------------------------------------------------------------

    def wait(self, chat_id: int, lane: int, method: str) -> float:
        """Seconds until a `method` call to `chat_id` in `lane` may start (0.0: now)."""
        if not is_send_call(method):
            return 0.0
        return max(self.overall_wait(), self.chat_wait(chat_id, lane))

    def overall_wait(self) -> float:
        now = self._now()
        window = self._trim(self._overall, now, 1.0)
        # a start may come up to (burst - 1) slots early, so a late start is caught up
        slack = self.limits.overall_spacing * (self.limits.overall_burst - 1)
        wait = self._next_slot - slack - now
        if len(window) >= self.limits.overall_per_second:
            wait = max(wait, window[len(window) - self.limits.overall_per_second] + 1.0 - now)
        return max(wait, 0.0)

    def chat_wait(self, chat_id: int, lane: int) -> float:
        now = self._now()
        if chat_id < 0:
            window = self._groups.get(chat_id)
            if not window:
                return 0.0
            self._trim(window, now, 60.0)
            allowed = self.limits.group_per_minute
            if lane > 0:
                allowed = min(allowed, self.limits.group_reserved_from)
            if len(window) < allowed:
                return 0.0
            return max(window[len(window) - allowed] + 60.0 - now, 0.0)
        tokens = self._tokens(chat_id, now)
        if tokens >= 1.0 - _EPSILON:
            return 0.0
        return (1.0 - tokens) / self.limits.private_per_second

    def blocked_chats(self) -> tuple[set[int], set[int]]:
        """The chats that may not be sent to now: (for any lane, for lanes > 0 only)."""
        every_lane: set[int] = set()
        low_lanes: set[int] = set()
        now = self._now()
        for chat_id in list(self._private):
            if self._tokens(chat_id, now) < 1.0 - _EPSILON:
                every_lane.add(chat_id)
            elif self._private[chat_id][0] >= self.limits.private_burst:
                del self._private[chat_id]  # full again: nothing to remember
        for chat_id in list(self._groups):
            window = self._trim(self._groups[chat_id], now, 60.0)
            if not window:
                del self._groups[chat_id]
            elif len(window) >= self.limits.group_per_minute:
                every_lane.add(chat_id)
            elif len(window) >= self.limits.group_reserved_from:
                low_lanes.add(chat_id)
        return every_lane, low_lanes

    def next_release(self) -> float | None:
        """Seconds until the soonest blocked chat may be sent to again (None: none blocked)."""
        every_lane, low_lanes = self.blocked_chats()
        waits = [self.chat_wait(chat, 0) for chat in every_lane]
        waits += [self.chat_wait(chat, 1) for chat in low_lanes]
        return min(waits) if waits else None

    # -- telling ------------------------------------------------------------------------

    def started(self, method: str) -> None:
        """A call is about to go out (slots count from starts)."""
        if is_send_call(method):
            self._next_slot = max(self._next_slot, self._now()) + self.limits.overall_spacing

    def record(self, chat_id: int, method: str) -> None:
        """A call's answer (or error) came back: it counts against the budgets."""
        if not is_send_call(method):
            return
        now = self._now()
        self._overall.append(now)
        self._trim(self._overall, now, 1.0)
        if chat_id < 0:
            window = self._groups.setdefault(chat_id, deque())
            window.append(now)
            self._trim(window, now, 60.0)
        else:
            tokens = self._tokens(chat_id, now)
            self._private[chat_id] = (tokens - 1.0, now)

    # -- inside -------------------------------------------------------------------------

    def _tokens(self, chat_id: int, now: float) -> float:
        burst = float(self.limits.private_burst)
        tokens, at = self._private.get(chat_id, (burst, now))
        tokens = min(burst, tokens + (now - at) * self.limits.private_per_second)
        self._private[chat_id] = (tokens, now)
        return tokens

    @staticmethod
    def _trim(window: deque[float], now: float, span: float) -> deque[float]:
        while window and window[0] <= now - span:
            window.popleft()
        return window
