"""Telegram's sending limits as the sender keeps them: when may a chat be sent to.

Telegram asks bots for at most ~30 messages per second overall, about 1 per second in one
private chat (a short burst is tolerated) and 20 per minute in one group. A group's budget is
shared so that a red safety alert always has room: rows of a lower priority (lane > 0) to a
group are held back once the group has used `group_reserved_from` of its 20 in the last
minute; the rest is for lane 0.

Only send calls count (methods starting with send, edit, copyMessage, forwardMessage);
`setMyCommands` and other calls are never held here.

Times are real (a monotonic source, injectable for tests), never the bot's clock.

Several requests are in flight at once (bot/telegram/sender.py), so a send is RESERVED when
its request starts (`reserve`): from that moment it counts against the overall and the chat's
budget, and a request starting later sees it. Telegram counts a request when it arrives, at
some moment between our start and the answer. We count it at `start + arrival_jitter`, or at
its answer if that came sooner: the window a later request is checked against then holds
every request that could arrive within one second (one minute for a group) of it, as long as
the one-way delay to Telegram varies by less than that margin from one request to the next.
The margin is the spread of the last round trips (slowest minus fastest of the last
`ROUND_TRIPS_KEPT`), at least `arrival_jitter` and at most a second: a network (or a machine)
whose delays vary more gets more room. A constant round trip, however long, costs nothing
(every arrival is shifted alike); the margin costs its share of a second (30 ms: 3 % of the
rate). Counting from answers only, as one request at a time allowed, would cost the whole
round trip instead: 9 % at 100 ms. A request still unanswered counts as if it arrived now.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

SEND_CALL_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")
ROUND_TRIPS_KEPT = 50  # the margin follows the spread of this many recent round trips
_LONGEST_MARGIN = 1.0
_EPSILON = 1e-9


def is_send_call(method: str) -> bool:
    return method.startswith(SEND_CALL_PREFIXES)


@dataclass(frozen=True)
class Limits:
    overall_per_second: int = 30
    overall_burst: int = 3  # starts that may bunch up to catch up a late slot
    # Several workers (the budgets shared in the database, storage/send_budget.py): lanes > 0
    # stop here in a second; the last slot is for lane 0.
    overall_reserved_from: int = 29
    # A reply to one press is often 2-5 messages (a notice, the step, a chart); Telegram lets
    # such short bursts through in a private chat, and holds the sustained rate to ~1/s.
    private_burst: int = 6
    private_per_second: float = 1.0
    group_per_minute: int = 20
    group_reserved_from: int = 17  # lanes > 0 stop here; the rest is for lane 0
    # How much later, at most, one request may reach Telegram than another started at the
    # same moment (the spread of the one-way delay, plus our own start-up of a request): the
    # least margin; the spread of recent round trips widens it.
    arrival_jitter: float = 0.03

    @property
    def overall_spacing(self) -> float:
        """One send slot: sends are spread out over the second, not bunched at its start, so
        a row that arrives while the budget is busy waits one slot, not the rest of a second."""
        return 1.0 / self.overall_per_second


class Reservation:
    """One send's place in the budgets, from its start: `counted_at` is the latest moment it
    can have reached Telegram as far as later requests are concerned. While no answer has
    come it counts whatever the time (a request held up far longer than the others may
    still arrive any moment)."""

    __slots__ = ("chat_id", "started_at", "counted_at", "answered")

    def __init__(self, chat_id: int, started_at: float, counted_at: float):
        self.chat_id = chat_id
        self.started_at = started_at
        self.counted_at = counted_at
        self.answered = False


class RateLimiter:
    def __init__(
        self, limits: Limits | None = None, monotonic: Callable[[], float] = time.monotonic
    ):
        self.limits = limits or Limits()
        self._now = monotonic
        self._overall: deque[Reservation] = deque()  # in start order
        self._next_slot = float("-inf")  # when the next send slot is due (GCRA)
        self._private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, refill from)
        self._groups: dict[int, deque[Reservation]] = {}  # chat -> sends of the last minute
        self._round_trips: deque[float] = deque(maxlen=ROUND_TRIPS_KEPT)

    # -- asking -------------------------------------------------------------------------

    def wait(self, chat_id: int, lane: int, method: str) -> float:
        """Seconds until a `method` call to `chat_id` in `lane` may start (0.0: now)."""
        if not is_send_call(method):
            return 0.0
        return max(self.overall_wait(), self.chat_wait(chat_id, lane))

    def overall_wait(self) -> float:
        now = self._now()
        # a start may come up to (burst - 1) slots early, so a late start is caught up
        slack = self.limits.overall_spacing * (self.limits.overall_burst - 1)
        wait = self._next_slot - slack - now
        return max(wait, _window_wait(self._overall, now, 1.0, self.limits.overall_per_second))

    def chat_wait(self, chat_id: int, lane: int) -> float:
        now = self._now()
        if chat_id < 0:
            window = self._groups.get(chat_id)
            if not window:
                return 0.0
            allowed = self.limits.group_per_minute
            if lane > 0:
                allowed = min(allowed, self.limits.group_reserved_from)
            return _window_wait(window, now, 60.0, allowed)
        tokens = self._tokens(chat_id, now)
        if tokens >= 1.0 - _EPSILON:
            return 0.0
        not_yet = max(self._private[chat_id][1] - now, 0.0)  # reserved: refill starts later
        return not_yet + (1.0 - tokens) / self.limits.private_per_second

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
            used = len(_live(self._groups[chat_id], now, 60.0))
            if not self._groups[chat_id]:
                del self._groups[chat_id]
            elif used >= self.limits.group_per_minute:
                every_lane.add(chat_id)
            elif used >= self.limits.group_reserved_from:
                low_lanes.add(chat_id)
        return every_lane, low_lanes

    def next_release(self) -> float | None:
        """Seconds until the soonest blocked chat may be sent to again (None: none blocked)."""
        every_lane, low_lanes = self.blocked_chats()
        waits = [self.chat_wait(chat, 0) for chat in every_lane]
        waits += [self.chat_wait(chat, 1) for chat in low_lanes]
        return min(waits) if waits else None

    # -- telling ------------------------------------------------------------------------

    def reserve(self, chat_id: int, method: str) -> Reservation | None:
        """A call starts now: a send takes its place in every budget at once (None: not a
        send call, nothing to count)."""
        if not is_send_call(method):
            return None
        now = self._now()
        self._next_slot = max(self._next_slot, now) + self.limits.overall_spacing
        reservation = Reservation(chat_id, now, now + self.margin())
        self._overall.append(reservation)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(reservation)
        else:
            tokens = self._tokens(chat_id, now)
            # the refill starts from the latest moment Telegram may have counted it
            self._private[chat_id] = (tokens - 1.0, reservation.counted_at)
        return reservation

    def answered(self, reservation: Reservation | None) -> None:
        """The call's answer (or error) is back: it reached Telegram by now at the latest."""
        if reservation is None:
            return
        now = self._now()
        self._round_trips.append(now - reservation.started_at)
        # its own round trip widens the margin if it was slow: it may have arrived late too
        reservation.counted_at = min(now, reservation.started_at + self.margin())
        reservation.answered = True

    def margin(self) -> float:
        """Seconds a request is counted after its start (unless answered sooner): how much
        the delay to Telegram may vary between two requests."""
        spread = 0.0
        if len(self._round_trips) > 1:
            spread = max(self._round_trips) - min(self._round_trips)
        return min(max(self.limits.arrival_jitter, spread), _LONGEST_MARGIN)

    # -- inside -------------------------------------------------------------------------

    def _tokens(self, chat_id: int, now: float) -> float:
        burst = float(self.limits.private_burst)
        tokens, since = self._private.get(chat_id, (burst, now))
        if now <= since:
            return tokens  # reserved a moment ago: no refill yet
        tokens = min(burst, tokens + (now - since) * self.limits.private_per_second)
        self._private[chat_id] = (tokens, now)
        return tokens


def _live(window: deque[Reservation], now: float, span: float) -> list[float]:
    """The moments of the sends that still count in a window of `span` seconds (forgetting
    the oldest ones that no longer do), soonest to leave first. A send still in flight
    counts as if it arrived now."""
    while window and window[0].answered and window[0].counted_at <= now - span:
        window.popleft()
    moments = (r.counted_at if r.answered else max(r.counted_at, now) for r in window)
    return sorted(moment for moment in moments if moment > now - span)


def _window_wait(window: deque[Reservation], now: float, span: float, allowed: int) -> float:
    """Seconds until one more send fits in a sliding window of `span` seconds (0: it fits)."""
    counted = _live(window, now, span)
    if len(counted) < allowed:
        return 0.0
    return max(counted[len(counted) - allowed] + span - now, 0.0)
