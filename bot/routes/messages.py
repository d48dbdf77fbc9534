"""Routes for the patient's side of messaging: `/message [text]`, `/messages` (their history),
the "Skriv till din behandlare" button, and what reaches the patient from their care team
(messages, comments, module feedback; feedback waits for the next module to open).

Nothing here works in self-help mode: the patient is pointed to /notes and /crisis."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.care.access import care_team
from bot.care.notify import tell_patient
from bot.care.self_help import is_self_help, patient_is_self_help
from bot.escalation import screening
from bot.i18n import Translator
from bot.render.calls import reply_call
from bot.turn.context import Turn, World
from dialogues import general, messages, module_steps, staff_messages
from dialogues.messages import HistoryLine
from dialogues.types import Outcome, Reply
from storage import events, outbox, patients
from storage import messages as store
from storage import staff as staff_repo
from storage.outbox import LANE_REPLY, LANE_STAFF
from storage.patients import Patient

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
    text = argument_text(turn.incoming.text)
    if not text:
        return messages.ask(turn.t)
    safety = screening.screen_text(turn, text, source="message")
    send(turn, messages.clean(text))
    outcome = messages.sent(turn.t)
    return safety.then(outcome) if safety else outcome


def argument_text(command_text: str) -> str:
    """What follows the command, as typed (line breaks kept): `/message Hej!\\nEn fråga`."""
    parts = command_text.split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


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
    to_care_team(
        turn.conn,
        patient,
        turn.now,
        lambda t: staff_messages.notification(patient.label, text, message_id, t),
    )


def to_care_team(
    conn: sqlite3.Connection, patient: Patient, now: datetime, build: Callable[[Translator], Reply]
) -> None:
    """A note for the patient's therapist and any deputy, each in their own language."""
    for member in care_team(conn, patient, now):
        reply = build(Translator(member.language or "sv"))
        outbox.enqueue(conn, reply_call(reply, member.telegram_user_id, 0, lane=LANE_STAFF), now)


# ---- module feedback --------------------------------------------------------------------


def prompt_feedback(turn: Turn, module: int) -> None:
    """A module finished for the first time: the care team is asked for feedback."""
    patient = turn.patient
    if patient_is_self_help(turn.conn, turn.world, patient.id):
        return
    to_care_team(
        turn.conn,
        patient,
        turn.now,
        lambda t: staff_messages.feedback_prompt(patient.label, module, patient.id, t),
    )


def deliver_waiting_feedback(
    conn: sqlite3.Connection, patient_id: int, now: datetime, *, before: int
) -> None:
    """Module `before` has just opened: the feedback written for the modules before it goes
    to the patient now. In the patient's own turn (the weekly opening) it comes ahead of the
    turn's replies, so before the module's first step (one chat's messages go strictly in
    order)."""
    patient = patients.get(conn, patient_id)
    for message in store.waiting_feedback(conn, patient_id, before=before):
        tell_patient(
            conn,
            patient,
            now,
            lambda t, message=message: messages.feedback(message.module, message.text, t),
            lane=LANE_REPLY,
        )
        store.mark_delivered(conn, message.id, now)
        events.record(conn, "feedback_delivered", now, patient_id=patient_id, module=message.module)


# ---- history ----------------------------------------------------------------------------


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
        history_line(turn.world, turn.conn, program, message, zone, turn.t) for message in shown
    )
    return messages.history(lines, turn.t.language, turn.t)


def history_line(
    world: World, conn: sqlite3.Connection, program: str | None, message, zone: ZoneInfo, t
) -> HistoryLine:
    writer = ""
    if message.staff_id is not None:
        member = staff_repo.get(conn, message.staff_id)
        writer = member.name if member else ""
    return HistoryLine(
        at=message.created_at.astimezone(zone).replace(tzinfo=None),
        from_patient=message.direction == store.FROM_PATIENT,
        kind=message.kind,
        text=message.text,
        writer=writer,
        exercise=exercise_title(world, program, message.item_key, t) if message.item_key else None,
        module=message.module,
        waiting=message.delivered_at is None,
    )


def exercise_title(world: World, program_id: str | None, item_key: str, t) -> str:
    """The title of the step an answer belongs to ('module-2/first-step' -> 'Ett första
    steg'), in the reader's language; the module's reflection has a title of its own."""
    module_part, _, step_id = item_key.partition("/")
    number = int(module_part.removeprefix("module-"))
    if step_id == module_steps.REFLECTION:
        return t("messages.reflection_title", number=number)
    if program_id not in world.programs:
        return step_id  # the treatment has ended: the id is all there is
    module = world.programs[program_id].module(number, t.language)
    return next((step.title for step in module.steps if step.id == step_id), step_id)
