"""The script's fake clock: held by the runner, written to a file the bot reads for "now".

The file holds one ISO-8601 UTC time, replaced atomically (temp file + os.replace), so the bot
never reads half a time.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_ZONE = ZoneInfo("Europe/Stockholm")
DEFAULT_START = datetime(2026, 12, 1, 8, 0)  # local, in DEFAULT_ZONE


class NonexistentLocalTime(ValueError):
    pass


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive local time in `zone` as UTC; the earlier one when the clock goes back, and
    NonexistentLocalTime when it falls in the gap when the clock goes forward."""
    aware = local.replace(tzinfo=zone, fold=0)
    as_utc = aware.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != local:
        raise NonexistentLocalTime(
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks skip it)"
        )
    return as_utc


class FakeClock:
    def __init__(self, path: Path, zone: ZoneInfo = DEFAULT_ZONE, start: datetime | None = None):
        self.path = path
        self.zone = zone
        self._now = start or local_to_utc(DEFAULT_START, zone)
        self._write()

    @property
    def now(self) -> datetime:
        return self._now

    def local(self, moment: datetime | None = None) -> str:
        """A time as the transcript shows it: local, to the minute."""
        return f"{(moment or self._now).astimezone(self.zone):%Y-%m-%d %H:%M}"

    def set(self, moment: datetime, zone: ZoneInfo | None = None) -> None:
        if moment.tzinfo is None:
            raise ValueError("the fake clock takes aware times")
        self._now = moment.astimezone(UTC)
        if zone is not None:
            self.zone = zone
        self._write()

    def _write(self) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(self._now.isoformat(), encoding="utf-8")
        os.replace(temporary, self.path)
