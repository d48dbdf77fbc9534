"""Office hours with Swedish public holidays, and deadlines counted in office time. Pure.

``swedish_public_holidays(year)`` gives the allmänna helgdagar (Lag (1989:253) om allmänna
helgdagar) plus the "afton" days that Swedish working life treats as days off although the
law does not list them: påskafton, midsommarafton, julafton and nyårsafton. (Påskafton
is always a Saturday; midsommarafton, julafton and nyårsafton can fall on a weekday.)
Annandag pingst has not been a public holiday since 2005 and is not included; nor is
pingstafton.

``OfficeHours`` says when a therapist can be expected to read an alert: local wall-clock
times in one zone (zoneinfo, so daylight saving is handled), on some weekdays, not on
holidays. All results are UTC. A start time that does not exist on a spring-forward day
moves forward by the gap; an ambiguous one is its first occurrence (fold=0), as in
bot/reminders/recurrence.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

#: How many days ahead to look for the next open day (a year of holidays and closed
#: weekdays can never add up to this).
SEARCH_DAYS = 400


def easter_sunday(year: int) -> date:
    """Easter Sunday by the Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _saturday_from(first: date) -> date:
    """The first Saturday on or after ``first``."""
    return first + timedelta(days=(5 - first.weekday()) % 7)


@lru_cache(maxsize=64)
def _holidays(year: int) -> tuple[tuple[date, str], ...]:
    easter = easter_sunday(year)
    midsommardagen = _saturday_from(date(year, 6, 20))  # Saturday 20–26 June
    days = [
        (date(year, 1, 1), "nyårsdagen"),
        (date(year, 1, 6), "trettondedag jul"),
        (easter - timedelta(days=2), "långfredagen"),
        (easter - timedelta(days=1), "påskafton"),
        (easter, "påskdagen"),
        (easter + timedelta(days=1), "annandag påsk"),
        (date(year, 5, 1), "första maj"),
        (easter + timedelta(days=39), "Kristi himmelsfärdsdag"),
        (easter + timedelta(days=49), "pingstdagen"),
        (date(year, 6, 6), "Sveriges nationaldag"),
        (midsommardagen - timedelta(days=1), "midsommarafton"),
        (midsommardagen, "midsommardagen"),
        (_saturday_from(date(year, 10, 31)), "alla helgons dag"),  # Saturday 31 Oct–6 Nov
        (date(year, 12, 24), "julafton"),
        (date(year, 12, 25), "juldagen"),
        (date(year, 12, 26), "annandag jul"),
        (date(year, 12, 31), "nyårsafton"),
    ]
    # Two holidays can fall on one date (Kristi himmelsfärd on första maj in 2008,
    # pingstdagen on nationaldagen in 2049): one entry with both names.
    merged: dict[date, str] = {}
    for day, name in days:
        merged[day] = f"{merged[day]}, {name}" if day in merged else name
    return tuple(sorted(merged.items()))


def swedish_public_holidays(year: int) -> dict[date, str]:
    """Swedish public holidays and the de facto non-working "afton" days of ``year``,
    date → Swedish name, in date order."""
    return dict(_holidays(year))


def is_swedish_holiday(day: date) -> bool:
    return any(d == day for d, _ in _holidays(day.year))


def _local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(UTC)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")


@dataclass(frozen=True)
class OfficeHours:
    """Open from ``start`` to ``end`` (local time in ``zone``) on ``weekdays`` (0 = Monday),
    closed on Swedish public holidays unless ``holidays`` is False."""

    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    start: time = time(8, 0)
    end: time = time(17, 0)
    zone: str = "Europe/Stockholm"
    holidays: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays must be a non-empty set of 0 (Monday) … 6 (Sunday)")
        if not self.start < self.end:
            raise ValueError("start must be before end (office hours within one day)")
        ZoneInfo(self.zone)  # fails early on an unknown zone

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def is_open_day(self, day: date) -> bool:
        if day.weekday() not in self.weekdays:
            return False
        return not (self.holidays and is_swedish_holiday(day))

    def hours_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC opening and closing moments on a local ``day``, or None if closed."""
        if not self.is_open_day(day):
            return None
        tz = self.tz
        return _local_to_utc(day, self.start, tz), _local_to_utc(day, self.end, tz)

    def _days_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        first = moment.astimezone(self.tz).date()
        for offset in range(SEARCH_DAYS):
            hours = self.hours_on(first + timedelta(days=offset))
            if hours is not None:
                yield hours

    def is_open(self, moment: datetime) -> bool:
        _require_aware(moment)
        hours = self.hours_on(moment.astimezone(self.tz).date())
        return hours is not None and hours[0] <= moment < hours[1]

    def next_opening(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` when the office is open, in UTC:
        ``moment`` itself (as UTC) if open now, else the next opening time."""
        _require_aware(moment)
        for opens, closes in self._days_from(moment):
            if moment < closes:
                return max(opens, moment.astimezone(UTC))
        raise RuntimeError("no office hours within a year")  # pragma: no cover

    def add_office_time(self, moment: datetime, minutes: float) -> datetime:
        """The moment, in UTC, by which the office has been open ``minutes`` minutes
        counted from ``moment``: 15 minutes from Friday 16:50 is Monday 08:05 (10 on
        Friday, 5 on Monday), skipping weekends and holidays. 0 minutes gives
        ``next_opening(moment)``; a deadline that uses up a day exactly ends at closing."""
        _require_aware(moment)
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        remaining = timedelta(minutes=minutes)
        cursor = moment.astimezone(UTC)
        for opens, closes in self._days_from(moment):
            if closes <= cursor:
                continue
            begin = max(opens, cursor)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise RuntimeError("deadline more than a year of office time away")
