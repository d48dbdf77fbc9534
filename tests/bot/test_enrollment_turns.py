"""Invite, consent and module steps, driven through the real routes and a real database."""

import json
import re
from datetime import timedelta

from dialogues.types import Incoming
from tests.bot.commands import invite_command, module_command, start
from tests.harness.catalogue import said, says, sv


def invite_code(chat, therapist, label="P1"):
    chat.command(invite_command, therapist, "invite", "depression", label)
    match = re.search(r"\?start=(\S+)", chat.last_text(therapist))
    assert match, chat.last_text(therapist)
    return match.group(1)


def test_staff_binding_says_welcome(chat, therapist):
    assert "Anna" in chat.texts(therapist)[0]
    assert "behandlare" in chat.texts(therapist)[0]


def test_invite_gives_one_time_link(chat, therapist):
    code = invite_code(chat, therapist)
    assert "https://t.me/ikbt_test_bot?start=" in chat.last_text(therapist)
    assert len(code) >= 8


def test_label_must_be_unique_in_unit(chat, therapist):
    invite_code(chat, therapist, "P1")
    chat.command(invite_command, therapist, "invite", "depression", "P1")
    assert says(chat.last_text(therapist), "invite.label_taken", label="P1")


def test_patient_cannot_invite(chat, therapist):
    code = invite_code(chat, therapist)
    chat.command(start, 200, "start", code)
    chat.press(200, "Jag godkänner")
    chat.command(invite_command, 200, "invite", "depression", "X")
    assert said(chat.texts(200), "input.unknown_command")
    count = chat.conn.execute("SELECT COUNT(*) FROM invites").fetchone()[0]
    assert count == 1


def test_start_with_code_shows_consent_at_once(chat, therapist):
    code = invite_code(chat, therapist)
    chat.command(start, 200, "start", code)
    consent = chat.outbox(200)[-1]
    assert "112" in consent["params"]["text"] and "90101" in consent["params"]["text"]
    assert "1177" in consent["params"]["text"]
    markup = json.loads(consent["params"]["reply_markup"])
    labels = [button["text"] for row in markup["inline_keyboard"] for button in row]
    assert labels == [sv("consent.button.agree"), sv("consent.button.decline")]


def test_english_user_gets_english_consent(chat, therapist):
    code = invite_code(chat, therapist)
    chat.turn(start, 200, Incoming(kind="command", command="start", args=(code,)), language="en")
    assert "I do not agree" in chat.outbox(200)[-1]["params"]["reply_markup"]


def test_decline_keeps_nothing_about_the_person(chat, therapist):
    code = invite_code(chat, therapist)
    chat.command(start, 200, "start", code)
    chat.press(200, "Jag godkänner inte")
    conn = chat.conn
    assert conn.execute("SELECT status FROM invites").fetchone()[0] == "declined"
    assert conn.execute("SELECT COUNT(*) FROM patients").fetchone()[0] == 0
    assert (
        conn.execute("SELECT COUNT(*) FROM dialogue_state WHERE chat_id = 200").fetchone()[0] == 0
    )
    # the decline reply is queued with forget_recipient, so the sender erases it once sent
    row = conn.execute("SELECT forget_recipient FROM outbox ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == 1
    assert (
        conn.execute("SELECT COUNT(*) FROM inbox WHERE payload_json IS NOT NULL").fetchone()[0] == 0
    )


def test_a_consent_button_of_a_used_invite_keeps_nothing_of_the_stranger(chat, therapist):
    code = invite_code(chat, therapist)
    chat.command(start, 200, "start", code)
    chat.command(start, 201, "start", code)  # the same link opened by someone else
    chat.press(200, "Jag godkänner")
    chat.press(201, "Jag godkänner inte")
    reply = chat.conn.execute(
        "SELECT payload_json, forget_recipient FROM outbox WHERE chat_id = 201 ORDER BY id DESC"
    ).fetchone()
    assert says(json.loads(reply["payload_json"])["text"], "consent.invite_used")
    assert reply["forget_recipient"] == 1
    assert chat.conn.execute("SELECT status FROM invites").fetchone()[0] == "accepted"


def test_used_expired_and_unknown_codes_get_no_buttons(chat, therapist):
    code = invite_code(chat, therapist)
    chat.command(start, 200, "start", code)
    chat.press(200, "Jag godkänner")
    chat.command(start, 201, "start", code)
    assert chat.outbox(201)[-1]["params"]["text"] == sv("consent.invite_used")
    assert "reply_markup" not in chat.outbox(201)[-1]["params"]
    chat.command(start, 202, "start", "NOSUCHCODE")
    assert chat.outbox(202)[-1]["params"]["text"] == sv("consent.invite_unknown")
    old = invite_code(chat, therapist, "P2")
    chat.clock.advance(timedelta(days=14, seconds=1))
    chat.command(start, 203, "start", old)
    assert chat.outbox(203)[-1]["params"]["text"] == sv("consent.invite_expired")
    assert "reply_markup" not in chat.outbox(203)[-1]["params"]


def enrolled(chat, therapist, user=200, *, confirmed=True):
    """Invited, agreed and (unless `confirmed` is False) confirmed by the therapist."""
    code = invite_code(chat, therapist)
    chat.command(start, user, "start", code)
    chat.press(user, "Jag godkänner")
    if confirmed:
        chat.press(therapist, "Ja, det är min patient")
    return user


def test_agree_enrolls_and_shows_step_one(chat, therapist):
    patient = enrolled(chat, therapist)
    assert says(chat.last_text(patient), "module.step_of", current=1, total=9)
    assert chat.conn.execute("SELECT label FROM patients").fetchone()[0] == "P1"


def test_steps_next_back_and_answers(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.press(patient, "Nästa")
    assert says(chat.last_text(patient), "module.step_of", current=2, total=9)
    chat.press(patient, "Tillbaka")
    assert says(chat.last_text(patient), "module.step_of", current=1, total=9)
    for _ in range(5):
        chat.press(patient, "Nästa")
    assert says(chat.last_text(patient), "module.step_of", current=6, total=9)
    chat.text(patient, "Jag flyttade och slutade träna.")
    assert "sparat" in chat.last_text(patient)
    chat.text(patient, "Jag flyttade.")
    assert says(chat.last_text(patient), "module.choice.question")  # never replaced unasked
    chat.press(patient, sv("module.button.replace"))
    assert says(chat.last_text(patient), "module.answer_updated")
    row = chat.conn.execute("SELECT value, version FROM answers").fetchone()
    assert tuple(row) == ("Jag flyttade.", 2)


def test_stale_button_does_not_move_twice(chat, therapist):
    patient = enrolled(chat, therapist)
    first = chat.outbox(patient)[-1]
    chat.press(patient, "Nästa")
    # press Nästa on the step-1 message again: stale
    import json

    data = json.loads(first["params"]["reply_markup"])["inline_keyboard"][-1][-1]["callback_data"]
    from bot.router import button

    result, _ = chat.turn(
        button, patient, Incoming(kind="button"), data=data, message_id=first["id"]
    )
    assert result.toast == sv("button.stale")
    assert says(chat.last_text(patient), "module.step_of", current=2, total=9)


def test_forged_callback_is_answered_kindly(chat, therapist):
    patient = enrolled(chat, therapist)
    from bot.router import button

    for data in ("garbage", "99999|next", "-|consent:yes:", "-|lang:xx", None):
        result, _ = chat.turn(button, patient, Incoming(kind="button"), data=data)
        assert result.toast
    assert says(chat.last_text(patient), "module.step_of", current=1, total=9)


def test_module_resumes_and_finishes_with_summary(chat, therapist):
    patient = enrolled(chat, therapist)
    for _ in range(8):
        chat.press(patient, "Nästa")
    assert says(chat.last_text(patient), "module.step_of", current=9, total=9)
    chat.command(module_command, patient, "module")
    assert says(chat.last_text(patient), "module.step_of", current=9, total=9)
    chat.press(patient, "Nästa")
    summary, follow_up, reflection = chat.texts(patient)[-3:]
    assert says(summary, "module.finished_title", number=1)
    assert says(follow_up, "module_follow_up.title", number=1)
    assert "Hur har det gått att fylla i veckodagboken" in reflection


def test_duplicate_update_changes_nothing(chat, therapist):
    from bot.turn.context import TurnInput
    from bot.turn.run import run_turn
    from storage.database import run_in_transaction

    patient = enrolled(chat, therapist)
    result, update_id = chat.text(patient, "hej")
    before = len(chat.outbox(patient))
    turn_input = TurnInput(update_id, patient, patient, "sv", Incoming(kind="text", text="hej"))
    again = run_in_transaction(
        chat.conn,
        lambda c: run_turn(c, chat.world, module_command, turn_input, chat.clock.now()),
    )
    assert not again.answered
    assert len(chat.outbox(patient)) == before
