"""The one clock. Nothing else asks the system for the time of day.

Production uses `SystemClock`. The script runner moves a fake clock by writing the time to a
file (`FAKE_CLOCK_FILE`), so the bot in its own process follows the script's clock.
Unit tests use `FixedClock`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FileClock:
    """Reads the time the script runner wrote (ISO-8601 with offset) on every call."""

    def __init__(self, path: Path):
        self._path = path

    def now(self) -> datetime:
        return datetime.fromisoformat(self._path.read_text(encoding="utf-8").strip()).astimezone(
            UTC
        )


class FixedClock:
    """A clock for tests that moves only when told to."""

    def __init__(self, start: datetime):
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def clock_from_settings(fake_clock_file: Path | None) -> Clock:
    return FileClock(fake_clock_file) if fake_clock_file else SystemClock()
