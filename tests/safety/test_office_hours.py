"""Office hours with Swedish public holidays (bot/escalation/office_hours.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.escalation.office_hours import (
    OfficeHours,
    swedish_public_holidays,
)

STHLM = ZoneInfo("Europe/Stockholm")
OFFICE = OfficeHours()


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STHLM)


# --------------------------------------------------------------------------- holidays


# The closed dates of 2026–2028, written out (checked against the hand-written Easter
# maths this module used before the ``holidays`` package: the same dates for 2005–2100).
# Names are the package's Swedish ones; the four eves are the unit's own rule.
EXPECTED = {
    2026: {
        date(2026, 1, 1): "Nyårsdagen",  # Thu
        date(2026, 1, 6): "Trettondedag jul",  # Tue
        date(2026, 4, 3): "Långfredagen",  # Fri
        date(2026, 4, 4): "Påskafton",  # Sat
        date(2026, 4, 5): "Påskdagen",  # Sun
        date(2026, 4, 6): "Annandag påsk",  # Mon
        date(2026, 5, 1): "Första maj",  # Fri
        date(2026, 5, 14): "Kristi himmelsfärdsdag",  # Thu
        date(2026, 5, 24): "Pingstdagen",  # Sun
        date(2026, 6, 6): "Nationaldagen",  # Sat
        date(2026, 6, 19): "Midsommarafton",  # Fri
        date(2026, 6, 20): "Midsommardagen",  # Sat
        date(2026, 10, 31): "Alla helgons dag",  # Sat
        date(2026, 12, 24): "Julafton",  # Thu
        date(2026, 12, 25): "Juldagen",  # Fri
        date(2026, 12, 26): "Annandag jul",  # Sat
        date(2026, 12, 31): "Nyårsafton",  # Thu
    },
    2027: {
        date(2027, 1, 1): "Nyårsdagen",  # Fri
        date(2027, 1, 6): "Trettondedag jul",  # Wed
        date(2027, 3, 26): "Långfredagen",  # Fri
        date(2027, 3, 27): "Påskafton",  # Sat
        date(2027, 3, 28): "Påskdagen",  # Sun
        date(2027, 3, 29): "Annandag påsk",  # Mon
        date(2027, 5, 1): "Första maj",  # Sat
        date(2027, 5, 6): "Kristi himmelsfärdsdag",  # Thu
        date(2027, 5, 16): "Pingstdagen",  # Sun
        date(2027, 6, 6): "Nationaldagen",  # Sun
        date(2027, 6, 25): "Midsommarafton",  # Fri
        date(2027, 6, 26): "Midsommardagen",  # Sat
        date(2027, 11, 6): "Alla helgons dag",  # Sat
        date(2027, 12, 24): "Julafton",  # Fri
        date(2027, 12, 25): "Juldagen",  # Sat
        date(2027, 12, 26): "Annandag jul",  # Sun
        date(2027, 12, 31): "Nyårsafton",  # Fri
    },
    2028: {
        date(2028, 1, 1): "Nyårsdagen",  # Sat
        date(2028, 1, 6): "Trettondedag jul",  # Thu
        date(2028, 4, 14): "Långfredagen",  # Fri
        date(2028, 4, 15): "Påskafton",  # Sat
        date(2028, 4, 16): "Påskdagen",  # Sun
        date(2028, 4, 17): "Annandag påsk",  # Mon
        date(2028, 5, 1): "Första maj",  # Mon
        date(2028, 5, 25): "Kristi himmelsfärdsdag",  # Thu
        date(2028, 6, 4): "Pingstdagen",  # Sun
        date(2028, 6, 6): "Nationaldagen",  # Tue
        date(2028, 6, 23): "Midsommarafton",  # Fri
        date(2028, 6, 24): "Midsommardagen",  # Sat
        date(2028, 11, 4): "Alla helgons dag",  # Sat
        date(2028, 12, 24): "Julafton",  # Sun
        date(2028, 12, 25): "Juldagen",  # Mon
        date(2028, 12, 26): "Annandag jul",  # Tue
        date(2028, 12, 31): "Nyårsafton",  # Sun
    },
}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_swedish_public_holidays(year: int) -> None:
    holidays = swedish_public_holidays(year)
    assert holidays == EXPECTED[year]
    assert list(holidays) == sorted(holidays)


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_office_hours_close_exactly_the_weekday_holidays(year: int) -> None:
    days = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
    weekdays = [d for d in days if d.year == year and d.weekday() < 5]
    closed = {d for d in weekdays if not OFFICE.is_open_day(d)}
    assert closed == {d for d in EXPECTED[year] if d.weekday() < 5}


def test_sundays_are_not_holidays_as_such() -> None:
    holidays = swedish_public_holidays(2026)
    assert date(2026, 3, 8) not in holidays  # an ordinary Sunday
    assert all(day.weekday() == 6 for day in (date(2026, 4, 5), date(2026, 5, 24)))
    assert sum(day.weekday() == 6 for day in holidays) == 2  # påskdagen, pingstdagen


@pytest.mark.parametrize("year", range(2005, 2101))
def test_movable_holidays_fall_on_the_right_weekdays(year: int) -> None:
    by_name = {
        name: day
        for day, names in swedish_public_holidays(year).items()
        for name in names.split("; ")
    }
    assert len(by_name) == 17
    midsommardagen = by_name["Midsommardagen"]
    assert midsommardagen.weekday() == 5 and date(year, 6, 20) <= midsommardagen
    assert midsommardagen <= date(year, 6, 26)
    assert by_name["Midsommarafton"] == midsommardagen - timedelta(days=1)
    alla_helgon = by_name["Alla helgons dag"]
    assert alla_helgon.weekday() == 5
    assert date(year, 10, 31) <= alla_helgon <= date(year, 11, 6)
    assert by_name["Påskdagen"].weekday() == 6
    assert by_name["Påskafton"] == by_name["Påskdagen"] - timedelta(days=1)
    assert by_name["Långfredagen"].weekday() == 4
    assert by_name["Kristi himmelsfärdsdag"].weekday() == 3


def test_coinciding_holidays_keep_both_names() -> None:
    assert swedish_public_holidays(2049)[date(2049, 4, 18)] == "Påskdagen"
    assert swedish_public_holidays(2049)[date(2049, 6, 6)] == "Nationaldagen; Pingstdagen"
    assert swedish_public_holidays(2008)[date(2008, 3, 23)] == "Påskdagen"
    assert swedish_public_holidays(2008)[date(2008, 5, 1)] == "Första maj; Kristi himmelsfärdsdag"


def test_annandag_pingst_is_not_a_holiday() -> None:
    assert date(2026, 5, 25) not in swedish_public_holidays(2026)


def test_a_year_beyond_the_package_fails_clearly() -> None:
    with pytest.raises(ValueError, match="2101"):
        swedish_public_holidays(2101)


# --------------------------------------------------------------------------- is_open


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 3, 4, 7, 59), False),  # Wednesday before 08:00
        (local(2026, 3, 4, 8, 0), True),
        (local(2026, 3, 4, 16, 59, 59), True),
        (local(2026, 3, 4, 17, 0), False),  # end is exclusive
        (local(2026, 3, 7, 10, 0), False),  # Saturday
        (local(2026, 3, 8, 10, 0), False),  # Sunday
        (local(2026, 4, 3, 10, 0), False),  # långfredagen
        (local(2026, 4, 6, 10, 0), False),  # annandag påsk
        (local(2026, 6, 19, 10, 0), False),  # midsommarafton, a Friday
        (local(2026, 12, 24, 10, 0), False),  # julafton, a Thursday
        (local(2026, 12, 31, 10, 0), False),  # nyårsafton, a Thursday
        (local(2026, 12, 30, 10, 0), True),
    ],
)
def test_is_open(moment: datetime, expected: bool) -> None:
    assert OFFICE.is_open(moment) is expected
    assert OFFICE.is_open(moment.astimezone(UTC)) is expected


def test_is_open_uses_local_time_across_daylight_saving() -> None:
    # Winter: UTC+1, so 07:30 UTC is 08:30 local
    assert OFFICE.is_open(datetime(2026, 3, 27, 7, 30, tzinfo=UTC))
    assert not OFFICE.is_open(datetime(2026, 3, 27, 6, 30, tzinfo=UTC))
    # Summer (from Sunday 29 March 2026): UTC+2, so 06:30 UTC is 08:30 local
    assert OFFICE.is_open(datetime(2026, 3, 30, 6, 30, tzinfo=UTC))
    assert not OFFICE.is_open(datetime(2026, 3, 30, 15, 30, tzinfo=UTC))  # 17:30 local
    # Back to winter (from Sunday 25 October 2026)
    assert OFFICE.is_open(datetime(2026, 10, 26, 15, 30, tzinfo=UTC))  # 16:30 local


def test_holidays_can_be_ignored_and_weekdays_chosen() -> None:
    every_day = OfficeHours(weekdays=frozenset(range(7)), holidays=False)
    assert every_day.is_open(local(2026, 12, 24, 10, 0))
    assert every_day.is_open(local(2026, 3, 7, 10, 0))
    weekends = OfficeHours(weekdays=frozenset({5, 6}), start=time(10), end=time(14))
    assert weekends.is_open(local(2026, 3, 7, 10, 0))
    assert not weekends.is_open(local(2026, 3, 4, 11, 0))
    assert not weekends.is_open(local(2026, 6, 20, 11, 0))  # midsommardagen


def test_another_zone() -> None:
    helsinki = OfficeHours(zone="Europe/Helsinki")
    moment = datetime(2026, 3, 4, 6, 30, tzinfo=UTC)  # 08:30 in Helsinki, 07:30 here
    assert helsinki.is_open(moment)
    assert not OFFICE.is_open(moment)


def test_naive_moments_and_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.is_open(datetime(2026, 3, 4, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.next_opening(datetime(2026, 3, 4, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.add_office_time(datetime(2026, 3, 4, 10, 0), 5)
    with pytest.raises(ValueError):
        OfficeHours(weekdays=frozenset())
    with pytest.raises(ValueError):
        OfficeHours(weekdays=frozenset({7}))
    with pytest.raises(ValueError):
        OfficeHours(start=time(17), end=time(8))
    with pytest.raises(Exception):  # noqa: B017 - zoneinfo's own error
        OfficeHours(zone="Mars/Olympus")
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add_office_time(local(2026, 3, 4, 10, 0), -1)


# --------------------------------------------------------------------------- next_opening


def _utc(moment: datetime) -> datetime:
    assert moment.tzinfo is UTC
    return moment


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 3, 4, 10, 0), local(2026, 3, 4, 10, 0)),  # open: itself
        (local(2026, 3, 4, 6, 0), local(2026, 3, 4, 8, 0)),  # later the same day
        (local(2026, 3, 4, 17, 0), local(2026, 3, 5, 8, 0)),  # closing: next day
        (local(2026, 3, 6, 18, 0), local(2026, 3, 9, 8, 0)),  # Friday evening: Monday
        (local(2026, 3, 7, 12, 0), local(2026, 3, 9, 8, 0)),  # Saturday: Monday
        # Thursday before Easter: past långfredagen and annandag påsk to Tuesday
        (local(2026, 4, 2, 17, 30), local(2026, 4, 7, 8, 0)),
        # julafton (Thursday) to annandag jul (Saturday): Monday 28 December
        (local(2026, 12, 23, 17, 0), local(2026, 12, 28, 8, 0)),
        # nyårsafton, nyårsdagen, then Monday 4 January 2027
        (local(2026, 12, 30, 17, 0), local(2027, 1, 4, 8, 0)),
        # across the spring change: Saturday 28 March (UTC+1) to Monday 30 March (UTC+2)
        (local(2026, 3, 28, 12, 0), local(2026, 3, 30, 8, 0)),
    ],
)
def test_next_opening(moment: datetime, expected: datetime) -> None:
    got = _utc(OFFICE.next_opening(moment))
    assert got == expected
    assert got.astimezone(STHLM).time() == expected.time()


def test_next_opening_across_the_spring_change_is_0800_summer_time() -> None:
    got = OFFICE.next_opening(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert got == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def test_next_opening_of_an_open_moment_is_that_moment_in_utc() -> None:
    moment = local(2026, 3, 4, 10, 17, 3)
    got = OFFICE.next_opening(moment)
    assert got == moment and got.tzinfo is UTC


# --------------------------------------------------------------------------- add_office_time


@pytest.mark.parametrize(
    ("moment", "minutes", "expected"),
    [
        (local(2026, 3, 4, 10, 0), 15, local(2026, 3, 4, 10, 15)),
        (local(2026, 3, 4, 16, 45), 15, local(2026, 3, 4, 17, 0)),  # exactly to closing
        (local(2026, 3, 4, 16, 50), 15, local(2026, 3, 5, 8, 5)),
        (local(2026, 3, 6, 16, 50), 15, local(2026, 3, 9, 8, 5)),  # Friday → Monday
        (local(2026, 3, 7, 12, 0), 15, local(2026, 3, 9, 8, 15)),  # from a closed time
        (local(2026, 3, 4, 6, 0), 0, local(2026, 3, 4, 8, 0)),  # 0: the next opening
        (local(2026, 3, 4, 9, 0), 9 * 60, local(2026, 3, 5, 9, 0)),  # a full office day
        (local(2026, 3, 2, 8, 0), 5 * 9 * 60, local(2026, 3, 6, 17, 0)),  # a full week
        # Thursday before Kristi himmelsfärd 2026 (Thursday 14 May), Friday 15 May open
        (local(2026, 5, 13, 16, 50), 15, local(2026, 5, 15, 8, 5)),
        # Thursday before Easter 2026: långfredagen and annandag påsk skipped
        (local(2026, 4, 2, 16, 50), 15, local(2026, 4, 7, 8, 5)),
        # Thursday before midsommarafton 2026 (Friday 19 June)
        (local(2026, 6, 18, 16, 50), 15, local(2026, 6, 22, 8, 5)),
        # Friday before the spring change (UTC+1) to Monday after it (UTC+2)
        (local(2026, 3, 27, 16, 50), 15, local(2026, 3, 30, 8, 5)),
        # Friday before the autumn change (UTC+2) to Monday after it (UTC+1)
        (local(2026, 10, 23, 16, 50), 15, local(2026, 10, 26, 8, 5)),
        (local(2026, 3, 4, 10, 0), 0.5, local(2026, 3, 4, 10, 0, 30)),
    ],
)
def test_add_office_time(moment: datetime, minutes: float, expected: datetime) -> None:
    got = _utc(OFFICE.add_office_time(moment, minutes))
    assert got == expected
    assert got.astimezone(STHLM).replace(tzinfo=None) == expected.replace(tzinfo=None)


def test_add_office_time_friday_1650_is_monday_0805_in_utc() -> None:
    friday = datetime(2026, 3, 6, 15, 50, tzinfo=UTC)  # 16:50 in Stockholm (UTC+1)
    assert OFFICE.add_office_time(friday, 15) == datetime(2026, 3, 9, 7, 5, tzinfo=UTC)


def test_office_time_over_the_summer_change_counts_wall_clock_office_minutes() -> None:
    # 30 office minutes from 16:45 on Friday 27 March: 15 that day (UTC+1), 15 on
    # Monday (UTC+2); 2 days, 15 hours and 30 minutes minus one hour of real time later.
    start = local(2026, 3, 27, 16, 45)
    got = OFFICE.add_office_time(start, 30)
    assert got == local(2026, 3, 30, 8, 15)
    assert got - start == timedelta(days=2, hours=14, minutes=30)
