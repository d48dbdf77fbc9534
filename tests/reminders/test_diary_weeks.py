"""The diary's phases in the tick: no evening reminder for a day already filled in, the days
the diary was expected in a week, and the weekly "diary missed" check (once per week, with
an amber flag)."""

import json
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reminders import missed_diary as diary_missed
from bot.reminders import tick
from bot.reminders.kinds.registry import KINDS
from bot.reminders.missed_diary import expected_days
from bot.reminders.planning import replan
from storage import diary, patients, schedules
from storage.database import run_in_transaction
from tests.harness.records import migrated_database, therapists_patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ENROLLED = datetime(2026, 11, 30, 8, 0, tzinfo=STOCKHOLM)  # a Monday, ISO week 49
PARTS = {"depression": 4}
ALL_PARTS = ("morning", "late-morning", "afternoon", "evening")


def run_batch(conn, now, **options):
    """The tick's batch as the tick runs it: in one transaction (its savepoints need one)."""
    return run_in_transaction(conn, lambda c: tick.run_batch(c, now, **options))


def local(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture
def conn(tmp_path):
    return migrated_database(tmp_path / "t.sqlite3")


@pytest.fixture
def patient(conn):
    created = therapists_patient(conn, ENROLLED)
    patients.enroll(conn, created.id, "depression", ENROLLED)
    diary_missed.start_checking(conn, created.id, ENROLLED)
    return created


def diary_schedule(conn, patient, **overrides):
    fields = {
        "times": (time(19, 0),),
        "start_date": date(2026, 11, 30),
        "grace_minutes": 600,
        "resend_after_minutes": 120,
    }
    fields.update(overrides)
    schedule_id = schedules.create(
        conn, patient_id=patient.id, kind="diary", known_kinds=KINDS, now=ENROLLED, **fields
    )
    replan(conn, schedule_id, ENROLLED)
    return schedule_id


def fill(conn, patient, day, parts=ALL_PARTS):
    for part in parts:
        diary.save_activity(conn, patient.id, day, part, "Promenad", ENROLLED)
        diary.save_detail(conn, patient.id, day, part, ENROLLED, mood=6)


def reminders_sent(conn):
    return conn.execute("SELECT COUNT(*) FROM outbox WHERE chat_id = 5").fetchone()[0]


def event_types(conn):
    return [row[0] for row in conn.execute("SELECT type FROM events ORDER BY id")]


# ---- the evening reminder ----------------------------------------------------------------


def test_a_day_filled_in_completely_gets_no_evening_reminder(conn, patient):
    schedule_id = diary_schedule(conn, patient)
    fill(conn, patient, date(2026, 11, 30))
    assert run_batch(conn, local(11, 30, 19), diary_parts=PARTS) == 1
    assert reminders_sent(conn) == 0
    assert "reminder_skipped_day_filled" in event_types(conn)
    # advanced as usual: the next evening comes
    assert schedules.get(conn, schedule_id).next_due_at == local(12, 1, 19)
    run_batch(conn, local(12, 1, 19), diary_parts=PARTS)
    assert reminders_sent(conn) == 1


def test_a_skipped_part_counts_as_done_but_a_part_without_mood_does_not(conn, patient):
    diary_schedule(conn, patient)
    fill(conn, patient, date(2026, 11, 30), ALL_PARTS[:3])
    diary.save_activity(conn, patient.id, date(2026, 11, 30), "evening", "Läste", ENROLLED)
    run_batch(conn, local(11, 30, 19), diary_parts=PARTS)
    assert reminders_sent(conn) == 1  # the evening has no mood yet: not done
    diary.skip(conn, patient.id, date(2026, 12, 1), "morning", ENROLLED)
    fill(conn, patient, date(2026, 12, 1), ALL_PARTS[1:])
    run_batch(conn, local(12, 1, 19), diary_parts=PARTS)
    assert reminders_sent(conn) == 1


def test_without_part_counts_the_reminder_is_always_sent(conn, patient):
    diary_schedule(conn, patient)
    fill(conn, patient, date(2026, 11, 30))
    run_batch(conn, local(11, 30, 19))
    assert reminders_sent(conn) == 1


# ---- the days the diary was expected -----------------------------------------------------


def schedule_of(conn, patient, **overrides):
    return schedules.get(conn, diary_schedule(conn, patient, **overrides))


MONDAY = date(2026, 12, 7)
SINCE = ENROLLED


def test_expected_every_day_within_start_and_end(conn, patient):
    daily = schedule_of(conn, patient)
    assert len(expected_days([daily], MONDAY, STOCKHOLM, SINCE, None)) == 7
    ends_wednesday = replace(daily, end_date=date(2026, 12, 9))
    assert expected_days([ends_wednesday], MONDAY, STOCKHOLM, SINCE, None) == {
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 9),
    }


def test_an_ended_or_switched_off_schedule_expects_nothing(conn, patient):
    daily = schedule_of(conn, patient, end_date=date(2026, 12, 6))
    assert expected_days([daily], MONDAY, STOCKHOLM, SINCE, None) == set()
    off = replace(daily, end_date=None, active=False)
    assert expected_days([off], MONDAY, STOCKHOLM, SINCE, None) == set()


def test_weekdays_only_expects_five_days(conn, patient):
    weekdays = schedule_of(conn, patient, weekdays=frozenset(range(5)))
    days = expected_days([weekdays], MONDAY, STOCKHOLM, SINCE, None)
    assert sorted(day.weekday() for day in days) == [0, 1, 2, 3, 4]


def test_days_before_enrollment_and_within_a_pause_are_not_expected(conn, patient):
    daily = schedule_of(conn, patient, start_date=date(2026, 12, 1))
    # enrolled on Wednesday evening after 19:00: Thursday is the first expected day
    since = local(12, 9, 20)
    assert min(expected_days([daily], MONDAY, STOCKHOLM, since, None)) == date(2026, 12, 10)
    paused_until = local(12, 12, 10)  # the pause ends on Saturday morning
    days = expected_days([daily], MONDAY, STOCKHOLM, SINCE, paused_until)
    assert days == {date(2026, 12, 12), date(2026, 12, 13)}


# ---- the weekly check --------------------------------------------------------------------


def check(conn, now):
    return run_in_transaction(conn, lambda c: diary_missed.run_batch(c, now, "sv"))


def test_a_week_with_too_few_days_is_missed_once_with_an_amber_flag(conn, patient):
    diary_schedule(conn, patient)
    fill(conn, patient, date(2026, 12, 1), ALL_PARTS[:1])  # one part is enough for a day
    fill(conn, patient, date(2026, 12, 3))
    assert check(conn, local(12, 7, 11, 59)) == 0  # Monday morning: last week can still be filled
    assert check(conn, local(12, 7, 12)) == 1
    assert check(conn, local(12, 7, 12)) == 0  # checked once
    missed = [json.loads(row[0]) for row in conn.execute("SELECT details_json FROM events")]
    week = [details for details in missed if details.get("week") == "2026-11-30"]
    assert week == [{"expected": 7, "filled": 2, "week": "2026-11-30"}]
    flag = conn.execute("SELECT severity, next_check_at FROM flags").fetchone()
    assert tuple(flag) == ("amber", None)
    kind, details = conn.execute("SELECT kind, details_json FROM flag_triggers").fetchone()
    assert kind == "diary_missed"
    assert json.loads(details)["summary"] == "Veckodagboken: 2 av 7 dagar ifyllda vecka 49"
    # the next week is next Monday's check
    assert check(conn, local(12, 14, 11)) == 0
    assert check(conn, local(12, 14, 12)) == 1


def test_the_check_survives_a_crash_in_its_transaction(conn, patient):
    diary_schedule(conn, patient)

    def crash(c):
        diary_missed.run_batch(c, local(12, 7, 12), "sv")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        run_in_transaction(conn, crash)
    assert "diary_week_missed" not in event_types(conn)
    assert check(conn, local(12, 7, 12)) == 1
    assert check(conn, local(12, 7, 13)) == 0
    assert event_types(conn).count("diary_week_missed") == 1


def test_a_full_week_and_a_week_with_nothing_expected_pass_silently(conn, patient):
    diary_schedule(conn, patient, end_date=date(2026, 12, 6))
    for offset in range(7):
        fill(conn, patient, date(2026, 11, 30) + timedelta(days=offset), ALL_PARTS[:1])
    assert check(conn, local(12, 7, 12)) == 1
    assert check(conn, local(12, 14, 12)) == 1  # the diary has ended: nothing expected
    assert "diary_week_missed" not in event_types(conn)
    assert conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0] == 0


def test_after_downtime_each_week_is_checked_once(conn, patient):
    diary_schedule(conn, patient)
    handled = sum(check(conn, local(12, 22, 9)) for _ in range(5))
    assert handled == 3  # the weeks of 30 Nov, 7 Dec and 14 Dec
    weeks = [
        json.loads(row[0])["week"]
        for row in conn.execute("SELECT details_json FROM events WHERE type = 'diary_week_missed'")
    ]
    assert weeks == ["2026-11-30", "2026-12-07", "2026-12-14"]
    # one amber flag for the patient, with a trigger per week
    assert conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM flag_triggers").fetchone()[0] == 3
