"""An exercise answer is never lost (issue 14): text typed on an answered exercise asks
Ersätt / Lägg till / Behåll; a crisis text is flagged and saved only if the patient chooses;
a sticker or an edit while the choice is open loses nothing. Real routes, real SQLite."""

from bot.router import edited, media
from dialogues.types import Incoming
from tests.bot.commands import module_command
from tests.bot.test_enrollment_turns import enrolled
from tests.harness.catalogue import said, says, sv

WRITING_STEP = 6  # module 1, step 6: "Hur började det för dig?" (free text)


def at_writing_step(chat, therapist):
    patient = enrolled(chat, therapist)
    for _ in range(WRITING_STEP - 1):
        chat.press(patient, "Nästa")
    assert says(chat.last_text(patient), "module.step_of", current=WRITING_STEP, total=9)
    return patient


def stored(chat):
    return [tuple(row) for row in chat.conn.execute("SELECT value, version FROM answers")]


def red_flags(chat):
    return chat.conn.execute("SELECT COUNT(*) FROM flags WHERE severity = 'red'").fetchone()[0]


def test_second_text_asks_and_replace_keeps_the_new(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "Jag flyttade och slutade träna.")
    chat.text(patient, "Jag flyttade.")
    assert says(chat.last_text(patient), "module.choice.question")
    assert stored(chat) == [("Jag flyttade och slutade träna.", 1)]  # nothing replaced yet
    chat.press(patient, sv("module.button.replace"))
    assert says(chat.last_text(patient), "module.answer_updated")
    assert stored(chat) == [("Jag flyttade.", 2)]


def test_add_appends_with_a_blank_line(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "Jag flyttade.")
    chat.text(patient, "Sedan slutade jag träna.")
    chat.press(patient, sv("module.button.add"))
    assert stored(chat) == [("Jag flyttade.\n\nSedan slutade jag träna.", 2)]


def test_keep_discards_the_new_text(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "Jag flyttade.")
    chat.text(patient, "Fel chatt, förlåt")
    chat.press(patient, sv("module.button.keep"))
    assert says(chat.last_text(patient), "module.answer_kept")
    assert stored(chat) == [("Jag flyttade.", 1)]


def test_crisis_text_is_flagged_and_not_stored_unless_chosen(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "Jag flyttade.")
    before = len(chat.texts(patient))
    chat.text(patient, "jag vill inte leva längre")
    after = chat.texts(patient)[before:]
    assert red_flags(chat) == 1
    assert "112" in after[0]  # the safety message first
    assert says(after[-1], "module.choice.not_saved") and says(after[-1], "module.choice.question")
    assert stored(chat) == [("Jag flyttade.", 1)]
    chat.press(patient, sv("module.button.keep"))
    assert stored(chat) == [("Jag flyttade.", 1)]


def test_crisis_text_as_a_first_answer_can_be_saved(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "jag vill inte leva längre")
    assert red_flags(chat) == 1
    assert says(chat.last_text(patient), "module.choice.save_question")
    assert stored(chat) == []
    chat.press(patient, sv("module.button.save"))
    assert stored(chat) == [("jag vill inte leva längre", 1)]


def test_crisis_text_as_a_first_answer_dropped(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "jag vill inte leva längre")
    chat.press(patient, sv("module.button.dont_save"))
    assert says(chat.last_text(patient), "module.answer_not_saved")
    assert stored(chat) == []


def test_a_sticker_or_an_edit_keeps_the_choice_open(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "Jag flyttade.")
    chat.text(patient, "Jag flyttade i mars.")
    chat.turn(media, patient, Incoming(kind="media"))
    assert said(chat.texts(patient)[-1:], "input.media")
    chat.turn(edited, patient, Incoming(kind="edited", text="Jag flyttade i april."))
    assert said(chat.texts(patient)[-1:], "input.edited")
    chat.press(patient, sv("module.button.replace"))  # the question's buttons still work
    assert stored(chat) == [("Jag flyttade i mars.", 2)]


def test_module_command_shows_the_step_and_the_choice_again(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "Jag flyttade.")
    chat.text(patient, "Jag flyttade i mars.")
    chat.command(module_command, patient, "module")
    step, question = chat.texts(patient)[-2:]
    assert says(step, "module.step_of", current=WRITING_STEP, total=9)
    assert "Jag flyttade i mars." in question
    chat.press(patient, sv("module.button.add"))
    assert stored(chat) == [("Jag flyttade.\n\nJag flyttade i mars.", 2)]


def test_old_navigation_buttons_are_stale_while_asked(chat, therapist):
    patient = at_writing_step(chat, therapist)
    chat.text(patient, "Jag flyttade.")
    chat.text(patient, "Jag flyttade i mars.")
    result, _ = chat.press(patient, "Nästa")  # on the step's message, before the question
    assert result.toast == sv("button.stale")
    chat.press(patient, sv("module.button.replace"))
    assert stored(chat) == [("Jag flyttade i mars.", 2)]
