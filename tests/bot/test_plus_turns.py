"""The self-help program `plus` through real turns and a real database: self-help from the
invite on, no questionnaires, no module opening by itself, no diary in the follow-up, and
writing to the therapist refused with the crisis contacts."""

import re
from datetime import timedelta

from tests.bot.commands import invite_command, module_command, start
from tests.bot.test_messages_turns import message
from tests.harness.catalogue import said, says, sv

PLUS_STEPS = 8  # every plus module has eight steps


def plus_patient(chat, therapist, user=200):
    chat.command(invite_command, therapist, "invite", "plus", "P7")
    assert says(chat.last_text(therapist), "invite.self_help")
    code = re.search(r"\?start=(\S+)", chat.last_text(therapist)).group(1)
    chat.command(start, user, "start", code)
    assert said(chat.texts(user), "consent.self_help")
    chat.press(user, "Jag godkänner")
    chat.press(therapist, "Ja, det är min patient")
    return user


def finish_current_module(chat, patient):
    chat.command(module_command, patient, "module")
    for _ in range(PLUS_STEPS):
        chat.press(patient, "Nästa")


def test_plus_is_self_help_without_questionnaires_or_diary_reminders(chat, therapist):
    plus_patient(chat, therapist)
    kinds = {row[0] for row in chat.conn.execute("SELECT kind FROM schedules")}
    assert kinds == {"module"}
    assert chat.conn.execute("SELECT COUNT(*) FROM form_requests").fetchone()[0] == 0
    mode = chat.conn.execute("SELECT mode FROM enrollments").fetchone()[0]
    assert mode == "self-help"


def test_a_finished_plus_module_waits_for_staff_to_choose_the_next(chat, therapist):
    patient = plus_patient(chat, therapist)
    finish_current_module(chat, patient)
    texts = chat.texts(patient)
    assert said(texts, "module.next_by_therapist_self_help")
    # Plus has no diary, and nothing planned has happened yet: no follow-up numbers.
    assert not said(texts, "module_follow_up.diary_days")
    assert not said(texts, "module_follow_up.title", number=1)
    assert said(texts, "module_follow_up.ask")
    assert not said(chat.texts(therapist), "staff_messages.finished", label="P7", number=1)
    chat.clock.advance(timedelta(days=8))
    chat.command(module_command, patient, "module")
    finished = chat.last_text(patient)
    assert says(finished, "module.already_finished", number=1)
    assert says(finished, "module.next_by_therapist_self_help")
    assert chat.conn.execute("SELECT current_module FROM enrollments").fetchone()[0] == 1


def test_writing_to_the_therapist_is_refused_with_the_crisis_contacts(chat, therapist):
    patient = plus_patient(chat, therapist)
    message(chat, patient, "/message hej")
    refusal = chat.last_text(patient)
    assert refusal == sv("messages.self_help")
    assert "112" in refusal and "1177" in refusal and "90101" in refusal
    assert chat.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
