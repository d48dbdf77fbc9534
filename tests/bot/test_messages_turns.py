"""Messages, feedback, comments and self-help notes through real turns and a real database:
a round trip, forged and refused presses, feedback with the next module (or at once when
late), and a self-help patient who cannot message but whose notes the therapist reads."""

import re
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

from bot.care.self_help import is_self_help
from bot.router import button
from dialogues.types import Incoming
from storage import cover, messages, staff
from storage.database import run_in_transaction
from storage.patients import Enrollment
from tests.bot.commands import (
    answers_command,
    invite_command,
    message_command,
    messages_command,
    module_command,
    notes_command,
    start,
)
from tests.bot.conftest import START
from tests.bot.test_enrollment_turns import enrolled
from tests.harness.catalogue import said, says, sv

FINISH_MODULE_1 = 9  # × Nästa


def message(chat, user, text):
    """`/message <text>` as Telegram sends it: the whole text, and the words as args."""
    incoming = Incoming(kind="command", command="message", args=tuple(text.split()[1:]), text=text)
    return chat.turn(message_command, user, incoming)


def notes(chat, user, text="/notes"):
    incoming = Incoming(kind="command", command="notes", args=tuple(text.split()[1:]), text=text)
    return chat.turn(notes_command, user, incoming)


def other_unit_therapist(chat, user=300):
    code = run_in_transaction(
        chat.conn,
        lambda c: staff.add_staff_role(
            c,
            name="Bo",
            role="therapist",
            unit_name="Malmö",
            telegram_user_id=None,
            now=chat.clock.now(),
        ),
    )
    chat.command(start, user, "start", code)
    return user


def finish_module_1(chat, patient):
    chat.command(module_command, patient, "module")
    for _ in range(FINISH_MODULE_1):
        chat.press(patient, "Nästa")


def test_message_round_trip(chat, therapist):
    patient = enrolled(chat, therapist)
    message(chat, patient, "/message Hur länge ska jag fylla i dagboken?")
    assert says(chat.last_text(patient), "messages.sent")
    assert says(chat.last_text(patient), "messages.office_days")  # when to expect an answer
    note = chat.outbox(therapist)[-1]
    assert says(
        note["params"]["text"],
        "staff_messages.notification",
        label="P1",
        text="Hur länge ska jag fylla i dagboken?",
    )
    chat.press(therapist, "Svara")
    assert says(chat.last_text(therapist), "staff_messages.ask_reply", label="P1")
    chat.text(therapist, "Tre veckor, sedan väljer vi dagar.")
    assert says(chat.last_text(therapist), "staff_messages.sent", label="P1")
    assert says(
        chat.last_text(patient),
        "messages.from_therapist",
        text="Tre veckor, sedan väljer vi dagar.",
    )
    rows = chat.conn.execute(
        "SELECT direction, answered_at IS NOT NULL FROM messages ORDER BY id"
    ).fetchall()
    assert [(row[0], bool(row[1])) for row in rows] == [
        ("from_patient", True),
        ("to_patient", False),
    ]
    times = messages.reply_times(chat.conn, 1)
    assert (times.last_minutes, times.replies, times.unanswered_since) == (0, 1, None)
    audited = chat.conn.execute("SELECT action FROM audit_log WHERE patient_id = 1").fetchall()
    assert ("message_sent",) in [tuple(row) for row in audited]


def test_message_asked_for_and_cancelled(chat, therapist):
    patient = enrolled(chat, therapist)
    message(chat, patient, "/message")
    assert says(chat.last_text(patient), "messages.ask")
    chat.press(patient, "Avbryt")
    assert says(chat.last_text(patient), "messages.cancelled")
    message(chat, patient, "/message")
    chat.text(patient, "En fråga om modulen")
    assert says(chat.last_text(patient), "messages.sent")
    assert "En fråga om modulen" in chat.last_text(therapist)


def test_message_text_is_screened_for_crisis_terms(chat, therapist):
    patient = enrolled(chat, therapist)
    message(chat, patient, "/message Jag vill inte leva längre")
    texts = chat.texts(patient)
    assert any("112" in text for text in texts[-2:])
    assert chat.conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0] == 1
    assert chat.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1


def test_a_forged_reply_for_another_units_patient_is_refused(chat, therapist):
    patient = enrolled(chat, therapist)
    stranger = other_unit_therapist(chat)
    message(chat, patient, "/message Hej")
    message_id = chat.conn.execute("SELECT id FROM messages").fetchone()[0]
    result, _ = chat.turn(
        button, stranger, Incoming(kind="button"), data=f"-|msg:reply:{message_id}"
    )
    assert result.toast == sv("staff_messages.refused.not_yours")
    chat.text(stranger, "Hej från fel mottagning")
    assert chat.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1
    # nor may they read the history or the answers
    chat.command(messages_command, stranger, "messages", "P1")
    assert says(chat.last_text(stranger), "staff.no_such_patient")
    chat.command(answers_command, stranger, "answers", "P1")
    assert says(chat.last_text(stranger), "staff.no_such_patient")


def test_a_patient_cannot_press_a_staff_button(chat, therapist):
    patient = enrolled(chat, therapist)
    message(chat, patient, "/message Hej")
    result, _ = chat.turn(button, patient, Incoming(kind="button"), data="-|msg:to:1")
    assert result.toast == sv("staff_messages.refused.not_yours")
    chat.command(answers_command, patient, "answers", "P1")
    assert said(chat.texts(patient)[-3:], "input.unknown_command")


def test_history_for_patient_and_staff(chat, therapist):
    patient = enrolled(chat, therapist)
    message(chat, patient, "/message Första frågan")
    chat.press(therapist, "Svara")
    chat.text(therapist, "Första svaret")
    chat.command(messages_command, patient, "messages")
    history = chat.last_text(patient)
    assert history.index("Första frågan") < history.index("Första svaret")
    assert "Din behandlare" in history
    chat.command(messages_command, therapist, "messages", "P1")
    listed = chat.last_text(therapist)
    assert says(listed, "messages.staff.title", label="P1") and "Anna" in listed
    actions = [row[0] for row in chat.conn.execute("SELECT action FROM audit_log")]
    assert "messages_viewed" in actions


def test_feedback_waits_for_the_next_module(chat, therapist):
    patient = enrolled(chat, therapist)
    finish_module_1(chat, patient)
    assert says(chat.texts(therapist)[-1], "staff_messages.finished_choose", label="P1", number=1)
    chat.press(therapist, "Ge återkoppling")
    assert says(
        chat.last_text(therapist), "staff_messages.feedback_later_choose", label="P1", number=2
    )
    chat.text(therapist, "Fint arbete med målen!")
    assert says(
        chat.last_text(therapist), "staff_messages.feedback_saved_choose", label="P1", number=2
    )
    assert not any("Fint arbete" in text for text in chat.texts(patient))
    # A week passes: the therapist decides, so nothing opens and the feedback still waits.
    chat.clock.advance(timedelta(days=7))
    chat.command(module_command, patient, "module")
    assert not any("Fint arbete" in text for text in chat.texts(patient))
    chat.press(therapist, "Öppna nästa modul")
    texts = chat.texts(patient)
    feedback = next(i for i, text in enumerate(texts) if "Fint arbete med målen" in text)
    assert says(texts[feedback], "messages.feedback", number=1)
    assert says(texts[feedback + 1], "patient.told_module", module=2, title=_title(chat, 2))
    chat.press(patient, "Börja modul 2")
    assert says(chat.texts(patient)[-2], "form.before_module", number=2)  # before the module
    chat.command(module_command, patient, "module")
    assert sum("Fint arbete" in text for text in chat.texts(patient)) == 1
    kinds = [row[0] for row in chat.conn.execute("SELECT type FROM events WHERE patient_id = 1")]
    assert "feedback_delivered" in kinds and "message_sent" not in kinds


def _title(chat, number):
    return chat.world.programs["depression"].module(number, "sv").title


def test_feedback_after_the_next_module_opened_is_sent_at_once(chat, therapist):
    patient = enrolled(chat, therapist)
    finish_module_1(chat, patient)
    chat.press(therapist, "Öppna nästa modul")  # module 2 opens
    chat.press(therapist, "Ge återkoppling")
    assert says(chat.last_text(therapist), "staff_messages.feedback_at_once", label="P1")
    chat.text(therapist, "Sent men varmt: bra jobbat!")
    assert says(chat.last_text(therapist), "staff_messages.feedback_sent", label="P1")
    assert "Sent men varmt" in chat.last_text(patient)


def test_module_end_offers_writing_to_the_therapist(chat, therapist):
    patient = enrolled(chat, therapist)
    finish_module_1(chat, patient)
    chat.press(patient, "Skriv till din behandlare")
    assert says(chat.last_text(patient), "messages.ask")
    chat.text(patient, "Tack för modulen")
    assert "Tack för modulen" in chat.last_text(therapist)


def test_comment_on_an_exercise_answer(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(module_command, patient, "module")
    chat.press(patient, "Nästa")
    chat.press(patient, "Nästa")
    chat.press(patient, "På kvällen")
    chat.command(answers_command, therapist, "answers", "P1")
    assert says(chat.texts(therapist)[-2], "staff_messages.answers.title", label="P1", number=1)
    assert "På kvällen" in chat.last_text(therapist)
    chat.press(therapist, "Kommentera")
    chat.text(therapist, "Kvällen är en bra tid.")
    assert says(
        chat.last_text(patient),
        "messages.comment",
        exercise="Så här fungerar behandlingsarbetet",
        text="Kvällen är en bra tid.",
    )
    row = chat.conn.execute("SELECT kind, item_key FROM messages").fetchone()
    assert tuple(row) == ("comment", "module-1/how-it-works")
    actions = [row[0] for row in chat.conn.execute("SELECT action FROM audit_log")]
    assert "answers_viewed" in actions and "comment_sent" in actions


def self_help_patient(chat, therapist, user=200):
    chat.command(invite_command, therapist, "invite", "depression", "S1", "self-help")
    assert says(chat.last_text(therapist), "invite.self_help")
    code = re.search(r"\?start=(\S+)", chat.last_text(therapist)).group(1)
    chat.command(start, user, "start", code)
    assert says(chat.last_text(user), "consent.self_help")
    chat.press(user, "Jag godkänner")
    chat.press(therapist, "Ja, det är min patient")
    return user


def test_self_help_patient_cannot_message_but_keeps_notes(chat, therapist):
    patient = self_help_patient(chat, therapist)
    assert said(chat.texts(patient)[-4:], "consent.self_help_start")  # the welcome
    message(chat, patient, "/message Hej?")
    assert says(chat.last_text(patient), "messages.self_help")
    assert chat.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    notes(chat, patient)
    assert says(chat.last_text(patient), "notes.who_reads")
    chat.press(patient, "Skriv en anteckning")
    chat.text(patient, "Promenaden i dag kändes bra")
    assert says(chat.last_text(patient), "notes.saved")
    notes(chat, patient, "/notes Sov bättre i natt")
    notes(chat, therapist, "/notes S1")
    listed = chat.last_text(therapist)
    assert "Promenaden i dag kändes bra" in listed and "Sov bättre i natt" in listed
    actions = [row[0] for row in chat.conn.execute("SELECT action FROM audit_log")]
    assert "notes_viewed" in actions


def test_self_help_refuses_the_therapists_buttons(chat, therapist):
    patient = self_help_patient(chat, therapist)
    finish_module_1(chat, patient)
    assert not said(chat.texts(therapist), "staff_messages.finished", label="S1", number=1)
    assert not any("Skriv till din behandlare" in str(row["params"]) for row in chat.outbox(200))
    for data in ("-|msg:to:1", "-|msg:feedback:1:1"):
        result, _ = chat.turn(button, therapist, Incoming(kind="button"), data=data)
        assert result.toast == sv("staff_messages.refused.self_help")
    chat.command(answers_command, therapist, "answers", "S1")
    assert "Kommentera" not in str(chat.outbox(therapist)[-1]["params"])
    assert chat.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


def test_a_deputy_gets_the_message_during_an_absence_and_may_answer(chat, therapist):
    patient = enrolled(chat, therapist)
    code = run_in_transaction(
        chat.conn,
        lambda c: staff.add_staff_role(
            c,
            name="Cecilia",
            role="therapist",
            unit_name="Växjö",
            telegram_user_id=None,
            now=chat.clock.now(),
        ),
    )
    deputy = 101
    chat.command(start, deputy, "start", code)
    now = chat.clock.now()
    run_in_transaction(
        chat.conn,
        lambda c: cover.add(
            c,
            staff_id=1,
            deputy_id=2,
            starts_at=now,
            ends_at=now + timedelta(days=7),
            created_by=None,
            now=now,
        ),
    )
    message(chat, patient, "/message Är du borta?")
    assert "Är du borta?" in chat.last_text(therapist)
    assert "Är du borta?" in chat.last_text(deputy)
    chat.press(deputy, "Svara")
    chat.text(deputy, "Anna är tillbaka på måndag, jag finns här så länge.")
    assert "tillbaka på måndag" in chat.last_text(patient)
    # once the cover has ended, an old Svara is refused when pressed
    chat.clock.advance(timedelta(days=8))
    result, _ = chat.turn(button, deputy, Incoming(kind="button"), data="-|msg:reply:1")
    assert result.toast == sv("staff_messages.refused.not_yours")


def test_access_is_checked_again_when_the_text_arrives(chat, therapist):
    patient = enrolled(chat, therapist)
    message(chat, patient, "/message Hej")
    chat.press(therapist, "Svara")
    run_in_transaction(chat.conn, lambda c: c.execute("UPDATE staff SET active = 0"))
    chat.text(therapist, "Svar efter avslutad tjänst")
    assert chat.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1


def test_a_patient_turned_self_help_meanwhile_gets_no_reply(chat, therapist):
    patient = enrolled(chat, therapist)
    message(chat, patient, "/message Hej")
    chat.press(therapist, "Svara")
    run_in_transaction(chat.conn, lambda c: c.execute("UPDATE enrollments SET mode = 'self-help'"))
    chat.text(therapist, "Hej tillbaka")
    assert chat.last_text(therapist) == (
        sv("staff_messages.refused.self_help") + " " + sv("staff_messages.not_sent")
    )
    assert chat.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1


def test_a_self_help_program_makes_every_enrollment_self_help():
    def world(self_help):
        program = SimpleNamespace(meta=SimpleNamespace(self_help=self_help))
        return SimpleNamespace(programs={"plus": program})

    enrollment = Enrollment(1, 1, "plus", 1, START, START)  # mode "guided"
    assert is_self_help(world(True), enrollment)
    assert not is_self_help(world(False), enrollment)
    assert is_self_help(world(False), replace(enrollment, mode="self-help"))
    assert not is_self_help(world(True), None)
