"""Activities through real turns and the real tick: a plan's schedule, its reminder and
follow-up, the diary entry it becomes, and forged or repeated follow-up presses."""

from datetime import UTC, datetime, timedelta

from bot.reminders.tick import run_batch
from bot.router import button, media
from dialogues.types import Incoming
from storage import diary, schedules
from storage.database import run_in_transaction
from tests.bot.commands import activities_command, start
from tests.bot.test_enrollment_turns import enrolled, invite_code
from tests.harness.catalogue import says, sv


def tick(chat):
    run_in_transaction(chat.conn, lambda c: run_batch(c, chat.clock.now()))


def plan_walk(chat, patient, activity="Promenad", at="17:30"):
    chat.command(activities_command, patient, "activities")
    chat.press(patient, "Planera en aktivitet")
    chat.text(patient, activity)
    chat.press(patient, "I dag")
    chat.text(patient, at)
    chat.press(patient, "Spara planen")


def test_a_plan_is_a_one_off_activity_schedule_due_at_the_planned_local_time(chat, therapist):
    patient = enrolled(chat, therapist)  # Tuesday 1 December, 08:00 in Stockholm
    plan_walk(chat, patient)
    assert "Planerat: <b>Promenad · tisdag 1 december kl. 17:30</b>" in chat.last_text(patient)
    row = chat.conn.execute("SELECT schedule_id FROM activity_plans").fetchone()
    schedule = schedules.get(chat.conn, row[0])
    assert (schedule.kind, schedule.custom_text, schedule.start_date, schedule.end_date) == (
        "activity",
        "Promenad",
        schedule.start_date,
        schedule.start_date,
    )
    assert schedule.next_due_at == datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


def _reminded(chat, patient):
    plan_walk(chat, patient)
    chat.clock.advance(datetime(2026, 12, 1, 16, 30, tzinfo=UTC) - chat.clock.now())
    tick(chat)
    assert says(chat.last_text(patient), "reminder.activity", text="Promenad")
    chat.clock.advance(timedelta(hours=2))
    tick(chat)
    assert "Blev det av? <b>Promenad</b>" in chat.last_text(patient)


def test_follow_up_lands_in_the_evening_beside_what_was_written(chat, therapist):
    patient = enrolled(chat, therapist)
    day = datetime(2026, 12, 1).date()
    run_in_transaction(
        chat.conn,
        lambda c: diary.save_activity(c, 1, day, "evening", "Lagade mat", chat.clock.now()),
    )
    _reminded(chat, patient)
    chat.press(patient, "Ja")
    chat.press(patient, "8")
    entry = diary.of_day(chat.conn, 1, day)["evening"]
    assert (entry.activity, entry.mood) == ("Lagade mat · Promenad", 8)
    outcome = chat.conn.execute("SELECT outcome, mood FROM activity_outcomes").fetchone()
    assert tuple(outcome) == ("ja", 8)
    status = chat.conn.execute("SELECT status FROM reminders ORDER BY id DESC").fetchone()[0]
    assert status == "answered"


def test_a_second_press_records_nothing_more(chat, therapist):
    patient = enrolled(chat, therapist)
    _reminded(chat, patient)
    chat.press(patient, "Nej")
    chat.press(patient, "Ja")
    rows = chat.conn.execute("SELECT outcome FROM activity_outcomes").fetchall()
    assert [tuple(row) for row in rows] == [("nej",)]
    assert diary.of_day(chat.conn, 1, datetime(2026, 12, 1).date()) == {}


def test_a_forged_press_for_another_patients_reminder_is_refused(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(start, 201, "start", invite_code(chat, therapist, "P2"))
    chat.press(201, "Jag godkänner")
    _reminded(chat, patient)
    reminder_id = chat.conn.execute("SELECT id FROM reminders ORDER BY id DESC").fetchone()[0]
    result, _ = chat.turn(button, 201, Incoming(kind="button"), data=f"-|act:{reminder_id}:ja:9")
    assert chat.conn.execute("SELECT COUNT(*) FROM activity_outcomes").fetchone()[0] == 0
    assert result.toast == sv("button.stale")


def test_a_sticker_halfway_through_a_plan_keeps_the_plan(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(activities_command, patient, "activities")
    chat.press(patient, "Planera en aktivitet")
    chat.text(patient, "Promenad")
    chat.turn(media, patient, Incoming(kind="media"))
    assert chat.last_text(patient) == sv("input.media")
    chat.press(patient, "I dag")  # the day question's buttons still work
    chat.text(patient, "17:30")
    chat.press(patient, "Spara planen")
    assert "Planerat: <b>Promenad" in chat.last_text(patient)
