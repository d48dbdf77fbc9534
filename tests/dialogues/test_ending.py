"""`/end <label>`, pure (dialogues/ending.py): a reason, a comment with "Annat", the
confirmation that cannot be undone, and nothing entered lost on bad input."""

from bot.i18n import Translator
from dialogues import ending
from dialogues.ending import EndView
from tests.harness.catalogue import says

T = Translator("sv")
VIEW = EndView(label="P1", program="Steg för steg – när livet känns tungt")


def _buttons(outcome):
    return [(b.label, b.action) for r in outcome.replies[-1].buttons for b in r]


def _press(data, action):
    return ending.on_button(VIEW, data, action, T)


def test_the_reasons_are_offered_as_buttons_with_avbryt():
    outcome = ending.start(VIEW, 7, T)
    assert outcome.dialogue == ending.DIALOGUE
    assert _buttons(outcome) == [
        ("Genomförd", "reason:completed"),
        ("Avbrutit", "reason:dropped_out"),
        ("Remitterad till annan vård", "reason:referred"),
        ("Annat", "reason:other"),
        ("Avbryt", "cancel"),
    ]
    assert outcome.data["patient"] == 7 and outcome.data["step"] == "reason"


def test_a_reason_then_the_summary_then_the_ending():
    start = ending.start(VIEW, 7, T)
    summary, change = _press(start.data, "reason:referred")
    assert change is None
    text = summary.replies[0].text
    assert says(text, "end.confirm", label="P1", reason="Remitterad till annan vård", comment="")
    assert "Det går inte att ångra" in text
    assert _buttons(summary) == [("Avsluta behandlingen", "confirm"), ("Avbryt", "cancel")]
    outcome, change = _press(summary.data, "confirm")
    assert change == ending.Ending("referred", None)


def test_annat_asks_for_a_comment_and_bad_comments_are_asked_again_keeping_the_reason():
    start = ending.start(VIEW, 7, T)
    ask, _ = _press(start.data, "reason:other")
    assert says(ask.replies[0].text, "end.ask_comment") and ask.data["awaiting"]
    empty = ending.on_text(VIEW, ask.data, "   ", T)
    assert says(empty.replies[0].text, "end.comment_empty")
    assert empty.data["reason"] == "other" and empty.data["step"] == "comment"
    long = ending.on_text(VIEW, ask.data, "x" * (ending.MAX_COMMENT_CHARS + 1), T)
    assert says(long.replies[0].text, "end.comment_too_long", max=ending.MAX_COMMENT_CHARS)
    summary = ending.on_text(VIEW, empty.data, "Flyttar  till\nannan region", T)
    assert "Kommentar: Flyttar till annan region" in summary.replies[0].text
    _, change = _press(summary.data, "confirm")
    assert change == ending.Ending("other", "Flyttar till annan region")


def test_text_where_a_button_is_expected_keeps_the_question():
    start = ending.start(VIEW, 7, T)
    again = ending.on_text(VIEW, start.data, "Genomförd", T)
    assert says(again.replies[0].text, "end.use_buttons")
    assert again.data == start.data
    summary, _ = _press(start.data, "reason:completed")
    again = ending.on_text(VIEW, summary.data, "ja", T)
    assert again.data == summary.data


def test_forged_presses_change_nothing():
    start = ending.start(VIEW, 7, T)
    for forged in ("confirm", "reason:purged", "reason:withdrawn", "nonsense"):
        outcome, change = _press(start.data, forged)
        assert change is None and outcome.data == start.data
    summary, _ = _press(start.data, "reason:completed")
    _, change = _press(summary.data, "reason:dropped_out")
    assert change is None


def test_cancel_and_an_unreadable_state_close_the_dialogue():
    start = ending.start(VIEW, 7, T)
    outcome, change = _press(start.data, "cancel")
    assert change is None and outcome.data == {}
    assert says(outcome.replies[0].text, "end.cancelled", label="P1")
    outcome, change = _press({"step": "confirm"}, "confirm")
    assert change is None and outcome.data == {}


def test_the_patient_is_told_kindly_with_the_crisis_contacts():
    text = ending.treatment_over(T).replies[0].text
    assert says(text, "ended.answer") and "112" in text and "90101" in text


def test_every_end_reason_has_words_in_both_languages():
    from storage import lifecycle

    reasons = (*lifecycle.END_REASONS, lifecycle.MAINTENANCE_OVER, lifecycle.WITHDRAWN)
    reasons += (lifecycle.IDENTITY_REJECTED, lifecycle.INACTIVE)
    for language in ("sv", "en"):
        t = Translator(language)
        assert all(t.has(f"end.reason.{reason}") for reason in reasons)
    assert ending.REASONS == lifecycle.END_REASONS
