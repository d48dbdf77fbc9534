"""Messages, staff messages and notes, pure."""

from datetime import datetime

from bot.i18n import Translator
from dialogues import messages, notes, staff_invite, staff_messages
from dialogues.messages import HistoryLine
from dialogues.notes import NoteLine
from dialogues.staff_messages import AnswerLine
from tests.harness.catalogue import says

T = Translator("sv")
EN = Translator("en")


def _actions(outcome):
    return [
        (b.label, b.action, b.stateless) for r in outcome.replies for row in r.buttons for b in row
    ]


def test_ask_waits_for_text_and_is_honest_about_office_days():
    outcome = messages.ask(T)
    assert outcome.data == {"awaiting": "text"} and outcome.dialogue == messages.DIALOGUE
    text = outcome.replies[0].text
    assert says(text, "messages.ask") and says(text, "messages.office_days")
    assert _actions(outcome) == [("Avbryt", "cancel", False)]


def test_typed_message_is_cleaned_and_ends_the_wait():
    outcome, text = messages.on_text("  Hej!\nEn fråga  ", T)
    assert text == "Hej!\nEn fråga"
    assert outcome.data == {} and says(outcome.replies[0].text, "messages.sent")
    outcome, text = messages.on_text("   ", T)
    assert text is None and outcome.data is None
    _, long_text = messages.on_text("x" * 5000, T)
    assert len(long_text) == messages.MAX_MESSAGE_CHARS


def test_self_help_points_to_notes_and_crisis():
    text = messages.self_help(T).replies[0].text
    assert text == T("messages.self_help")
    assert "/notes" in text and "/crisis" in text


def test_what_the_patient_receives_is_escaped_with_a_stateless_answer_button():
    reply = messages.comment("Ett första steg", "<b>bra</b>", T)
    assert says(reply.text, "messages.comment", exercise="Ett första steg")
    assert "&lt;b&gt;bra&lt;/b&gt;" in reply.text
    assert reply.buttons[0][0].action == "msg:write" and reply.buttons[0][0].stateless
    assert "Feedback from your therapist on module 2" in messages.feedback(2, "Fint", EN).text
    assert says(messages.from_therapist("Hej", T).text, "messages.from_therapist", text="Hej")


def test_patient_history_names_the_writers_and_leaves_out_staff_names():
    lines = (
        HistoryLine(datetime(2026, 12, 1, 9, 0), True, "message", "Fråga"),
        HistoryLine(datetime(2026, 12, 1, 11, 0), False, "message", "Svar", writer="Anna"),
        HistoryLine(datetime(2026, 12, 8, 9, 0), False, "feedback", "Bra", "Anna", module=1),
    )
    text = messages.history(lines, "sv", T).replies[0].text
    assert text.index("Fråga") < text.index("Svar") < text.index("Bra")
    assert "<b>Du</b> · 1 dec. 09:00" in text and "Anna" not in text
    assert says(text, "messages.history.feedback", number=1)
    assert says(messages.history((), "sv", T).replies[0].text, "messages.history.none")


def test_staff_history_marks_waiting_feedback_and_offers_writing():
    lines = (
        HistoryLine(datetime(2026, 12, 1, 9), False, "feedback", "Bra", "Anna", None, 1, True),
    )
    outcome = messages.staff_history("P1", lines, 7, False, "sv", T)
    assert says(outcome.replies[0].text, "messages.history.waiting", number=2)
    assert _actions(outcome) == [("Skriv till P1", "msg:to:7", True)]
    refused = messages.staff_history("S1", lines, 7, True, "sv", T)
    assert says(refused.replies[0].text, "messages.staff.self_help", label="S1")
    assert not _actions(refused)


def test_staff_ask_by_kind():
    base = {"patient": 1, "label": "P1"}
    reply = staff_messages.ask({**base, "kind": "message", "reply_to": 3}, T)
    assert says(reply.replies[0].text, "staff_messages.ask_reply", label="P1")
    assert reply.data == {**base, "kind": "message", "reply_to": 3, "awaiting": "text"}
    comment = staff_messages.ask({**base, "kind": "comment", "exercise": "Mål", "item": "x"}, T)
    assert says(comment.replies[0].text, "staff_messages.ask_comment", label="P1", exercise="Mål")
    later = staff_messages.ask({**base, "kind": "feedback", "module": 1, "at_once": False}, T)
    assert says(later.replies[0].text, "staff_messages.feedback_later", label="P1", number=2)
    now = staff_messages.ask({**base, "kind": "feedback", "module": 1, "at_once": True}, T)
    assert says(now.replies[0].text, "staff_messages.feedback_at_once", label="P1")


def test_staff_text_and_confirmations():
    data = {"patient": 1, "label": "P1", "kind": "feedback", "module": 1, "at_once": False}
    outcome, text = staff_messages.on_text(data, " Bra jobbat ", T)
    assert text == "Bra jobbat" and outcome.data == {}
    assert staff_messages.on_text(data, "", T)[1] is None
    saved = staff_messages.sent(data, T).replies[0].text
    assert says(saved, "staff_messages.feedback_saved", label="P1", number=2)
    sent = staff_messages.sent({**data, "at_once": True}, T)
    assert says(sent.replies[0].text, "staff_messages.feedback_sent", label="P1")


def test_notification_and_feedback_prompt_buttons_are_stateless():
    note = staff_messages.notification("P1", "<hej>", 12, T)
    assert "&lt;hej&gt;" in note.text
    assert note.buttons[0][0].action == "msg:reply:12" and note.buttons[0][0].stateless
    weekly = staff_messages.Finished(2, "Vad du gör", False, False, choose_next=False)
    prompt = staff_messages.feedback_prompt("P1", 5, weekly, T)
    assert says(prompt.text, "staff_messages.finished", label="P1", number=2)
    assert [[b.action for b in r] for r in prompt.buttons] == [["msg:feedback:5:2"]]


def test_feedback_prompt_offers_open_next_and_stay_when_the_therapist_decides():
    finished = staff_messages.Finished(2, "Vad du gör", False, False, choose_next=True)
    prompt = staff_messages.feedback_prompt("P1", 5, finished, T)
    assert says(prompt.text, "staff_messages.finished_choose", label="P1", number=2)
    labels = [[(b.label, b.action, b.stateless) for b in r] for r in prompt.buttons]
    assert labels == [
        [(T("staff_messages.button.feedback"), "msg:feedback:5:2", True)],
        [
            ("Öppna nästa modul", "pace:next:5:2", True),
            ("Stanna en vecka till", "pace:stay:5:2", True),
        ],
    ]
    # The last module and an add-on have no next module to choose: feedback goes at once.
    last = staff_messages.Finished(7, "Att gå vidare", False, True, choose_next=True)
    prompt = staff_messages.feedback_prompt("P1", 5, last, T)
    assert says(prompt.text, "staff_messages.finished_last", label="P1", number=7)
    assert len(prompt.buttons) == 1
    addon = staff_messages.Finished(8, "Problemlösning", True, False, choose_next=True)
    prompt = staff_messages.feedback_prompt("P1", 5, addon, T)
    assert "Tillägg: Problemlösning" in prompt.text and "modul 8" not in prompt.text.lower()
    assert len(prompt.buttons) == 1


def test_feedback_saved_while_the_therapist_chooses_repeats_the_choice():
    data = {"patient": 5, "label": "P1", "kind": "feedback", "module": 2, "choose": True}
    asked = staff_messages.ask(data, T).replies[0].text
    assert says(asked, "staff_messages.feedback_later_choose", label="P1", number=3)
    saved = staff_messages.sent(data, T).replies[0]
    assert says(saved.text, "staff_messages.feedback_saved_choose", label="P1", number=3)
    assert [b.action for b in saved.buttons[0]] == ["pace:next:5:2", "pace:stay:5:2"]
    # Feedback on an add-on names it by its title.
    addon = {**data, "module": 8, "at_once": True, "addon_name": "Tillägg: Problemlösning"}
    asked = staff_messages.ask(addon, T).replies[0].text
    assert "Tillägg: Problemlösning" in asked and "modul 8" not in asked.lower()


def test_answers_one_message_each_with_comment_unless_self_help():
    lines = (
        AnswerLine(4, "Dina mål", "Skriv mål", "Gå ut"),
        AnswerLine(5, "Takt", "När?", "Kväll"),
    )
    outcome = staff_messages.answers("P1", 1, lines, (1, 2), True, T)
    assert says(outcome.replies[0].text, "staff_messages.answers.title", label="P1", number=1)
    assert "/answers P1 2" in outcome.replies[0].text
    assert [a for _, a, _ in _actions(outcome)] == ["msg:comment:4", "msg:comment:5"]
    assert not _actions(staff_messages.answers("P1", 1, lines, (1,), False, T))
    none = staff_messages.answers("P1", None, (), (), True, T)
    assert says(none.replies[0].text, "staff_messages.answers.none", label="P1")


def test_notes_say_who_reads_them():
    shown = notes.show((NoteLine(datetime(2026, 12, 1, 9), "Promenad"),), True, "sv", T)
    text = shown.replies[0].text
    assert "Promenad" in text and "svarar inte" in text and "/message" not in text
    guided = notes.show((), False, "sv", T).replies[0].text
    assert "/message" in guided and "inga anteckningar" in guided
    assert notes.on_button("write", T).data == {"awaiting": "text"}
    outcome, note = notes.on_text(" Sov bra ", True, T)
    assert note == "Sov bra" and outcome.data == {} and "sparad" in outcome.replies[0].text
    staff = notes.staff_view("S1", (), "sv", T).replies[0].text
    assert "S1 har inga anteckningar" in staff and "inte besvaras" in staff


def test_invite_self_help_word():
    programs = {"depression": "Steg för steg – när livet känns tungt"}
    roles = frozenset({"therapist"})
    plan = staff_invite.plan_invite(
        ("depression", "S1", "self-help"), roles, programs, lambda _: False, T
    )
    assert plan == staff_invite.InvitePlan("depression", "S1", "self-help")
    plain = staff_invite.plan_invite(("depression", "P1"), roles, programs, lambda _: False, T)
    assert plain.mode == "guided"
    wrong = staff_invite.plan_invite(("depression", "P", "1"), roles, programs, lambda _: False, T)
    assert "ett enda ord" in wrong.replies[0].text


def test_answers_in_an_add_on_name_it_by_its_title():
    lines = (AnswerLine(4, "Beskriv problemet", "Vad är problemet?", "Räkningarna"),)
    outcome = staff_messages.answers("P1", 8, lines, (8,), True, T, "Tillägg: Problemlösning")
    heading = outcome.replies[0].text
    assert "Tillägg: Problemlösning" in heading and "modul 8" not in heading.lower()
