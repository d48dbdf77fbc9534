"""The quiet-patient flag: no activity for the unit's number of days raises one amber flag;
activity makes the patient eligible again; never while paused, waiting for the therapist to
open the next module, unreachable, or in self-help mode without staff follow-up. The tick
batch is driven with a FixedClock over a real migrated database."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.clock import FixedClock
from bot.escalation import quiet_patients
from bot.reminders.kinds.registry import KINDS
from storage import (
    flags,
    idle,
    patients,
    progress,
    quiet_checks,
    schedules,
    staff,
    treatment,
    units,
)
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.progress import ModuleProgress
from tests.harness.records import migrated_database, therapists_patient

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def conn(tmp_path):
    return migrated_database(tmp_path / "t.sqlite3")


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def patient(conn):
    created = therapists_patient(conn, START)
    patients.enroll(conn, created.id, "depression", START)
    treatment.touch(conn, created.id, START)  # the consent turn
    return created


def tick(conn, clock, **kwargs):
    return run_in_transaction(
        conn, lambda c: quiet_patients.run_batch(c, clock.now(), "sv", **kwargs)
    )


def quiet_flags(conn, patient_id):
    rows = conn.execute(
        "SELECT f.id, f.severity, f.status, COUNT(t.id) FROM flags f"
        " JOIN flag_triggers t ON t.flag_id = f.id"
        " WHERE f.patient_id = ? AND t.kind = 'quiet' GROUP BY f.id ORDER BY f.id",
        (patient_id,),
    ).fetchall()
    return [tuple(row) for row in rows]


def live_through(conn, clock, days, **kwargs):
    """Tick once an hour for `days` days."""
    for _ in range(days * 24):
        clock.advance(timedelta(hours=1))
        tick(conn, clock, **kwargs)


# ---- the unit setting ----------------------------------------------------------------------


def test_a_unit_waits_ten_days_unless_changed_within_bounds(conn, patient):
    assert units.quiet_days(conn, patient.unit_id) == 10
    units.set_quiet_days(conn, patient.unit_id, 5)
    assert units.quiet_days(conn, patient.unit_id) == 5
    for wrong in (0, 91):
        with pytest.raises(ValueError):
            units.set_quiet_days(conn, patient.unit_id, wrong)


# ---- one flag per quiet spell --------------------------------------------------------------


def test_ten_quiet_days_raise_one_amber_flag_and_no_more(conn, clock, patient):
    tick(conn, clock)  # the first look only plans the real one
    assert quiet_checks.planned(conn, patient.id) == START + 10 * DAY
    clock.advance(10 * DAY - timedelta(minutes=1))
    tick(conn, clock)
    assert quiet_flags(conn, patient.id) == []
    clock.advance(timedelta(minutes=1))
    assert idle.pending_work(conn, clock.now()) == 1  # the script runner waits for it
    assert tick(conn, clock) == 1
    ((flag_id, severity, status, triggers),) = quiet_flags(conn, patient.id)
    assert (severity, status, triggers) == ("amber", "open", 1)
    (trigger,) = flags.triggers(conn, flag_id)
    assert "10 dagar" in trigger.details["summary"]
    assert quiet_checks.planned(conn, patient.id) is None
    live_through(conn, clock, 20)  # still quiet: nothing more
    assert len(quiet_flags(conn, patient.id)) == 1
    assert [
        row[0] for row in conn.execute("SELECT type FROM events WHERE type LIKE 'patient_q%'")
    ] == ["patient_quiet"]


def test_activity_starts_the_count_again(conn, clock, patient):
    tick(conn, clock)
    clock.advance(8 * DAY)
    treatment.touch(conn, patient.id, clock.now())
    clock.advance(2 * DAY)
    tick(conn, clock)  # ten days since the start, two since the activity
    assert quiet_flags(conn, patient.id) == []
    assert quiet_checks.planned(conn, patient.id) == START + 18 * DAY
    clock.advance(8 * DAY)
    tick(conn, clock)
    assert len(quiet_flags(conn, patient.id)) == 1


def test_a_later_quiet_spell_raises_a_new_flag_once_the_first_is_handled(conn, clock, patient):
    tick(conn, clock)
    clock.advance(10 * DAY)
    tick(conn, clock)
    ((first, *_),) = quiet_flags(conn, patient.id)
    # Active again, then quiet again while the first flag is still open: added to it.
    clock.advance(DAY)
    treatment.touch(conn, patient.id, clock.now())
    assert quiet_checks.planned(conn, patient.id) == clock.now()  # the turn planned a look
    tick(conn, clock)
    clock.advance(10 * DAY)
    tick(conn, clock)
    assert quiet_flags(conn, patient.id) == [(first, "amber", "open", 2)]
    # Handled, active, quiet again: a new flag.
    anna = staff.by_telegram_user(conn, 100)
    flags.handle(conn, first, anna.id, "Ringde", clock.now())
    clock.advance(DAY)
    treatment.touch(conn, patient.id, clock.now())
    tick(conn, clock)
    clock.advance(10 * DAY)
    tick(conn, clock)
    assert [row[2] for row in quiet_flags(conn, patient.id)] == ["handled", "open"]


def test_the_unit_chooses_the_number_of_days(conn, clock, patient):
    tick(conn, clock)  # planned for day 10
    units.set_quiet_days(conn, patient.unit_id, 3)
    quiet_checks.look_again_soon(conn, patient.unit_id, clock.now())
    assert quiet_checks.planned(conn, patient.id) == clock.now()
    tick(conn, clock)
    assert quiet_checks.planned(conn, patient.id) == START + 3 * DAY
    clock.advance(3 * DAY)
    tick(conn, clock)
    assert len(quiet_flags(conn, patient.id)) == 1


# ---- when the flag is held back ------------------------------------------------------------


def test_no_flag_while_paused_and_the_days_count_from_the_pause_end(conn, clock, patient):
    patients.set_paused_until(conn, patient.id, START + 14 * DAY)
    tick(conn, clock)
    assert quiet_checks.planned(conn, patient.id) == START + 14 * DAY
    live_through(conn, clock, 14)
    assert quiet_flags(conn, patient.id) == []
    assert quiet_checks.planned(conn, patient.id) == START + 24 * DAY
    live_through(conn, clock, 10)
    assert len(quiet_flags(conn, patient.id)) == 1


def test_no_flag_while_waiting_for_the_therapist_to_open_the_next_module(conn, clock, patient):
    enrollment = patients.active_enrollment(conn, patient.id)
    progress.save(conn, enrollment.id, 1, ModuleProgress(9, finished=True), START)
    live_through(conn, clock, 15)
    assert quiet_flags(conn, patient.id) == []
    # The therapist opens module 2: the days count from then.
    opened = clock.now()
    patients.set_current_module(conn, enrollment.id, 2, opened)
    live_through(conn, clock, 9)
    assert quiet_flags(conn, patient.id) == []
    live_through(conn, clock, 2)
    assert len(quiet_flags(conn, patient.id)) == 1


def test_no_flag_for_a_patient_who_cannot_be_reached(conn, clock, patient):
    patients.set_unreachable(conn, patient.id, START)
    live_through(conn, clock, 12)
    assert quiet_flags(conn, patient.id) == []


def test_no_look_without_an_active_enrollment(conn, clock):
    lone = therapists_patient(conn, START)
    treatment.touch(conn, lone.id, START)
    assert quiet_checks.planned(conn, lone.id) == START
    tick(conn, clock)
    assert quiet_checks.planned(conn, lone.id) is None
    clock.advance(30 * DAY)
    assert tick(conn, clock) == 0


# ---- self-help -----------------------------------------------------------------------------


@pytest.fixture
def self_help_patient(conn):
    created = therapists_patient(conn, START)
    patients.enroll(conn, created.id, "depression", START, mode="self-help")
    treatment.touch(conn, created.id, START)
    return created


def test_self_help_patients_raise_no_quiet_flag(conn, clock, self_help_patient):
    live_through(conn, clock, 15)
    assert quiet_flags(conn, self_help_patient.id) == []


def test_a_self_help_program_raises_none_either(conn, clock, patient):
    live_through(conn, clock, 15, self_help_programs=frozenset({"depression"}))
    assert quiet_flags(conn, patient.id) == []


def test_a_self_help_patient_staff_follow_does_raise_it(conn, clock, self_help_patient):
    tick(conn, clock)
    schedules.create(  # `/measure P1 phq9 every 14`
        conn,
        patient_id=self_help_patient.id,
        kind="forms",
        known_kinds=KINDS,
        questionnaire="phq9",
        times=(time(10, 0),),
        start_date=date(2026, 12, 20),
        every_days=14,
        grace_minutes=72 * 60,
        source="staff",
        now=START,
    )
    live_through(conn, clock, 11)
    assert len(quiet_flags(conn, self_help_patient.id)) == 1


# ---- the batch -----------------------------------------------------------------------------


def test_one_patient_that_fails_is_set_aside_and_the_others_are_flagged(conn, clock, patient):
    code = staff.add_staff_role(
        conn, name="Bo", role="therapist", unit_name="Lund", telegram_user_id=None, now=START
    )
    bo = staff.bind(conn, code, 101, START)
    other = patients.create(
        conn,
        unit_id=bo.unit_id,
        therapist_id=bo.id,
        label="L1",
        telegram_user_id=6,
        chat_id=6,
        language="sv",
        now=START,
    )
    patients.enroll(conn, other.id, "depression", START)
    treatment.touch(conn, other.id, START)
    conn.execute("UPDATE units SET timezone = 'No/Such_Zone' WHERE id = ?", (bo.unit_id,))
    tick(conn, clock)
    clock.advance(10 * DAY)
    tick(conn, clock)
    assert len(quiet_flags(conn, patient.id)) == 1
    assert quiet_flags(conn, other.id) == []
    assert quiet_checks.planned(conn, other.id) == clock.now() + DAY  # tried again tomorrow


def test_due_looks_are_found_through_their_index(tmp_path):
    # SQLite's planner, so a SQLite file in both passes (PostgreSQL plans by statistics).
    conn = connect_sync(tmp_path / "plan.sqlite3")
    migrate_sync(conn)
    plan = " ".join(
        row[3]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN " + quiet_checks.DUE, ("2026-12-01T00:00:00.000000Z", 200)
        )
    )
    assert "USING INDEX patients_quiet_check" in plan
    assert "SCAN p" not in plan
