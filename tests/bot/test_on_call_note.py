"""Nobody on the on-call list: `/unit` says so, and the unit's admins get a note once a week,
at the first office opening of the week, keyed so it never comes twice."""

import json
from datetime import UTC, datetime

from bot.escalation import on_call_note
from bot.escalation.office_hours import OfficeHours
from storage import idle, staff, units
from storage.database import run_in_transaction
from tests.bot.commands import COMMANDS
from tests.bot.staff_helpers import bind
from tests.harness.catalogue import says

ANNA, CECILIA = 100, 102
MONDAY_0800 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 08:00 in Stockholm


def _run(chat, now):
    return run_in_transaction(chat.conn, lambda c: on_call_note.run_batch(c, now, language="sv"))


def _notes(chat, user_id=CECILIA):
    rows = chat.conn.execute(
        "SELECT dedupe_key, payload_json FROM outbox WHERE chat_id = ?"
        " AND dedupe_key LIKE 'oncall-missing:%' ORDER BY id",
        (user_id,),
    ).fetchall()
    return [(row[0], json.loads(row[1])["text"]) for row in rows]


def _planned(chat):
    return units.on_call_checks_due(chat.conn, datetime(2100, 1, 1, tzinfo=UTC), 10)[0][1]


def _unit(chat):
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "Cecilia", "admin", "Växjö", CECILIA)


def test_the_first_check_is_only_planned_for_the_next_week_opening(chat):
    _unit(chat)
    now = chat.clock.now()  # Tuesday 1 December 08:00
    assert units.count_on_call_checks_due(chat.conn, now) == 1
    work = idle.pending_work(chat.conn, now)  # the script runner waits for the plan
    assert _run(chat, now) == 1
    assert _notes(chat) == []
    assert _planned(chat) == MONDAY_0800
    assert idle.pending_work(chat.conn, now) == work - 1
    assert idle.next_due_at(chat.conn, now, datetime(2026, 12, 31, tzinfo=UTC)) == MONDAY_0800


def test_the_admins_are_told_once_a_week_while_the_list_is_empty(chat):
    _unit(chat)
    _run(chat, chat.clock.now())
    assert units.count_on_call_checks_due(chat.conn, MONDAY_0800) == 1
    _run(chat, MONDAY_0800)
    cecilia = staff.by_telegram_user(chat.conn, CECILIA)
    ((key, note),) = _notes(chat)
    assert key == f"oncall-missing:1:2026-W50:{cecilia.id}"
    assert says(note, "unit.on_call_missing_note", unit="Växjö")
    assert _notes(chat, ANNA) == []  # admins only
    # The same week's check again (a crash before the plan was stored): nothing new.
    run_in_transaction(chat.conn, lambda c: units.plan_on_call_check(c, 1, MONDAY_0800))
    _run(chat, MONDAY_0800)
    assert len(_notes(chat)) == 1
    assert _planned(chat) == datetime(2026, 12, 14, 7, 0, tzinfo=UTC)
    # Downtime over the next Monday: the check runs late, once, that week.
    late = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)
    _run(chat, late)
    assert [key.split(":")[2] for key, _ in _notes(chat)] == ["2026-W50", "2026-W51"]
    assert _planned(chat) == datetime(2026, 12, 21, 7, 0, tzinfo=UTC)


def test_no_note_once_someone_bound_is_on_call(chat):
    _unit(chat)
    _run(chat, chat.clock.now())
    anna = staff.by_telegram_user(chat.conn, ANNA)
    run_in_transaction(chat.conn, lambda c: units.set_on_call(c, 1, anna.id, True))
    _run(chat, MONDAY_0800)
    assert _notes(chat) == []
    assert _planned(chat) == datetime(2026, 12, 14, 7, 0, tzinfo=UTC)


def test_a_unit_without_admins_has_no_check(chat):
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    assert units.count_on_call_checks_due(chat.conn, chat.clock.now()) == 0
    assert _run(chat, chat.clock.now()) == 0


def test_the_week_opening_skips_a_holiday_monday_and_follows_daylight_saving():
    hours = OfficeHours()
    # Easter Monday 29 March 2027 is a holiday; summer time began on the 28th (UTC+2).
    friday = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)
    assert on_call_note.next_check(hours, friday) == datetime(2027, 3, 30, 6, 0, tzinfo=UTC)
    # Monday 08:00 exactly: this week's has come, so the next is a week later.
    assert on_call_note.next_check(hours, MONDAY_0800) == datetime(2026, 12, 14, 7, 0, tzinfo=UTC)
    sunday_night = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)
    assert on_call_note.next_check(hours, sunday_night) == MONDAY_0800


def test_unit_warns_when_nobody_can_be_told_outside_office_hours(chat):
    _unit(chat)
    chat.command(COMMANDS["unit"], CECILIA, "unit")
    assert says(chat.last_text(CECILIA), "unit.on_call_missing")
    anna = staff.by_telegram_user(chat.conn, ANNA)
    run_in_transaction(chat.conn, lambda c: units.set_on_call(c, 1, anna.id, True))
    chat.command(COMMANDS["unit"], CECILIA, "unit")
    assert not says(chat.last_text(CECILIA), "unit.on_call_missing")
    assert says(chat.last_text(CECILIA), "unit.on_call", names="Anna")
