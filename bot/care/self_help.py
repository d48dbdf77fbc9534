"""Self-help mode: a program (program.yaml `self_help: true`) or a single enrollment
(`/invite <program> <label> self-help`) without messaging in either direction, and without
the follow-up a therapist would give: no weekly questionnaires at enrollment and no amber
flags for what the patient leaves undone, unless staff ordered it.

What counts as "staff ordered it" (the rule for every amber flag in self-help mode):
- a questionnaire: one `/measure <label> <q>` sent now, or a repeating
  `/measure <label> <q> every N` (its `forms` schedule's source is 'staff');
- the diary: diary days a staff member set with `/schedule <label>` (that schedule's source
  becomes 'staff'); only those days are expected in the weekly check;
- a planned activity: its flag exists only on a therapist's plan with "flagga vid missad",
  so it is always ordered;
- the quiet-patient flag: staff follow the patient, i.e. any of the above is active (an
  active schedule whose source is 'staff').
Red flags (crisis terms, risk answers) are never held back.

The tick has no turn, so the checks here also take the ids of the self-help programs
(`self_help_programs`, made once at start-up) instead of the World."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping

from bot.turn.context import World
from storage import forms, patients, schedules
from storage.forms import FormRequest
from storage.patients import Enrollment

SELF_HELP = "self-help"
STAFF = "staff"  # schedules.source of what staff set up


def self_help_programs(programs: Mapping) -> frozenset[str]:
    """The ids of the programs that are self-help as a whole (program.yaml)."""
    return frozenset(pid for pid, program in programs.items() if program.meta.self_help)


def mode_is_self_help(
    mode: str | None, program: str | None, self_help_ids: Collection[str]
) -> bool:
    """An enrollment's mode and program (as stored) make it self-help."""
    return mode == SELF_HELP or program in self_help_ids


def in_self_help(enrollment: Enrollment | None, self_help_ids: Collection[str]) -> bool:
    if enrollment is None:
        return False
    return mode_is_self_help(enrollment.mode, enrollment.program, self_help_ids)


def is_self_help(world: World, enrollment: Enrollment | None) -> bool:
    return in_self_help(enrollment, self_help_programs(world.programs))


def patient_is_self_help(conn: sqlite3.Connection, world: World, patient_id: int) -> bool:
    return is_self_help(world, patients.active_enrollment(conn, patient_id))


def patient_in_self_help(
    conn: sqlite3.Connection, patient_id: int, self_help_ids: Collection[str]
) -> bool:
    return in_self_help(patients.active_enrollment(conn, patient_id), self_help_ids)


def form_ordered(conn: sqlite3.Connection, request: FormRequest) -> bool:
    """Staff asked for this questionnaire: `/measure` now, or a repeating `/measure`."""
    if request.reason == "extra":
        return True
    if request.schedule_id is None:
        return False
    schedule = schedules.get(conn, request.schedule_id)
    return schedule is not None and schedule.source == STAFF


def staff_follow(conn: sqlite3.Connection, patient_id: int) -> bool:
    """Staff follow this patient with something they set up that is still active: a
    repeating `/measure`, a therapist's activity plan, diary days set with `/schedule`, or
    a `/measure` sent and not answered yet."""
    return schedules.any_active_from(conn, patient_id, STAFF) or forms.any_open_extra(
        conn, patient_id
    )
