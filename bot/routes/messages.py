"""Routes for the patient's side of messaging: `/message [text]`, `/messages` (their history),
the "Skriv till din behandlare" button, and what reaches the patient from their care team
(messages, comments, module feedback; feedback waits for the next module to open).

Nothing here works in self-help mode: the patient is pointed to /notes and /crisis."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.care import messaging
from bot.care.self_help import is_self_help, patient_is_self_help
from bot.escalation import screening
from bot.turn.context import Turn
from dialogues import general, messages, staff_messages
from dialogues.types import Outcome, Reply
from storage import messages as store
from storage import patients

DIALOGUE = messages.DIALOGUE
HISTORY_LENGTH = 10


def message_command(turn: Turn) -> Outcome | None:
    """`/message <text>` sends at once (screened for crisis terms like any patient text);
    `/message` alone asks for the text."""
    if turn.patient is None:
        if turn.staff is not None:
            return Outcome(replies=(Reply(turn.t("messages.staff_hint")),))
        return None
    if patient_is_self_help(turn.conn, turn.world, turn.patient.id):
        return messages.self_help(turn.t)
    text = messages.argument_text(turn.incoming.text)
    if not text:
        return messages.ask(turn.t)
    safety = screening.screen_text(turn, text, source="message")
    send(turn, messages.clean(text))
    outcome = messages.sent(turn.t)
    return safety.then(outcome) if safety else outcome


def ask_patient(turn: Turn) -> Outcome:
    """The module's "Skriv till din behandlare" and "Svara" under a message from the therapist."""
    if turn.patient is None:
        return general.stale_button(turn.t)
    if patient_is_self_help(turn.conn, turn.world, turn.patient.id):
        return messages.self_help(turn.t)
    return messages.ask(turn.t)


def on_text(turn: Turn) -> Outcome:
    """The text asked for (already screened for crisis terms by routes.text)."""
    if turn.patient is None:
        return general.bad_input("text", turn.t)
    if patient_is_self_help(turn.conn, turn.world, turn.patient.id):
        return messages.self_help(turn.t).then(Outcome(dialogue=DIALOGUE, data={}))
    outcome, text = messages.on_text(turn.incoming.text, turn.t)
    if text is not None:
        send(turn, text)
    return outcome


def on_button(turn: Turn, action: str) -> Outcome:
    if action == "cancel":
        return messages.cancelled(turn.t)
    return general.stale_button(turn.t)


def send(turn: Turn, text: str) -> None:
    """Store the patient's message and tell their care team, each with a Svara button."""
    patient = turn.patient
    message_id = store.add_from_patient(turn.conn, patient.id, text, turn.now)
    messaging.to_care_team(
        turn.conn,
        patient,
        turn.now,
        lambda t: staff_messages.notification(patient.label, text, message_id, t),
    )


def messages_command(turn: Turn) -> Outcome | None:
    """The patient's `/messages`: what they wrote and what came back (feedback once given)."""
    if turn.patient is None:
        return None
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    if is_self_help(turn.world, enrollment):
        return messages.self_help(turn.t)
    zone = ZoneInfo(patients.reminder_settings(turn.conn, turn.patient.id).timezone)
    shown = [
        message
        for message in store.of_patient(turn.conn, turn.patient.id, HISTORY_LENGTH)
        if message.delivered_at is not None
    ]
    program = enrollment.program if enrollment else None
    lines = tuple(
        messaging.history_line(turn.world, turn.conn, program, message, zone, turn.t)
        for message in shown
    )
    return messages.history(lines, turn.t.language, turn.t)
