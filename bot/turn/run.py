"""A turn: one update from a person, handled in one database transaction.

The transaction claims the update in the inbox (a repeat changes nothing), loads who the
person is, lets a route call the pure dialogues, and stores everything the outcome says:
dialogue state, answers, events, audit rows and the outgoing messages. Then the handler
answers the button press and wakes the sender.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta

from bot.escalation import screening
from bot.i18n import Translator, language_for
from bot.render.calls import has_dialogue_buttons, reply_call
from bot.turn.context import Route, Turn, TurnInput, TurnResult, World
from dialogues.types import Outcome, Reply
from storage import dialogue_state, events, inbox, outbox, patients, staff, treatment
from storage.dialogue_state import DialogueState
from storage.patients import Patient
from storage.staff import Staff

LAST_ACTIVE_PRECISION = timedelta(minutes=1)


def _language(
    turn_input: TurnInput, patient: Patient | None, member: Staff | None, default: str
) -> str:
    if patient is not None:
        return patient.language
    if member is not None and member.language:
        return member.language
    return language_for(turn_input.language_code, default)


def run_turn(
    conn: sqlite3.Connection, world: World, route: Route, turn_input: TurnInput, now: datetime
) -> TurnResult:
    """Run inside one transaction (the caller opens it)."""
    if not inbox.claim(conn, turn_input.update_id, now):
        return TurnResult(toast=None, answered=False)
    turn = open_turn(conn, world, turn_input, now)
    if turn.staff is not None and not turn.staff.active:
        # The one place a deactivated staff member is stopped: whatever they send or press
        # gets one reply and changes nothing (unless they are also a patient). A membership
        # change (the bot blocked, or removed from the channel) is a fact, handled as usual.
        if turn.patient is None and turn_input.incoming.kind != "membership":
            route = deactivated
        turn.staff = None
    outcome = route(turn)
    store_outcome(turn, outcome)
    return TurnResult(toast=outcome.toast, answered=True)


def open_turn(conn: sqlite3.Connection, world: World, turn_input: TurnInput, now: datetime) -> Turn:
    """Who this is (patient, staff or stranger), their dialogue and language."""
    patient = patients.by_telegram_user(conn, turn_input.user_id)
    member = staff.by_telegram_user(conn, turn_input.user_id)
    return Turn(
        conn=conn,
        world=world,
        input=turn_input,
        now=now,
        patient=patient,
        staff=member,
        state=dialogue_state.load(conn, turn_input.chat_id),
        t=Translator(_language(turn_input, patient, member, world.default_language)),
    )


def deactivated(turn: Turn) -> Outcome:
    """Every update from a deactivated staff member: "your account is deactivated", in their
    private chat or in reply to a command in a group (`/channel`; a press in a group gets it
    as the notice only), and nothing else."""
    text = turn.t("staff.deactivated")
    in_private = turn.input.chat_id == turn.input.user_id
    return Outcome(
        replies=(Reply(text),) if in_private or turn.incoming.kind == "command" else (),
        toast=text if turn.incoming.kind == "button" else None,
    )


def _next_state(state: DialogueState, outcome: Outcome) -> DialogueState:
    """The dialogue the outcome's buttons belong to, with its data: as the outcome says, else
    kept while the dialogue stays the same, else empty."""
    if outcome.data is not None:
        data = outcome.data
    elif outcome.dialogue == state.dialogue:
        data = state.data
    else:
        data = {}
    return DialogueState(outcome.dialogue, data)


def store_outcome(turn: Turn, outcome: Outcome) -> None:
    if outcome.next is not None:  # a route run without the router: a bug, never half-stored
        raise RuntimeError(f"the outcome's next step {outcome.next} was not carried out")
    # A risk answer raises its flag in this same transaction; the safety message comes first.
    safety = screening.flag_risk_events(turn, outcome.events)
    if safety:
        outcome = replace(outcome, replies=safety + outcome.replies)
    revision = turn.state.revision
    if outcome.dialogue and (has_dialogue_buttons(outcome.replies) or outcome.data is not None):
        revision = dialogue_state.save(
            turn.conn, turn.input.chat_id, _next_state(turn.state, outcome), turn.now
        )
    for reply in outcome.replies:
        call = reply_call(
            reply,
            turn.input.chat_id,
            revision,
            pressed_message_id=turn.input.pressed_message_id,
            forget_recipient=turn.forget_recipient,
        )
        outbox.enqueue(turn.conn, call, turn.now)
    patient_id = turn.patient.id if turn.patient else None
    if patient_id is not None and turn.incoming.kind != "membership":
        _touch(turn)
    for event in outcome.events:
        events.record(turn.conn, event.type, turn.now, patient_id=patient_id, **event.details)


def _touch(turn: Turn) -> None:
    """ "Last active" in the overview, to the minute: no write for a turn soon after another."""
    last = turn.patient.last_active_at
    if last is None or not timedelta(0) <= turn.now - last < LAST_ACTIVE_PRECISION:
        treatment.touch(turn.conn, turn.patient.id, turn.now)


def run_apology(
    conn: sqlite3.Connection, world: World, turn_input: TurnInput, now: datetime
) -> None:
    """After a turn failed (a bug): close the update and tell the person, kindly, with the
    crisis contacts, so nobody is met with silence. Nothing of the failed turn was stored
    (its risk signal is raised on its own first: bot/turn/after_failure.py)."""
    inbox.claim(conn, turn_input.update_id, now)
    t = Translator(language_for(turn_input.language_code, world.default_language))
    apology = Reply(t("error.apology") + "\n\n" + t("crisis.text"))
    outbox.enqueue(conn, reply_call(apology, turn_input.chat_id, 0), now)
