"""Maintenance running out: a treatment whose maintenance days have passed ends by itself,
with the reason "vidmakthållande slut" (storage.lifecycle.MAINTENANCE_OVER), through the one
way a treatment ends (bot/care/lifecycle.py): the patient gets the closing message with the
crisis contacts, and from then on nothing the bot starts reaches them.

A tick batch over the indexed `enrollments.maintenance_until`; each treatment is contained
on its own (bot/containment.py): one that fails is an ERROR line with its ids and is tried
again a day later, and the others still end.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.care.lifecycle import end_treatment
from bot.containment import each_contained
from storage import lifecycle, patients
from storage.lifecycle import MaintenanceDue
from storage.timefmt import to_db

BATCH_SIZE = 100
TRY_AGAIN = timedelta(days=1)  # after a failure: not at every tick


def run_batch(conn: sqlite3.Connection, now: datetime, limit: int = BATCH_SIZE) -> int:
    due = lifecycle.maintenance_run_out(conn, now, limit)
    each_contained(
        conn,
        due,
        lambda item: _end(conn, item, now),
        set_aside=lambda item: _later(conn, item, now + TRY_AGAIN),
        what="maintenance over: enrollment",
        id_of=lambda item: f"{item.enrollment_id} (patient {item.patient_id})",
    )
    return len(due)


def _end(conn: sqlite3.Connection, due: MaintenanceDue, now: datetime) -> None:
    patient = patients.get(conn, due.patient_id)
    enrollment = patients.latest_enrollment(conn, due.patient_id)
    if enrollment is None or enrollment.id != due.enrollment_id:
        # A newer treatment exists: this one ends all the same, without a closing message.
        lifecycle.end(conn, due.enrollment_id, lifecycle.MAINTENANCE_OVER, now)
        return
    end_treatment(conn, patient, enrollment, lifecycle.MAINTENANCE_OVER, now)


def _later(conn: sqlite3.Connection, due: MaintenanceDue, when: datetime) -> None:
    conn.execute(
        "UPDATE enrollments SET maintenance_until = ? WHERE id = ? AND status = 'maintenance'",
        (to_db(when), due.enrollment_id),
    )
