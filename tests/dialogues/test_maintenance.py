"""`/maintain` and the reading view, pure: days asked and checked (nothing lost on a bad
number), modules toggled, Starta vidmakthållande, Avbryt; the reading pages."""

from datetime import date

from bot.i18n import Translator
from dialogues import maintenance, reading
from dialogues.maintenance import MaintainState, MaintainView
from dialogues.reading import ModuleChoice, StepPage
from tests.harness.catalogue import says

T = Translator("sv")
EN = Translator("en")
VIEW = MaintainView(
    label="P1",
    modules=(ModuleChoice(1, "Modul 1: Början"), ModuleChoice(8, "Tillägg: Sömn")),
    today=date(2026, 12, 1),
    language="sv",
)


def _labels(outcome):
    return [button.label for line in outcome.replies[-1].buttons for button in line]


def _press(data, action):
    return maintenance.on_button(VIEW, MaintainState.load(data), action, T)


def test_days_with_the_command_show_the_page_with_the_last_day_and_the_modules():
    outcome = maintenance.begin(VIEW, 7, "14", T)
    text = outcome.replies[-1].text
    assert says(text, "maintain.page", label="P1", days=14, until="15 december 2026")
    assert _labels(outcome) == [
        "✓ Modul 1: Början",
        "✓ Tillägg: Sömn",
        "Starta vidmakthållande",
        "Avbryt",
    ]
    assert outcome.data["patient"] == 7 and outcome.data["days"] == 14


def test_a_bad_number_is_said_kindly_and_asked_again():
    for bad in ("0", "366", "två veckor", "-3", "1.5"):
        outcome = maintenance.begin(VIEW, 7, bad, T)
        text = outcome.replies[-1].text
        assert says(text, "maintain.bad_days", low=1, high=365), bad
        assert says(text, "maintain.ask_days", label="P1")
        assert outcome.data["awaiting"] == "text"
    outcome = maintenance.on_text(VIEW, MaintainState.load(outcome.data), "30 dagar", T)
    assert says(outcome.replies[-1].text, "maintain.page", days=30, until="31 december 2026")


def test_without_days_they_are_asked_for():
    outcome = maintenance.begin(VIEW, 7, None, T)
    assert says(outcome.replies[-1].text, "maintain.ask_days", label="P1", low=1, high=365)
    assert _labels(outcome) == ["Avbryt"]


def test_a_deselected_module_is_kept_through_a_bad_number_and_a_change_of_days():
    outcome = maintenance.begin(VIEW, 7, "14", T)
    outcome, start = _press(outcome.data, "mod:8")
    assert start is None
    assert "✗ Tillägg: Sömn" in _labels(outcome)
    outcome = maintenance.on_text(VIEW, MaintainState.load(outcome.data), "999", T)
    assert says(outcome.replies[-1].text, "maintain.bad_days", low=1, high=365)
    assert "✗ Tillägg: Sömn" in _labels(outcome)  # nothing chosen so far is lost
    assert outcome.data["days"] == 14
    outcome = maintenance.on_text(VIEW, MaintainState.load(outcome.data), "20", T)
    outcome, start = _press(outcome.data, "start")
    assert (start.days, start.hidden, start.patient) == (20, (8,), 7)


def test_a_module_pressed_twice_is_kept_again_and_a_forged_one_changes_nothing():
    outcome = maintenance.begin(VIEW, 7, "14", T)
    outcome, _ = _press(outcome.data, "mod:1")
    outcome, _ = _press(outcome.data, "mod:1")
    outcome, _ = _press(outcome.data, "mod:5")  # not a module the patient had
    outcome, start = _press(outcome.data, "start")
    assert start.hidden == ()


def test_cancel_starts_nothing():
    outcome = maintenance.begin(VIEW, 7, "14", T)
    outcome, start = _press(outcome.data, "cancel")
    assert start is None
    assert says(outcome.replies[-1].text, "maintain.cancelled", label="P1")
    assert outcome.data == {}


def test_a_state_that_does_not_fit_starts_nothing():
    outcome, start = maintenance.on_button(VIEW, MaintainState.load({"days": 3}), "start", T)
    assert start is None and outcome.data == {}


def test_the_english_page():
    view = MaintainView("P1", (), date(2026, 12, 1), "en")
    outcome = maintenance.begin(view, 7, "14", EN)
    text = outcome.replies[-1].text
    assert says(text, "maintain.page", "en", label="P1", days=14, until="15 December 2026")
    assert says(text, "maintain.no_modules", "en")


def test_the_closed_word_names_the_day_the_crisis_contacts_and_the_way_to_read():
    outcome = reading.closed("15 december 2026", T)
    reply = outcome.replies[0]
    assert says(reply.text, "reading.closed", until="15 december 2026")
    assert "112" in reply.text and "90101" in reply.text
    assert reply.buttons[0][0].action == reading.LIST and reply.buttons[0][0].stateless


def test_a_step_page_has_text_only_and_pages_both_ways():
    page = StepPage(2, "Modul 2: Mer", 1, 3, "Steg B", "Läs detta.", "Film", "Filmens text")
    reply = reading.step_page(page, T).replies[0]
    assert "Läs detta." in reply.text and "Filmens text" in reply.text
    actions = [button.action for line in reply.buttons for button in line]
    assert actions == ["read:2:0", "read:2:2", "read:list"]
    last = reading.step_page(StepPage(2, "Modul 2: Mer", 2, 3, "Steg C", None), T).replies[0]
    assert [button.action for line in last.buttons for button in line] == ["read:2:1", "read:list"]


def test_the_list_offers_each_kept_module_and_says_when_there_is_none():
    choices = (ModuleChoice(1, "Modul 1: Början"),)
    reply = reading.module_list(choices, "15 december 2026", T).replies[0]
    assert [button.action for line in reply.buttons for button in line] == ["read:1:0"]
    empty = reading.module_list((), "15 december 2026", T).replies[0]
    assert says(empty.text, "reading.none", until="15 december 2026")
    assert reading.parse_step("3:4") == (3, 4)
    assert reading.parse_step("x:1") is None and reading.parse_step("list") is None
