"""`/unit`: the purge days (gallring) are shown and an admin changes them with a button or a
typed number; a wrong number is asked again kindly; every change is audited."""

import json

from storage import units
from tests.bot.commands import unit_command
from tests.bot.staff_helpers import audit_rows, bind
from tests.harness.catalogue import says

BO = 101


def unit_id(chat):
    return chat.conn.execute("SELECT id FROM units WHERE name = 'Växjö'").fetchone()[0]


def test_an_admin_sees_and_changes_the_purge_days(chat):
    bind(chat, "Bo", "admin", "Växjö", BO)
    chat.command(unit_command, BO, "unit")
    assert says(chat.last_text(BO), "unit.purge_days", days=90)
    chat.press(BO, "🗑 Gallring")
    assert says(chat.last_text(BO), "unit.pick_purge_days", first=1, last=730)
    chat.press(BO, "180 d")
    assert says(chat.last_text(BO), "unit.purge_days_set", days=180)
    assert units.purge_after_days(chat.conn, unit_id(chat)) == 180
    ((_, _, _, _, details),) = audit_rows(chat, "unit_purge_days_changed")
    assert json.loads(details) == {"days": 180}


def test_a_typed_number_is_taken_and_a_wrong_one_asked_again(chat):
    bind(chat, "Bo", "admin", "Växjö", BO)
    chat.command(unit_command, BO, "unit")
    chat.press(BO, "🗑 Gallring")
    for wrong in ("nittio", "0", "731", "-3"):
        chat.text(BO, wrong)
        asked = chat.last_text(BO)
        assert says(asked, "unit.bad_purge_days", first=1, last=730)
    assert units.purge_after_days(chat.conn, unit_id(chat)) == 90
    chat.text(BO, "60 dagar")
    assert says(chat.last_text(BO), "unit.purge_days_set", days=60)
    assert units.purge_after_days(chat.conn, unit_id(chat)) == 60
