"""Messages between a patient and their care team, shared by the patient's and the staff's
routes and the weekly module opening: telling the care team, asking for and delivering
module feedback, and a message's line in a history."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.care.access import care_team
from bot.care.notify import tell_patient
from bot.care.self_help import patient_is_self_help
from bot.i18n import Translator
from bot.render.calls import reply_call
from bot.turn.context import World
from dialogues import messages, staff_messages
from dialogues.messages import HistoryLine
from dialogues.module_opening import reflection_title
from dialogues.module_steps import REFLECTION
from dialogues.types import Reply
from storage import events, outbox, patients
from storage import messages as store
from storage import staff as staff_repo
from storage.outbox import LANE_REPLY, LANE_STAFF
from storage.patients import Patient


def to_care_team(
    conn: sqlite3.Connection, patient: Patient, now: datetime, build: Callable[[Translator], Reply]
) -> None:
    """A note for the patient's therapist and any deputy, each in their own language."""
    for member in care_team(conn, patient, now):
        reply = build(Translator(member.language or "sv"))
        outbox.enqueue(conn, reply_call(reply, member.telegram_user_id, 0, lane=LANE_STAFF), now)


def prompt_feedback(
    conn: sqlite3.Connection,
    world: World,
    patient: Patient,
    module: int,
    now: datetime,
    *,
    choose_next: bool = False,
) -> None:
    """A module finished for the first time: the care team is asked for feedback and, when
    the therapist opens the next module (`choose_next`), to choose: Öppna nästa modul or
    Stanna en vecka till."""
    if patient_is_self_help(conn, world, patient.id):
        return
    program = world.programs[patients.active_enrollment(conn, patient.id).program]

    def build(t: Translator) -> Reply:
        finished = staff_messages.Finished(
            module=module,
            title=program.module(module, t.language).title,
            addon=module > program.module_count,
            last=module == program.module_count,
            choose_next=choose_next,
        )
        return staff_messages.feedback_prompt(patient.label, patient.id, finished, t)

    to_care_team(conn, patient, now, build)


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


def deliver_all_waiting_feedback(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    """The treatment goes into maintenance or ends: no module will open again, so feedback
    written for any module and still waiting goes now, before the word that it has ended."""
    deliver_waiting_feedback(conn, patient_id, now, before=_ANY_MODULE)


_ANY_MODULE = 10**6


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
    if program_id not in world.programs:
        # the treatment has ended: the id is all there is
        return t("messages.reflection_title", number=number) if step_id == REFLECTION else step_id
    program = world.programs[program_id]
    module = program.module(number, t.language)
    if step_id == REFLECTION:
        return reflection_title(number, module.title, number > program.module_count, t)
    return next((step.title for step in module.steps if step.id == step_id), step_id)
