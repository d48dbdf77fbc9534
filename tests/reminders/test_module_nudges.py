"""The module nudge against a real database: sent while the patient has a module to work on;
skipped (and still advanced) while the current module is finished and the patient waits for
the therapist to open the next, or for the week (weekly opening), or after the last module;
one query for the batch's places in their modules."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.care.pacing import ProgramPacing
from bot.reminders import tick
from bot.reminders.kinds.registry import KINDS
from bot.reminders.planning import replan
from storage import patients, progress, schedules, units
from storage.database import run_in_transaction
from storage.progress import ModuleProgress
from tests.harness.records import migrated_database, therapists_patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ENROLLED = datetime(2026, 12, 1, 8, 0, tzinfo=STOCKHOLM)
THERAPIST_PACED = {"depression": ProgramPacing("therapist", 7, 7)}
WEEKLY = {"depression": ProgramPacing("weekly", 7, 7)}


def run_batch(conn, now, **options):
    """The tick's batch as the tick runs it: in one transaction (its savepoints need one)."""
    return run_in_transaction(conn, lambda c: tick.run_batch(c, now, **options))


def local(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture
def conn(tmp_path):
    return migrated_database(tmp_path / "t.sqlite3")


def make_patient(conn, user_id=5):
    patient = therapists_patient(conn, ENROLLED, user_id, label=f"P{user_id}")
    enrollment = patients.enroll(conn, patient.id, "depression", ENROLLED)
    schedule_id = schedules.create(
        conn,
        patient_id=patient.id,
        kind="module",
        known_kinds=KINDS,
        now=ENROLLED,
        times=(time(10, 0),),
        start_date=date(2026, 12, 2),
        grace_minutes=720,
    )
    replan(conn, schedule_id, ENROLLED)
    return patient, enrollment, schedule_id


def finish(conn, enrollment, module=1):
    progress.save(conn, enrollment.id, module, ModuleProgress(9, True), ENROLLED)


def nudges(conn, chat_id=5):
    return conn.execute("SELECT COUNT(*) FROM outbox WHERE chat_id = ?", (chat_id,)).fetchone()[0]


def skipped(conn):
    return conn.execute(
        "SELECT COUNT(*) FROM events WHERE type = 'reminder_skipped_waiting'"
    ).fetchone()[0]


def test_a_nudge_goes_while_the_module_is_being_worked_on(conn):
    make_patient(conn)
    run_batch(conn, local(2, 10), pacing=THERAPIST_PACED)
    assert nudges(conn) == 1 and skipped(conn) == 0


def test_no_nudge_while_the_patient_waits_for_the_therapist(conn):
    _, enrollment, schedule_id = make_patient(conn)
    finish(conn, enrollment)
    run_batch(conn, local(2, 10), pacing=THERAPIST_PACED)
    run_batch(conn, local(9, 10), pacing=THERAPIST_PACED)  # a week later: still waiting
    assert nudges(conn) == 0 and skipped(conn) >= 2
    # Skipped, not stuck: the schedule moves on, and nudges come again once module 2 opens.
    assert schedules.get(conn, schedule_id).next_due_at > local(9, 10)
    patients.set_current_module(conn, enrollment.id, 2, local(9, 12))
    run_batch(conn, schedules.get(conn, schedule_id).next_due_at, pacing=THERAPIST_PACED)
    assert nudges(conn) == 1


def test_weekly_opening_nudges_again_once_the_week_has_passed(conn):
    _, enrollment, _ = make_patient(conn)
    finish(conn, enrollment)
    run_batch(conn, local(2, 10), pacing=WEEKLY)
    assert nudges(conn) == 0  # finished, and the next module opens only after the week
    run_batch(conn, local(8, 10), pacing=WEEKLY)
    assert nudges(conn) == 1  # the week has passed: module 2 opens at the next visit


def test_a_unit_choosing_weekly_overrides_the_program(conn):
    patient, enrollment, _ = make_patient(conn)
    units.set_module_opening(conn, patient.unit_id, "weekly")
    finish(conn, enrollment)
    run_batch(conn, local(8, 10), pacing=THERAPIST_PACED)
    assert nudges(conn) == 1


def test_no_nudge_after_the_last_module(conn):
    _, enrollment, _ = make_patient(conn)
    patients.set_current_module(conn, enrollment.id, 7, ENROLLED)
    finish(conn, enrollment, 7)
    run_batch(conn, local(9, 10), pacing=WEEKLY)
    assert nudges(conn) == 0 and skipped(conn) == 1


def test_the_batch_reads_the_places_in_one_query(conn):
    for user_id in (5, 6, 7):
        _, enrollment, _ = make_patient(conn, user_id)
        if user_id != 6:
            finish(conn, enrollment)
    statements = []
    conn.set_trace_callback(statements.append)
    run_batch(conn, local(2, 10), pacing=THERAPIST_PACED)
    conn.set_trace_callback(None)
    assert sum("module_progress" in sql for sql in statements) == 1
    assert nudges(conn, 5) == 0 and nudges(conn, 6) == 1 and nudges(conn, 7) == 0
