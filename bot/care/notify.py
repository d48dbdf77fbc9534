"""Notes from and about the care team: to the therapist (and a deputy during an absence
cover), each in the staff member's own language, and to the patient, in theirs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from bot.care.access import care_team_or_admins
from bot.i18n import Translator
from bot.render.calls import reply_call
from dialogues.types import Keyboard, Reply
from storage import outbox
from storage.outbox import LANE_STAFF
from storage.patients import Patient
from storage.staff import Staff


def tell_therapist(
    conn: sqlite3.Connection,
    patient: Patient,
    key: str,
    now: datetime,
    *,
    buttons: Callable[[Translator], Keyboard] | None = None,
    **params: object,
) -> None:
    """`buttons` builds the note's buttons in each reader's language."""
    for member in care_team_or_admins(conn, patient, now):
        t = Translator(member.language or "sv")
        note = Reply(t(key, label=patient.label, **params), buttons(t) if buttons else ())
        outbox.enqueue(conn, reply_call(note, member.telegram_user_id, 0, lane=LANE_STAFF), now)


def tell_staff(conn: sqlite3.Connection, member: Staff, key: str, now: datetime, **params) -> None:
    """A note to one staff member in their own language (none when inactive or unbound)."""
    if not member.active or not member.telegram_user_id:
        return
    t = Translator(member.language or "sv")
    note = Reply(t(key, **params))
    outbox.enqueue(conn, reply_call(note, member.telegram_user_id, 0, lane=LANE_STAFF), now)


def tell_patient(
    conn: sqlite3.Connection,
    patient: Patient,
    now: datetime,
    build: Callable[[Translator], Reply],
    lane: int = LANE_STAFF,
) -> None:
    """Something from the care team, in the patient's language."""
    reply = build(Translator(patient.language))
    outbox.enqueue(conn, reply_call(reply, patient.chat_id, 0, lane=lane), now)
