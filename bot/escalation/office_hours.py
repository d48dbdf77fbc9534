"""Office hours with Swedish public holidays, and deadlines counted in office time. Pure.

``swedish_public_holidays(year)`` gives the allmänna helgdagar (Lag (1989:253) om allmänna
helgdagar), taken from the ``holidays`` package, plus the unit's own rule: the "afton" days
that Swedish working life treats as days off although the law does not list them, påskafton,
midsommarafton, julafton and nyårsafton, each the day before its holiday. (Påskafton is
always a Saturday; midsommarafton, julafton and nyårsafton can fall on a weekday.)
Annandag pingst has not been a public holiday since 2005 and is not included (the package
knows that); nor is pingstafton. Sundays as such are not holidays here: the package can
list every Sunday of the year as a holiday in Sweden, which we turn off, since office
hours close weekends by their weekdays anyway.

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

from holidays.countries.sweden import Sweden

#: How many days ahead to look for the next open day (a year of holidays and closed
#: weekdays can never add up to this).
SEARCH_DAYS = 400


def _eves(public: dict[date, str], year: int) -> dict[date, str]:
    """The unit's closed "afton" days: the day before these holidays (the package's
    Swedish names)."""
    by_name = {name: day for day, names in public.items() for name in names.split("; ")}
    return {
        by_name["Påskdagen"] - timedelta(days=1): "Påskafton",
        by_name["Midsommardagen"] - timedelta(days=1): "Midsommarafton",
        date(year, 12, 24): "Julafton",
        date(year, 12, 31): "Nyårsafton",
    }


@lru_cache(maxsize=64)
def _holidays(year: int) -> tuple[tuple[date, str], ...]:
    # Explicit: the package's default for Sundays has changed between versions, and
    # its names are English unless the language is given.
    public = dict(Sweden(years=year, language="sv", include_sundays=False))
    if not public:  # the package covers 1953 up to a horizon (2100 today)
        raise ValueError(f"no Swedish public holidays known for {year}")
    merged = dict(public)
    # Two holidays on one date come from the package as one entry, "A; B"; an eve
    # never coincides with a public holiday, but would join the same way.
    for day, name in _eves(public, year).items():
        merged[day] = f"{merged[day]}; {name}" if day in merged else name
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
