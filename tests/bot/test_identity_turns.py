"""Identity at first contact (bot/care/identity.py, bot/routes/identity.py): the care team is
asked "Är detta din patient?" with the Telegram name shown once; until confirmed nothing from
the care team reaches the patient; Nej -> Ja, avbryt ends the enrollment, erases the person
and burns the invite. Real routes over a real database."""

import json
from dataclasses import replace

from bot.care import identity
from bot.router import button
from dialogues.types import Incoming
from storage import lifecycle, outbox, patients, units
from storage.database import run_in_transaction
from tests.bot.commands import COMMANDS, message_command, start
from tests.bot.staff_helpers import patient_id
from tests.bot.test_enrollment_turns import invite_code
from tests.harness.catalogue import says
from tests.harness.databases import table_names

NAME = "Kim Markör"
open_command = COMMANDS["open"]


def agreed(chat, therapist, user=200):
    """Invited and agreed, with a Telegram display name; not confirmed."""
    code = invite_code(chat, therapist)
    chat.command(start, user, "start", code)
    for row in reversed(chat.outbox(user)):
        markup = row["params"].get("reply_markup")
        if markup and "consent:yes" in markup:
            data = next(
                b["callback_data"]
                for line in json.loads(markup)["inline_keyboard"]
                for b in line
                if "consent:yes" in b["callback_data"]
            )
            chat.turn(
                button,
                user,
                Incoming(kind="button"),
                data=data,
                message_id=row["id"],
                display_name=NAME,
            )
            return user, code
    raise AssertionError("no consent offer")


def _database_text(chat) -> str:
    """Every value of every table, as text (to look for the name)."""
    found = []
    for table in sorted(table_names(chat.conn)):
        for row in chat.conn.execute(f"SELECT * FROM {table}"):
            found.extend(str(value) for value in row)
    return "\n".join(found)


def test_consent_asks_the_therapist_with_the_name_shown_once(chat, therapist):
    agreed(chat, therapist)
    question = chat.outbox(therapist)[-1]["params"]
    assert says(question["text"], "identity.question", label="P1", name=NAME)
    labels = [
        b["text"] for line in json.loads(question["reply_markup"])["inline_keyboard"] for b in line
    ]
    assert labels == ["Ja, det är min patient", "Nej"]
    pid = patient_id(chat, "P1")
    assert not patients.get(chat.conn, pid).confirmed
    # Once sent, the outbox keeps no payload: the name is nowhere in the database.
    now = chat.clock.now()
    for row in chat.outbox(therapist):
        sent = outbox.OutboxRow(
            row["id"], therapist, row["method"], {}, 2, "sending", 1, False, False
        )
        run_in_transaction(chat.conn, lambda c, sent=sent: outbox.mark_sent(c, sent, 1, now))
    assert "Markör" not in _database_text(chat)


def test_until_confirmed_the_care_team_cannot_reach_the_patient(chat, therapist):
    patient, _ = agreed(chat, therapist)
    incoming = Incoming(kind="command", command="message", args=("Hej",), text="/message Hej")
    chat.turn(message_command, patient, incoming)
    chat.press(therapist, "Svara")
    assert says(chat.last_text(therapist), "identity.not_confirmed", label="P1")
    chat.command(open_command, therapist, "open", "P1", "2")
    assert says(chat.last_text(therapist), "identity.not_confirmed", label="P1")
    enrollment = patients.active_enrollment(chat.conn, patient_id(chat, "P1"))
    assert enrollment.current_module == 1
    # The refusal carries the way to confirm: Ja, det är min patient.
    chat.press(therapist, "Ja, det är min patient")
    assert says(chat.last_text(therapist), "identity.confirmed", label="P1")
    chat.command(open_command, therapist, "open", "P1", "2")
    assert says(chat.last_text(therapist), "pacing.module_opened", label="P1", module=2)


def test_yes_confirms_with_a_lifecycle_row_and_an_audit_row(chat, therapist):
    agreed(chat, therapist)
    chat.press(therapist, "Ja, det är min patient")
    pid = patient_id(chat, "P1")
    assert patients.get(chat.conn, pid).confirmed
    assert [e.change for e in lifecycle.history(chat.conn, pid)] == ["enrolled", "confirmed"]
    actions = [
        r[0] for r in chat.conn.execute("SELECT action FROM audit_log WHERE patient_id = ?", (pid,))
    ]
    assert "identity_confirmed" in actions
    chat.press(therapist, "Nej")  # the old question's other button: already answered
    assert says(chat.last_text(therapist), "identity.settled")
    assert patients.get(chat.conn, pid).confirmed


def test_no_then_back_then_cancel_ends_erases_and_burns_the_invite(chat, therapist):
    patient, code = agreed(chat, therapist)
    chat.text(patient, "Det här är mitt svar")  # something of theirs stored
    pid = patient_id(chat, "P1")
    chat.press(therapist, "Nej")
    assert says(chat.last_text(therapist), "identity.cancel_question", label="P1")
    chat.press(therapist, "Tillbaka")
    assert says(chat.last_text(therapist), "identity.question_again", label="P1")
    chat.press(therapist, "Nej")
    chat.press(therapist, "Ja, avbryt")
    assert says(chat.last_text(therapist), "identity.cancelled", label="P1")

    ended = patients.latest_enrollment(chat.conn, pid)
    assert (ended.status, ended.end_reason) == ("ended", lifecycle.IDENTITY_REJECTED)
    row = chat.conn.execute(
        "SELECT telegram_user_id, chat_id FROM patients WHERE id = ?", (pid,)
    ).fetchone()
    assert tuple(row) == (None, None)
    for table in ("schedules", "form_requests", "diary_entries", "messages"):
        count = chat.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE patient_id = ?", (pid,))
        assert count.fetchone()[0] == 0, table
    # The closing message still goes, then is erased like a decline's reply.
    closing = chat.conn.execute(
        "SELECT forget_recipient, status FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1",
        (patient,),
    ).fetchone()
    assert tuple(closing) == (1, "pending")
    # The link leads nowhere now, and the person is a stranger again.
    chat.command(start, patient, "start", code)
    assert says(chat.last_text(patient), "consent.invite_unknown")
    assert patients.by_telegram_user(chat.conn, patient) is None
    chat.press(therapist, "Ja, det är min patient")  # the first question, pressed late
    assert says(chat.last_text(therapist), "identity.settled")


class FakeVerifier:
    def __init__(self):
        self.started = []

    def start(self, patient_id, language):
        self.started.append((patient_id, language))
        return "öppna https://verify.example/abc"


def test_a_unit_with_a_verifier_lets_it_confirm(chat, therapist):
    verifier = FakeVerifier()
    chat.world = replace(chat.world, identity_verifier=verifier)
    unit_id = chat.conn.execute("SELECT id FROM units WHERE name = 'Växjö'").fetchone()[0]
    run_in_transaction(chat.conn, lambda c: units.set_identity_check(c, unit_id, "verifier"))
    patient, _ = agreed(chat, therapist)
    pid = patient_id(chat, "P1")
    assert verifier.started == [(pid, "sv")]
    assert any("verify.example" in text for text in chat.texts(patient))
    assert not any(
        says(text, "identity.question", label="P1", name=NAME) for text in chat.texts(therapist)
    )

    now = chat.clock.now()
    run_in_transaction(chat.conn, lambda c: identity.verified(c, pid, True, now))
    assert patients.get(chat.conn, pid).confirmed
    assert says(chat.last_text(therapist), "identity.verified", label="P1")
    assert [e.reason for e in lifecycle.history(chat.conn, pid)][-1] == identity.VERIFIER


def test_a_failed_verification_asks_the_care_team(chat, therapist):
    chat.world = replace(chat.world, identity_verifier=FakeVerifier())
    unit_id = chat.conn.execute("SELECT id FROM units WHERE name = 'Växjö'").fetchone()[0]
    run_in_transaction(chat.conn, lambda c: units.set_identity_check(c, unit_id, "verifier"))
    agreed(chat, therapist)
    pid = patient_id(chat, "P1")
    now = chat.clock.now()
    run_in_transaction(chat.conn, lambda c: identity.verified(c, pid, False, now))
    assert not patients.get(chat.conn, pid).confirmed
    assert says(chat.last_text(therapist), "identity.question_again", label="P1")


def test_a_forged_identity_button_is_stale(chat, therapist):
    agreed(chat, therapist)
    pid = patient_id(chat, "P1")
    chat.turn(button, 300, Incoming(kind="button"), data=f"-|identity:yes:{pid}")
    assert not patients.get(chat.conn, pid).confirmed
    chat.turn(button, therapist, Incoming(kind="button"), data="-|identity:yes:notanumber")
    assert not patients.get(chat.conn, pid).confirmed
