"""Whether a staff command may start work for a patient: only while the treatment is active.
In maintenance it says until when (bot/care/maintenance.py), after the end since when
(bot/care/ended.py). The staff routes that start something (/measure, /schedule, /plan) ask
this one function."""

from __future__ import annotations

import sqlite3

from bot.care.ended import refused_when_ended
from bot.care.maintenance import closed_to_staff
from dialogues.types import Outcome
from storage.patients import Patient


def refused_unless_active(conn: sqlite3.Connection, patient: Patient, t) -> Outcome | None:
    """The kind refusal when the patient's treatment is in maintenance or has ended; None
    while it is active (go on)."""
    return closed_to_staff(conn, patient, t) or refused_when_ended(conn, patient, t)
