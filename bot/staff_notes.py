"""Private notes to a patient's therapist (a pause, a block), in the therapist's language."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.i18n import Translator
from bot.rendering import reply_call
from dialogues.types import Reply
from storage import outbox, staff
from storage.outbox import LANE_STAFF
from storage.patients import Patient


def tell_therapist(
    conn: sqlite3.Connection, patient: Patient, key: str, now: datetime, **params: object
) -> None:
    therapist = staff.get(conn, patient.therapist_id)
    if therapist is None or therapist.telegram_user_id is None or not therapist.active:
        return
    t = Translator(therapist.language or "sv")
    note = Reply(t(key, label=patient.label, **params))
    outbox.enqueue(conn, reply_call(note, therapist.telegram_user_id, 0, lane=LANE_STAFF), now)
