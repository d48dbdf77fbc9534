"""A treatment that has ended, as the routes see it: the one place that decides it.

After the end the patient is still a patient row (until the purge), but nothing of the
treatment goes on: the router answers whatever they send with `dialogues.ending.
treatment_over` (bot/router.py `routed`; /crisis, /help, /language and /results still
answer), and a staff command that would act on the treatment (/open, /measure, /schedule,
/plan, a message, feedback) refuses kindly. Maintenance is another state with rules of its
own; this module is only about the end.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from bot.care.maintenance import local_day
from dialogues.ending import already_ended
from dialogues.types import Outcome
from storage import patients
from storage.patients import Enrollment, Patient


def ended_treatment(conn: sqlite3.Connection, patient: Patient) -> Enrollment | None:
    """The patient's treatment if it has ended (their latest one, status 'ended'); None while
    one is active or in maintenance."""
    latest = patients.latest_enrollment(conn, patient.id)
    return latest if latest is not None and latest.status == "ended" else None


def end_day(conn: sqlite3.Connection, patient: Patient, enrollment: Enrollment) -> date | None:
    """The day the treatment ended, in the patient's zone."""
    if enrollment.ended_at is None:
        return None
    return local_day(conn, patient.id, enrollment.ended_at)


def refused_when_ended(conn: sqlite3.Connection, patient: Patient, t) -> Outcome | None:
    """For a staff command that would act on the patient's treatment: the kind refusal when
    it has ended ("behandlingen är avslutad"), else None (go on)."""
    enrollment = ended_treatment(conn, patient)
    if enrollment is None:
        return None
    return already_ended(patient.label, end_day(conn, patient, enrollment), t)
