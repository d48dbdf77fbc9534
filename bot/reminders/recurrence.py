"""When a schedule's occurrences fall, in the patient's own time zone. Pure.

A schedule says "these local times, on these weekdays" or "every N days at this time".
Local times are turned into UTC with zoneinfo and fold=0, which gives exactly the rules we
promise around daylight saving:
- 19:00 stays 19:00 local on both sides of a change;
- a time that does not exist that day (02:30 on the spring change) moves forward by the gap
  (03:30);
- a time that happens twice (02:30 on the autumn change) comes once, at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

SEARCH_DAYS = 400  # far enough for any weekly or every-N-days rule


@dataclass(frozen=True)
class Rule:
    times: tuple[time, ...]
    start: date
    weekdays: frozenset[int] | None = None  # 0 = Monday … 6 = Sunday; None: every day
    every_days: int | None = None  # instead of weekdays: every N days from `start`
    end: date | None = None  # the last date with occurrences, inclusive

    def on(self, day: date) -> bool:
        if day < self.start or (self.end is not None and day > self.end):
            return False
        if self.every_days:
            return (day - self.start).days % self.every_days == 0
        return self.weekdays is None or day.weekday() in self.weekdays


@lru_cache(maxsize=8192)
def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as UTC: a missing time moves forward by the gap, an ambiguous
    one is its first occurrence. Kept once computed: the tick asks for the same day, time and
    zone for thousands of patients."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(UTC)


def occurrences(rule: Rule, zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """Occurrences strictly after `after`, in order, as UTC."""
    first_day = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        if not rule.on(day):
            continue
        for at in sorted(rule.times):
            moment = local_to_utc(day, at, zone)
            if moment > after:
                yield moment


def next_occurrence(rule: Rule, zone: ZoneInfo, after: datetime) -> datetime | None:
    return next(occurrences(rule, zone, after), None)


def latest_occurrence(rule: Rule, zone: ZoneInfo, at_or_before: datetime) -> datetime | None:
    """The last occurrence at or before a moment (for catch-up after downtime), searching
    back day by day from that moment's local date."""
    last_day = at_or_before.astimezone(zone).date() + timedelta(days=1)
    first_day = max(rule.start, last_day - timedelta(days=SEARCH_DAYS))
    day = last_day
    while day >= first_day:
        if rule.on(day):
            for at in sorted(rule.times, reverse=True):
                moment = local_to_utc(day, at, zone)
                if moment <= at_or_before:
                    return moment
        day -= timedelta(days=1)
    return None


@dataclass(frozen=True)
class QuietHours:
    start: time  # e.g. 21:30
    end: time  # e.g. 07:30; may be on the next day

    def contains(self, at: time) -> bool:
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


def after_quiet_hours(moment: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """Move a send time that falls in quiet hours to the end of them (never drop it)."""
    if quiet is None:
        return moment
    local = moment.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return moment
    day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        day += timedelta(days=1)  # late evening: quiet ends tomorrow morning
    return local_to_utc(day, quiet.end, zone)
