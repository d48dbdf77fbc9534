"""`/unit`: the quiet-patient days are shown and an admin changes them with a button or a
typed number; a wrong number is asked again kindly; a therapist cannot; every change is
audited and the planned looks of the unit's patients are redone."""

import json

from storage import quiet_checks, units
from tests.bot.commands import unit_command
from tests.bot.staff_helpers import audit_rows, bind, enroll, patient_id
from tests.harness.catalogue import says

ANNA, BO = 100, 101


def unit_id(chat):
    return chat.conn.execute("SELECT id FROM units WHERE name = 'Växjö'").fetchone()[0]


def test_an_admin_sees_and_changes_the_quiet_patient_days(chat):
    bind(chat, "Bo", "admin", "Växjö", BO)
    chat.command(unit_command, BO, "unit")
    assert says(chat.last_text(BO), "unit.quiet_days", days=10)
    chat.press(BO, "💤 Tyst patient")
    assert says(chat.last_text(BO), "unit.pick_quiet_days", first=1, last=90)
    chat.press(BO, "14 d")
    assert says(chat.last_text(BO), "unit.quiet_days_set", days=14)
    assert says(chat.last_text(BO), "unit.quiet_days", days=14)
    assert units.quiet_days(chat.conn, unit_id(chat)) == 14
    ((_, action, _, _, details),) = audit_rows(chat, "unit_quiet_days_changed")
    assert json.loads(details) == {"days": 14}


def test_a_typed_number_is_taken_and_a_wrong_one_asked_again(chat):
    bind(chat, "Bo", "admin", "Växjö", BO)
    chat.command(unit_command, BO, "unit")
    chat.press(BO, "💤 Tyst patient")
    for wrong in ("tio", "0", "91", "-3", "dagar 5"):
        chat.text(BO, wrong)
        asked = chat.last_text(BO)
        assert says(asked, "unit.bad_quiet_days", first=1, last=90)
        assert says(asked, "unit.pick_quiet_days", first=1, last=90)
    assert units.quiet_days(chat.conn, unit_id(chat)) == 10
    chat.text(BO, " 5 dagar")
    assert says(chat.last_text(BO), "unit.quiet_days_set", days=5)
    assert units.quiet_days(chat.conn, unit_id(chat)) == 5


def test_a_change_redoes_the_planned_looks(chat):
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "Bo", "admin", "Växjö", BO)
    enroll(chat, ANNA, "P1", 200)
    p1 = patient_id(chat, "P1")
    later = chat.clock.now().replace(year=2027)
    quiet_checks.plan(chat.conn, p1, later)
    chat.command(unit_command, BO, "unit")
    chat.press(BO, "💤 Tyst patient")
    chat.press(BO, "7 d")
    assert quiet_checks.planned(chat.conn, p1) == chat.clock.now()


def test_a_therapist_cannot_change_it(chat):
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    chat.command(unit_command, ANNA, "unit")
    assert says(chat.last_text(ANNA), "unit.admins_only")
    assert units.quiet_days(chat.conn, unit_id(chat)) == 10
