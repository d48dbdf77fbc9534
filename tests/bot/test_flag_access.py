"""Who reads a flag's text: Visa, Omhänderta and the text in /flags are for staff who may see
the patient (access.may_see), the unit's patient-admins and its on-call list. Other staff of
the unit are told they cannot, and still see that the flag exists, its colour and label."""

import json

import pytest

from bot.care.access import may_read_flag
from bot.router import button
from dialogues.types import Incoming
from storage import patients, staff, units
from storage.database import run_in_transaction
from tests.bot.commands import COMMANDS
from tests.bot.staff_helpers import audit_rows, bind, enroll, staff_id
from tests.harness.catalogue import says, sv

ANNA, ERIK, BO, CECILIA, PATIENT, LARS = 100, 103, 101, 102, 200, 500
CRISIS = "jag vill inte leva längre"


@pytest.fixture
def flagged(chat):
    """Anna's patient P1 raised a red flag; Erik is another therapist of the unit."""
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "Erik", "therapist", "Växjö", ERIK)
    bind(chat, "Bo", "patient-admin", "Växjö", BO)
    bind(chat, "Cecilia", "admin", "Växjö", CECILIA)
    bind(chat, "Lars", "therapist", "Lund", LARS)
    enroll(chat, ANNA, "P1", PATIENT)
    chat.text(PATIENT, CRISIS)
    return chat


def press(chat, user_id, action):
    before = len(chat.texts(user_id))
    result, _ = chat.turn(button, user_id, Incoming(kind="button"), data=f"-|flag:{action}:1")
    return result.toast, chat.texts(user_id)[before:]


def _on_call(chat, user_id, on=True):
    member = staff.by_telegram_user(chat.conn, user_id)
    run_in_transaction(chat.conn, lambda c: units.set_on_call(c, member.unit_id, member.id, on))


@pytest.mark.parametrize("who", [ANNA, BO, CECILIA])
def test_those_who_may_see_the_patient_and_patient_admins_read_the_text(flagged, who):
    toast, texts = press(flagged, who, "show")
    assert toast == sv("flag.sent_privately")
    assert CRISIS in texts[-1]
    (row,) = audit_rows(flagged, "flag_text_viewed")
    assert row["staff_id"] == staff_id(flagged, who)


def test_another_therapist_of_the_unit_is_told_and_reads_nothing(flagged):
    toast, texts = press(flagged, ERIK, "show")
    assert toast == sv("flag.not_readable")
    assert texts == []
    assert audit_rows(flagged, "flag_text_viewed") == []
    (row,) = audit_rows(flagged, "flag_text_refused")
    assert row["staff_id"] == staff_id(flagged, ERIK)
    assert json.loads(row["details_json"]) == {"button": "show", "flag": 1}
    toast, texts = press(flagged, ERIK, "handle")
    assert toast == sv("flag.not_readable")
    assert texts == []
    assert audit_rows(flagged, "flag_handling_started") == []


def test_staff_of_another_unit_are_still_refused_as_before(flagged):
    toast, _ = press(flagged, LARS, "show")
    assert toast == sv("flag.not_yours")


def test_the_on_call_list_reads_and_handles(flagged):
    _on_call(flagged, ERIK)
    toast, texts = press(flagged, ERIK, "show")
    assert CRISIS in texts[-1]
    toast, texts = press(flagged, ERIK, "handle")
    assert says(texts[-1], "flag.ask_comment", id=1)  # asked privately
    flagged.text(ERIK, "Ringde P1, hen är trygg.")
    assert flagged.conn.execute("SELECT status FROM flags WHERE id = 1").fetchone()[0] == "handled"


def test_access_is_checked_again_when_the_comment_arrives(flagged):
    _on_call(flagged, ERIK)
    press(flagged, ERIK, "handle")
    _on_call(flagged, ERIK, on=False)
    flagged.text(ERIK, "Ringde P1.")
    assert says(flagged.last_text(ERIK), "flag.not_readable")
    assert flagged.conn.execute("SELECT status FROM flags WHERE id = 1").fetchone()[0] == "open"


def test_flags_lists_the_flag_for_all_but_the_text_and_handling_for_readers_only(flagged):
    flagged.command(COMMANDS["flags"], ERIK, "flags")
    listing = flagged.outbox(ERIK)[-1]["params"]
    assert f"{sv('flag.severity.red')}</b> · P1" in listing["text"]
    assert says(listing["text"], "flag.not_readable_line")
    assert "Krisord" not in listing["text"]
    labels = [
        b["text"] for row in json.loads(listing["reply_markup"])["inline_keyboard"] for b in row
    ]
    assert labels == [sv("flag.button.hide")]
    flagged.command(COMMANDS["flags"], ANNA, "flags")
    listing = flagged.outbox(ANNA)[-1]["params"]
    assert "Krisord" in listing["text"]
    labels = [
        b["text"] for row in json.loads(listing["reply_markup"])["inline_keyboard"] for b in row
    ]
    assert labels == [sv("flag.button.handle"), sv("flag.button.hide"), sv("flag.button.show")]


def test_may_read_flag_follows_may_see_and_adds_patient_admins_and_on_call(flagged):
    conn, now = flagged.conn, flagged.clock.now()
    patient = patients.by_telegram_user(conn, PATIENT)

    def reads(user_id):
        return may_read_flag(conn, staff.by_telegram_user(conn, user_id), patient, now)

    assert [reads(who) for who in (ANNA, ERIK, BO, CECILIA, LARS)] == [
        True,
        False,
        True,
        True,
        False,
    ]
    _on_call(flagged, ERIK)
    _on_call(flagged, LARS)  # on Lund's list: not Växjö's
    assert reads(ERIK) and not reads(LARS)
    erik = staff.by_telegram_user(conn, ERIK)
    run_in_transaction(conn, lambda c: staff.set_active(c, erik.id, False))
    assert not may_read_flag(conn, staff.get(conn, erik.id), patient, now)
