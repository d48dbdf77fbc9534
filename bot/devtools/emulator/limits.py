"""Telegram's sending limits, enforced by the emulator when asked (off by default).

With limits on, a send call that breaks one of Telegram's published limits is answered
`429 Too Many Requests` with `retry_after`, as Telegram does:

- more than 30 send calls in any 1 s window, over all chats;
- more than 1 per second in one private chat, sustained beyond a burst of 6 (a token bucket:
  3 tokens, refilled at 1 per second);
- more than 20 in any 60 s window in one group (a negative chat id).

Calls are counted when they arrive; a refused call does not count. Time is real
(`time.monotonic`, injectable for tests). This is written apart from the bot's own limiter
(`bot/telegram/rate_limits.py`) on purpose: the emulator is the judge, not a copy of the bot.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from bot.devtools.emulator.errors import ApiError

OVERALL_PER_SECOND = 30
PRIVATE_BURST = 6
PRIVATE_PER_SECOND = 1.0
GROUP_PER_MINUTE = 20
_EPSILON = 1e-9


class TelegramLimits:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self._now = monotonic
        self._overall: deque[float] = deque()
        self._private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._groups: dict[int, deque[float]] = {}
        self.accepted = 0
        self.refused = 0  # how many 429s were answered

    def admit(self, chat_id: object) -> None:
        """Count one send call to `chat_id`, or raise the 429 Telegram would answer."""
        now = self._now()
        waits = [_window_wait(self._overall, now, 1.0, OVERALL_PER_SECOND)]
        chat = _as_int(chat_id)
        tokens = None
        if chat is not None and chat < 0:
            window = self._groups.setdefault(chat, deque())
            waits.append(_window_wait(window, now, 60.0, GROUP_PER_MINUTE))
        elif chat is not None:
            held, at = self._private.get(chat, (float(PRIVATE_BURST), now))
            tokens = min(float(PRIVATE_BURST), held + (now - at) * PRIVATE_PER_SECOND)
            if tokens < 1.0 - _EPSILON:
                waits.append((1.0 - tokens) / PRIVATE_PER_SECOND)
        wait = max(waits)
        if wait > 0:
            self.refused += 1
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        self.accepted += 1
        self._overall.append(now)
        if chat is not None and chat < 0:
            self._groups[chat].append(now)
        elif chat is not None:
            self._private[chat] = (tokens - 1.0, now)


def _window_wait(window: deque[float], now: float, span: float, allowed: int) -> float:
    """Seconds until one more call fits in a sliding window of `span` seconds (0: it fits)."""
    while window and window[0] <= now - span:
        window.popleft()
    if len(window) < allowed:
        return 0.0
    return window[len(window) - allowed] + span - now


def _as_int(chat_id: object) -> int | None:
    try:
        return int(chat_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None  # an @username: counted overall only
