"""Recurrence in local time, across both 2026 daylight-saving changes in Europe/Stockholm."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.reminders.recurrence import (
    QuietHours,
    Rule,
    after_quiet_hours,
    latest_occurrence,
    next_occurrence,
    occurrences,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(moment):
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M %Z")


def take(rule, after, n, zone=STOCKHOLM):
    found = []
    for moment in occurrences(rule, zone, after):
        found.append(local(moment) if zone is STOCKHOLM else moment.astimezone(zone).isoformat())
        if len(found) == n:
            return found
    return found


def test_evening_reminder_keeps_local_time_over_spring_change():
    rule = Rule(times=(time(19, 0),), start=date(2026, 3, 27))
    after = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    assert take(rule, after, 3) == [
        "2026-03-27 19:00 CET",
        "2026-03-28 19:00 CET",
        "2026-03-29 19:00 CEST",
    ]


def test_evening_reminder_keeps_local_time_over_autumn_change():
    rule = Rule(times=(time(19, 0),), start=date(2026, 10, 24))
    after = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert take(rule, after, 2) == ["2026-10-24 19:00 CEST", "2026-10-25 19:00 CET"]


def test_missing_local_time_moves_forward_by_the_gap():
    rule = Rule(times=(time(2, 30),), start=date(2026, 3, 29))
    moment = next_occurrence(rule, STOCKHOLM, datetime(2026, 3, 28, tzinfo=UTC))
    assert local(moment) == "2026-03-29 03:30 CEST"


def test_ambiguous_local_time_comes_once_at_first_occurrence():
    rule = Rule(times=(time(2, 30),), start=date(2026, 10, 25), end=date(2026, 10, 25))
    found = list(occurrences(rule, STOCKHOLM, datetime(2026, 10, 24, tzinfo=UTC)))
    assert [local(m) for m in found] == ["2026-10-25 02:30 CEST"]


def test_weekdays_and_every_n_days():
    weekly = Rule(times=(time(9, 0),), start=date(2026, 12, 1), weekdays=frozenset({0, 3}))
    after = datetime(2026, 12, 1, tzinfo=UTC)  # a Tuesday
    assert take(weekly, after, 3) == [
        "2026-12-03 09:00 CET",
        "2026-12-07 09:00 CET",
        "2026-12-10 09:00 CET",
    ]
    every_third = Rule(times=(time(9, 0),), start=date(2026, 12, 1), every_days=3)
    assert take(every_third, after, 2) == ["2026-12-01 09:00 CET", "2026-12-04 09:00 CET"]


def test_end_date_is_inclusive_and_then_nothing():
    rule = Rule(times=(time(19, 0),), start=date(2026, 12, 1), end=date(2026, 12, 2))
    assert len(take(rule, datetime(2026, 11, 30, tzinfo=UTC), 10)) == 2


def test_other_time_zone():
    tokyo = ZoneInfo("Asia/Tokyo")
    rule = Rule(times=(time(19, 0),), start=date(2026, 12, 1))
    moment = next_occurrence(rule, tokyo, datetime(2026, 12, 1, tzinfo=UTC))
    assert moment == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_latest_occurrence_for_catch_up():
    rule = Rule(times=(time(19, 0),), start=date(2026, 12, 1))
    moment = latest_occurrence(rule, STOCKHOLM, datetime(2026, 12, 3, 20, 0, tzinfo=UTC))
    assert local(moment) == "2026-12-03 19:00 CET"
    assert latest_occurrence(rule, STOCKHOLM, datetime(2026, 11, 30, tzinfo=UTC)) is None


def test_quiet_hours_move_to_their_end_never_drop():
    quiet = QuietHours(time(21, 30), time(7, 30))
    late = datetime(2026, 12, 1, 21, 45, tzinfo=STOCKHOLM)
    assert local(after_quiet_hours(late, STOCKHOLM, quiet)) == "2026-12-02 07:30 CET"
    early = datetime(2026, 12, 2, 6, 0, tzinfo=STOCKHOLM)
    assert local(after_quiet_hours(early, STOCKHOLM, quiet)) == "2026-12-02 07:30 CET"
    fine = datetime(2026, 12, 2, 19, 0, tzinfo=STOCKHOLM)
    assert after_quiet_hours(fine, STOCKHOLM, quiet) == fine


def test_latest_occurrence_of_a_long_running_rule_sees_the_last_days():
    rule = Rule(times=(time(19, 0),), start=date(2025, 1, 1))
    moment = latest_occurrence(rule, STOCKHOLM, datetime(2026, 12, 3, 20, 0, tzinfo=UTC))
    assert local(moment) == "2026-12-03 19:00 CET"
    every_ninth = Rule(times=(time(9, 0),), start=date(2026, 1, 1), every_days=9)
    moment = latest_occurrence(every_ninth, STOCKHOLM, datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
    assert (moment.astimezone(STOCKHOLM).date() - date(2026, 1, 1)).days % 9 == 0
    assert moment <= datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert datetime(2026, 12, 3, 12, 0, tzinfo=UTC) - moment < timedelta(days=9)
