"""A planned activity's follow-up, pure."""

from bot.i18n import Translator
from dialogues import follow_up
from tests.harness.catalogue import says

T = Translator("sv")


def test_question_buttons_are_stateless_and_carry_the_reminder():
    reply = follow_up.question("Promenad", 42, T)
    assert "Blev det av? <b>Promenad</b>" in reply.text
    actions = [(b.label, b.action, b.stateless) for b in reply.buttons[0]]
    assert actions == [
        ("Ja", "act:42:ja", True),
        ("Delvis", "act:42:delvis", True),
        ("Nej", "act:42:nej", True),
    ]


def test_activity_text_is_escaped():
    assert "&lt;b&gt;" in follow_up.question("<b>", 1, T).text


def test_mood_buttons_keep_the_answer():
    outcome = follow_up.ask_mood("Promenad", 42, "delvis", T)
    actions = [b.action for row in outcome.replies[0].buttons for b in row]
    assert actions[0] == "act:42:delvis:0" and actions[-1] == "act:42:delvis:10"


def test_recorded_asks_for_a_comment_only_when_allowed():
    with_comment = follow_up.recorded("ja", 7, "Kväll, tisdag 1 december", 42, True, T)
    assert with_comment.data == {"awaiting": "comment", "reminder": 42}
    where = "Kväll, tisdag 1 december"
    assert says(with_comment.replies[0].text, "follow_up.in_diary", where=where)
    without = follow_up.recorded("nej", None, None, 42, False, T)
    assert without.data is None and says(without.replies[0].text, "follow_up.thanks.nej")


def test_an_empty_comment_is_not_stored():
    outcome, comment = follow_up.on_text({"awaiting": "comment", "reminder": 1}, "   ", T)
    assert comment is None and "Skriv kommentaren" in outcome.replies[0].text
