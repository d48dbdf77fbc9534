"""The form dialogue, pure: one item at a time, Tillbaka, summary, risk, late presses."""

import pytest

from bot.i18n import Translator
from bot.render.form_views import form_view
from dialogues import forms
from programs.questionnaire_loader import load_questionnaires

T = Translator("sv")


@pytest.fixture(scope="module")
def questionnaires():
    return load_questionnaires()


def view(questionnaires, qid="phq9", answers=None):
    return form_view(questionnaires[qid], 1, answers or {}, "sv")


def press(v, data, action):
    return forms.on_button(v, data, action, T)


def labels(outcome):
    return [b.label for row in outcome.replies[-1].buttons for b in row]


def test_item_shows_progress_and_answers_in_ascending_order(questionnaires):
    outcome = forms.resume(view(questionnaires), T)
    text = outcome.replies[-1].text
    assert "1/9" in text
    assert labels(outcome) == [
        "Inte alls",
        "Flera dagar",
        "Mer än hälften av dagarna",
        "Nästan varje dag",
    ]
    assert outcome.data == {"request": 1, "item": 0}


def test_answer_moves_to_next_unanswered(questionnaires):
    outcome, change = press(view(questionnaires), {"item": 0}, "a:q1:2")
    assert change.answer == ("q1", 2)
    assert "2/9" in outcome.replies[-1].text


def test_late_press_for_an_earlier_item_records_nothing(questionnaires):
    v = view(questionnaires, answers={"q1": 2})
    outcome, change = press(v, {"item": 1}, "a:q1:3")
    assert change.answer is None and change.submit is False
    assert outcome.toast
    assert "2/9" in outcome.replies[-1].text


def test_forged_value_records_nothing(questionnaires):
    outcome, change = press(view(questionnaires), {"item": 0}, "a:q1:7")
    assert change.answer is None


def test_back_shows_previous_with_its_answer_marked(questionnaires):
    v = view(questionnaires, answers={"q1": 1})
    outcome, _ = press(v, {"item": 1}, "back")
    assert "1/9" in outcome.replies[-1].text
    assert "✓ Flera dagar" in labels(outcome)


def test_summary_then_send(questionnaires):
    answers = {f"q{i}": 0 for i in range(1, 9)}
    outcome, change = press(view(questionnaires, answers=answers), {"item": 8}, "a:q9:0")
    assert change.answer == ("q9", 0)
    assert "dina svar" in outcome.replies[-1].text
    assert labels(outcome) == ["Tillbaka", "Skicka"]
    full = view(questionnaires, answers={**answers, "q9": 0})
    _, change = press(full, {"summary": True}, "send")
    assert change.submit


def test_send_before_all_answered_does_nothing(questionnaires):
    _, change = press(view(questionnaires), {"summary": True}, "send")
    assert not change.submit


def test_risk_answer_reports_a_risk_event(questionnaires):
    answers = {f"q{i}": 0 for i in range(1, 9)}
    outcome, change = press(view(questionnaires, answers=answers), {"item": 8}, "a:q9:1")
    assert change.answer == ("q9", 1)
    assert [e.details for e in outcome.events] == [
        {"questionnaire": "phq9", "item": "q9", "value": 1}
    ]


def test_no_risk_below_threshold(questionnaires):
    answers = {f"q{i}": 0 for i in range(1, 9)}
    outcome, _ = press(view(questionnaires, answers=answers), {"item": 8}, "a:q9:0")
    assert outcome.events == ()


def test_madrs_hidden_item_not_echoed_in_summary(questionnaires):
    answers = {f"q{i}": 3 for i in range(1, 10)}
    outcome = forms.show_summary(view(questionnaires, "madrs-s", answers), T)
    last_line = [line for line in outcome.replies[-1].text.splitlines() if line.startswith("9.")]
    assert last_line and "besvarad" in last_line[0]


def test_madrs_buttons_start_with_their_score(questionnaires):
    outcome = forms.resume(view(questionnaires, "madrs-s"), T)
    assert [label.split(" ")[0] for label in labels(outcome)] == [str(n) for n in range(7)]
