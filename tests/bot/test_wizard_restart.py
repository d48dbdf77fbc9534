"""Each of the five wizards, finding a stored state it cannot read (an older version's, or
forged), answers typed text and a press with its first page and a kind word, and works on
from there: never a failure, never a question that cannot be answered."""

import pytest

from bot.i18n import Translator
from storage import dialogue_state
from storage.database import run_in_transaction
from storage.dialogue_state import DialogueState
from tests.bot.commands import COMMANDS
from tests.bot.staff_helpers import bind, enroll, patient_id

T = Translator("sv")
ANNA, CECILIA, PATIENT = 100, 102, 200


@pytest.fixture
def people(chat):
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "Cecilia", "admin", "Växjö", CECILIA)
    enroll(chat, ANNA, "P1", PATIENT)
    return chat


def forge(chat, user_id, dialogue, data):
    """Store `data` as the open dialogue's state, keeping its revision's buttons current."""
    revision = chat.conn.execute(
        "SELECT revision FROM dialogue_state WHERE chat_id = ?", (user_id,)
    ).fetchone()[0]
    run_in_transaction(
        chat.conn,
        lambda c: dialogue_state.save(c, user_id, DialogueState(dialogue, data), chat.clock.now()),
    )
    # Saving bumped the revision; the buttons on screen carry the old one.
    chat.conn.execute(
        "UPDATE dialogue_state SET revision = ? WHERE chat_id = ?", (revision, user_id)
    )


def open_state(chat, user_id):
    return chat.conn.execute(
        "SELECT dialogue, state_json FROM dialogue_state WHERE chat_id = ?", (user_id,)
    ).fetchone()


def test_a_plan_starts_again_at_what_to_do(people):
    people.command(COMMANDS["activities"], PATIENT, "activities")
    people.press(PATIENT, T("activities.button.plan"))
    forge(people, PATIENT, "plan", {"step": "time", "awaiting": "text", "text": "Promenad"})
    people.text(PATIENT, "17:30")
    assert people.last_text(PATIENT).startswith(T("wizard.restarted"))
    assert T("plan.ask_what_typed") in people.last_text(PATIENT)
    people.text(PATIENT, "Promenad")
    assert "Promenad" in people.last_text(PATIENT)  # on to the day


def test_a_staff_plan_shows_its_page_again(people):
    people.command(COMMANDS["plan"], ANNA, "plan", "P1")
    pid = patient_id(people, "P1")
    forge(people, ANNA, "staff_plans", {"patient": pid, "step": "start", "draft": {"text": 5}})
    people.press(ANNA, T("staff_plans.button.new"))
    assert people.last_text(ANNA).startswith(T("wizard.restarted"))
    assert T("staff_plans.title", label="P1") in people.last_text(ANNA)
    people.press(ANNA, T("staff_plans.button.new"))
    assert T("staff_plans.ask_text", label="P1") in people.last_text(ANNA)


def test_a_cover_shows_its_page_again(people):
    people.command(COMMANDS["cover"], CECILIA, "cover")
    forge(people, CECILIA, "cover", {"step": "confirm", "awaiting": "text", "draft": {}})
    people.text(CECILIA, "i dag")
    assert people.last_text(CECILIA).startswith(T("wizard.restarted"))
    assert T("cover.title") in people.last_text(CECILIA)


def test_reminder_settings_show_the_overview_again(people):
    people.command(COMMANDS["reminders"], PATIENT, "reminders")
    forge(people, PATIENT, "reminders", {"awaiting": "time"})  # no schedule
    people.text(PATIENT, "08:00")
    assert people.last_text(PATIENT).startswith(T("wizard.restarted"))
    assert T("settings.title") in people.last_text(PATIENT)
    dialogue, state = open_state(people, PATIENT)
    assert dialogue == "reminders" and '"awaiting": null' in state


def test_unit_settings_show_the_overview_again(people):
    people.command(COMMANDS["unit"], CECILIA, "unit")
    forge(people, CECILIA, "unit", {"awaiting": "time", "program": "depression"})  # no kind
    people.text(CECILIA, "08:00")
    assert people.last_text(CECILIA).startswith(T("wizard.restarted"))
    assert T("unit.defaults_heading") in people.last_text(CECILIA)
