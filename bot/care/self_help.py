"""Self-help mode: a program (program.yaml `self_help: true`) or a single enrollment
(`/invite <program> <label> self-help`) without messaging in either direction."""

from __future__ import annotations

import sqlite3

from bot.turn.context import World
from storage import patients
from storage.patients import Enrollment

SELF_HELP = "self-help"


def is_self_help(world: World, enrollment: Enrollment | None) -> bool:
    if enrollment is None:
        return False
    program = world.programs.get(enrollment.program)
    return enrollment.mode == SELF_HELP or bool(program and program.meta.self_help)


def patient_is_self_help(conn: sqlite3.Connection, world: World, patient_id: int) -> bool:
    return is_self_help(world, patients.active_enrollment(conn, patient_id))
