"""Numbers typed by people or carried in button data: only ASCII digits, within bounds; anything
else gets the expected format and changes nothing. Driven through the real routes."""

from bot.router import button
from dialogues.types import Incoming
from tests.bot.commands import pause_command
from tests.bot.test_enrollment_turns import enrolled


def _pause_asked(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(pause_command, patient, "pause")
    return patient


def test_a_superscript_two_in_the_pause_gets_the_format_and_a_flag(chat, therapist):
    patient = _pause_asked(chat, therapist)
    chat.text(patient, "² dagar, jag vill inte leva längre")
    assert "Skriv ett antal dagar mellan 1 och 60" in chat.last_text(patient)
    flags = chat.conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0]
    assert flags == 1
    paused = chat.conn.execute("SELECT paused_until FROM patients").fetchone()[0]
    assert paused is None


def test_other_digits_and_huge_numbers_do_not_pause(chat, therapist):
    patient = _pause_asked(chat, therapist)
    for typed in ("٣", "１", "߁", "9" * 5000, "-3", "+5", "0x10", "61"):
        chat.text(patient, typed)
        assert "Skriv ett antal dagar mellan 1 och 60" in chat.last_text(patient), typed
    assert chat.conn.execute("SELECT paused_until FROM patients").fetchone()[0] is None
    chat.text(patient, " 3 ")
    assert chat.conn.execute("SELECT paused_until FROM patients").fetchone()[0] is not None


def test_forged_ids_past_64_bits_are_answered_kindly(chat, therapist):
    patient = enrolled(chat, therapist)
    for data in (
        "-|flag:show:99999999999999999999",
        "-|rem:open:" + "9" * 5000,
        "-|act:٣:ja:5",
        "99999999999999999999999|next",
        "²|next",
        "-|form:99999999999999999999",
    ):
        result, _ = chat.turn(button, therapist, Incoming(kind="button"), data=data)
        assert result.answered
        result, _ = chat.turn(button, patient, Incoming(kind="button"), data=data)
        assert result.answered
