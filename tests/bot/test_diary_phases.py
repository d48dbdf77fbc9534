"""Diary phases: after the program's three weeks of daily diary, the therapist chooses days
or switches it off with /schedule, also when the diary has already ended."""

from datetime import UTC, date, datetime, timedelta

from storage import schedules
from tests.bot.commands import schedule_command
from tests.bot.test_enrollment_turns import enrolled
from tests.harness.catalogue import says


def diary_of(chat):
    row = chat.conn.execute("SELECT id FROM schedules WHERE kind = 'diary'").fetchone()
    return schedules.get(chat.conn, row[0])


def test_choosing_days_after_the_diary_ended_goes_on_without_end_date(chat, therapist):
    enrolled(chat, therapist)
    assert diary_of(chat).end_date == date(2026, 12, 21)
    chat.clock.advance(timedelta(days=25))  # Saturday 26 December: the diary has ended
    chat.command(schedule_command, therapist, "schedule", "P1")
    assert "varje dag kl. 19:00 (slutade 2026-12-21)" in chat.last_text(therapist)
    assert says(chat.last_text(therapist), "settings.end_hint_staff")
    chat.press(therapist, "📅 Veckodagbok: dagar")
    chat.press(therapist, "✓ lör")
    chat.press(therapist, "✓ sön")
    chat.press(therapist, "Klar")
    assert says(chat.last_text(therapist), "schedule.days_set", kind="Veckodagbok")
    schedule = diary_of(chat)
    assert (schedule.weekdays, schedule.end_date, schedule.active) == (
        frozenset(range(5)),
        None,
        True,
    )
    # Monday 28 December, 19:00 in Stockholm
    assert schedule.next_due_at == datetime(2026, 12, 28, 18, 0, tzinfo=UTC)
    audited = chat.conn.execute("SELECT action FROM audit_log ORDER BY id").fetchall()
    assert ("schedule_changed",) in [tuple(row) for row in audited]


def test_every_day_then_off(chat, therapist):
    enrolled(chat, therapist)
    chat.clock.advance(timedelta(days=25))
    chat.command(schedule_command, therapist, "schedule", "P1")
    chat.press(therapist, "📅 Veckodagbok: dagar")
    chat.press(therapist, "Varje dag")
    schedule = diary_of(chat)
    assert (schedule.weekdays, schedule.end_date) == (None, None)
    assert schedule.next_due_at == datetime(2026, 12, 26, 18, 0, tzinfo=UTC)
    chat.press(therapist, "⏻ Veckodagbok: stäng av")
    schedule = diary_of(chat)
    assert (schedule.active, schedule.next_due_at) == (False, None)
    assert says(chat.last_text(therapist), "rule.off")


def test_switching_an_ended_diary_on_again_goes_on_without_end_date(chat, therapist):
    enrolled(chat, therapist)
    chat.command(schedule_command, therapist, "schedule", "P1")
    chat.press(therapist, "⏻ Veckodagbok: stäng av")
    chat.clock.advance(timedelta(days=25))
    chat.command(schedule_command, therapist, "schedule", "P1")
    chat.press(therapist, "⏻ Veckodagbok: slå på")
    schedule = diary_of(chat)
    assert (schedule.active, schedule.end_date) == (True, None)
    assert schedule.next_due_at == datetime(2026, 12, 26, 18, 0, tzinfo=UTC)
