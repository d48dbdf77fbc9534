"""Review of issue 15 (safety side), through real turns and a real database: forged or odd
input in the new dialogues gets a kind answer and never fails the turn, and feedback the
therapist wrote before maintenance started still reaches the patient."""

from bot import router
from bot.router import button
from dialogues.types import Incoming
from storage import patients
from tests.bot.commands import command
from tests.bot.staff_helpers import bind, patient_id
from tests.bot.test_enrollment_turns import enrolled
from tests.bot.test_identity_turns import agreed
from tests.bot.test_messages_turns import finish_module_1
from tests.harness.catalogue import says, sv

maintain = command("maintain")
open_command = command("open")


def _press_data(chat, user, data):
    result, _ = chat.turn(button, user, Incoming(kind="button"), data=data)
    return result


def _start_maintenance(chat, therapist, days="14"):
    chat.command(maintain, therapist, "maintain", "P1", days)
    chat.press(therapist, "Starta vidmakthållande")


def test_a_forged_read_button_with_other_digits_is_stale(chat, therapist):
    patient = enrolled(chat, therapist)
    _start_maintenance(chat, therapist)
    for data in ("-|read:²:0", "-|read:1:²", "-|read:١:0"):
        assert _press_data(chat, patient, data).toast == sv("button.stale"), data


def test_maintain_days_in_other_digits_are_asked_again_kindly(chat, therapist):
    enrolled(chat, therapist)
    chat.command(maintain, therapist, "maintain", "P1", "²")
    assert says(chat.last_text(therapist), "maintain.bad_days", low=1, high=365)
    chat.text(therapist, "١٤")  # Arabic-Indic digits: not a number we read
    assert says(chat.last_text(therapist), "maintain.bad_days", low=1, high=365)
    chat.text(therapist, "14")
    assert says(chat.last_text(therapist), "maintain.page", days=14)
    assert patients.latest_enrollment(chat.conn, patient_id(chat, "P1")).status == "active"


def test_feedback_written_before_maintenance_reaches_the_patient_first(chat, therapist):
    patient = enrolled(chat, therapist)
    finish_module_1(chat, patient)
    chat.press(therapist, "Ge återkoppling")
    chat.text(therapist, "Fint arbete med målen!")
    assert not any("Fint arbete" in text for text in chat.texts(patient))  # waits for module 2
    _start_maintenance(chat, therapist)
    texts = chat.texts(patient)
    feedback = [i for i, text in enumerate(texts) if "Fint arbete med målen" in text]
    assert len(feedback) == 1
    assert says(texts[feedback[0]], "messages.feedback", number=1)
    told = next(i for i, text in enumerate(texts) if says(text, "reading.told"))
    assert feedback[0] < told  # the feedback, then what maintenance means


def _withdrawn(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(command("withdraw"), patient, "withdraw")
    chat.press(patient, "Ja, avsluta")
    assert patients.latest_enrollment(chat.conn, patient_id(chat, "P1")).status == "ended"
    return patient


def _open_flags(chat):
    return chat.conn.execute("SELECT COUNT(*) FROM flags WHERE status = 'open'").fetchone()[0]


def test_blocking_the_bot_after_withdrawing_raises_no_flag_but_the_team_hears(chat, therapist):
    """Telegram's Stop button blocks the bot: after a withdrawal that is expected. No amber
    flag (nothing is paused, and an open flag would hold up the purge), no "reminders
    paused"; the care team hears of it once (a closing message may not have arrived)."""
    patient = _withdrawn(chat, therapist)
    chat.turn(router.membership_changed, patient, Incoming(kind="membership", text="kicked"))
    assert _open_flags(chat) == 0
    told = chat.last_text(therapist)
    assert says(told, "reachability.unreachable_after_end", label="P1")
    chat.turn(router.membership_changed, patient, Incoming(kind="membership", text="member"))
    assert chat.last_text(therapist) == told  # no "reminders resumed" after the end
    assert _open_flags(chat) == 0


def test_blocking_the_bot_during_the_treatment_still_flags(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.turn(router.membership_changed, patient, Incoming(kind="membership", text="kicked"))
    assert _open_flags(chat) == 1
    assert says(chat.last_text(therapist), "reachability.unreachable", label="P1")


def test_a_move_tells_the_patient_only_while_their_treatment_goes_on(chat, therapist):
    """/move tells the patient "you have a new therapist": not a person the care team has
    not confirmed yet (nothing from the care team reaches them), and not after the end (a
    person erased after Ja, avbryt has no chat left: a row to nobody would wait for ever)."""
    person, _ = agreed(chat, therapist)
    pid = patient_id(chat, "P1")
    admin = bind(chat, "Eva", "patient-admin", "Växjö", 402)
    bind(chat, "David", "therapist", "Växjö", 403)
    chat.command(command("move"), admin, "move", "P1")
    chat.press(admin, "David")
    assert says(chat.last_text(admin), "move.done", label="P1", therapist="David")
    assert sv("move.told_patient") not in chat.texts(person)
    _press_data(chat, admin, f"-|identity:cancel:{pid}")  # Ja, avbryt: the person is erased
    assert patients.get(chat.conn, pid).chat_id is None
    chat.command(command("move"), admin, "move", "P1")
    chat.press(admin, "Anna")
    assert says(chat.last_text(admin), "move.done", label="P1", therapist="Anna")
    nowhere = chat.conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE chat_id IS NULL AND status = 'pending'"
    ).fetchone()[0]
    assert nowhere == 0


def test_a_patient_pressing_a_forged_identity_button_keeps_their_message(chat, therapist):
    """Only staff answer "Är detta din patient?": a patient's forged press is a stale button
    (the usual toast and their place), never an edit of the message they pressed."""
    person, _ = agreed(chat, therapist)
    pid = patient_id(chat, "P1")
    pressed = chat.outbox(person)[-1]["id"]
    result, _ = chat.turn(
        button, person, Incoming(kind="button"), data=f"-|identity:yes:{pid}", message_id=pressed
    )
    assert result.toast == sv("button.stale")
    assert not any(says(text, "identity.settled") for text in chat.texts(person))
    assert not patients.get(chat.conn, pid).confirmed
