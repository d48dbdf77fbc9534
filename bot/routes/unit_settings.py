"""Routes for `/unit` (admins): the unit's default quiet hours, the quiet-patient days,
program default reminder times, the on-call list, who opens the patients' next module and
the days after a treatment's end until its data is purged. Every change is audited."""

from __future__ import annotations

from datetime import time

from bot.reminders.kinds.registry import kind_of
from bot.reminders.planning import replan_patient
from bot.turn.context import Turn
from dialogues import general, unit_settings
from dialogues import reminder_settings as settings
from dialogues.numbers import parse_hhmm, parse_id, parse_int
from dialogues.types import Outcome, Reply
from dialogues.unit_settings import ProgramDefault, UnitPrompt
from dialogues.wizard import restarted
from storage import audit, quiet_checks, units
from storage.units import PURGE_AFTER_DAYS_RANGE, QUIET_DAYS_RANGE

DIALOGUE = unit_settings.DIALOGUE


def unit_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if not turn.staff.has_role("admin"):
        return Outcome(replies=(Reply(turn.t("unit.admins_only")),))
    return _overview(turn)


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.staff is None or not turn.staff.has_role("admin"):
        return general.stale_button(turn.t)
    name, _, arg = action.partition(":")
    if name == "cancel":
        return _overview(turn)
    if name == "quiet":
        return unit_settings.quiet_prompt(turn.t)
    if name == "setquiet":
        return _set_quiet(turn, arg.replace("-", "–"))
    if name == "quietdays":
        return unit_settings.quiet_days_prompt(turn.t, *QUIET_DAYS_RANGE)
    if name == "setqd" and parse_int(arg, *QUIET_DAYS_RANGE) is not None:
        return _set_quiet_days(turn, parse_int(arg, *QUIET_DAYS_RANGE))
    if name == "purgedays":
        return unit_settings.purge_days_prompt(turn.t, *PURGE_AFTER_DAYS_RANGE)
    if name == "setpd" and parse_int(arg, *PURGE_AFTER_DAYS_RANGE) is not None:
        return _set_purge_days(turn, parse_int(arg, *PURGE_AFTER_DAYS_RANGE))
    if name == "oncall":
        return unit_settings.on_call_picker(units.staff_of(turn.conn, turn.staff.unit_id), turn.t)
    if name == "oc" and parse_id(arg) is not None:
        return _toggle_on_call(turn, parse_id(arg))
    if name == "opening":
        opening = units.module_opening(turn.conn, turn.staff.unit_id)
        return unit_settings.opening_picker(opening, turn.t)
    if name == "setopening" and arg in unit_settings.OPENING_CHOICES:
        return _set_opening(turn, arg)
    program, _, rest = arg.partition(":")
    kind, _, hhmm = rest.partition(":")
    default = _default(turn, program, kind)
    if default is None:
        return general.stale_button(turn.t)
    if name == "time":
        return unit_settings.time_picker(default, turn.t)
    if name == "settime" and parse_hhmm(hhmm) is not None:
        return _set_time(turn, default, parse_hhmm(hhmm))
    return general.stale_button(turn.t)


def on_text(turn: Turn) -> Outcome:
    if turn.staff is None or not turn.staff.has_role("admin"):
        return general.bad_input("text", turn.t)
    state = UnitPrompt.load(turn.state.data)
    if state is None:
        return _overview(turn, restarted(turn.t))
    if state.awaiting == "quiet":
        quiet = settings.parse_quiet(turn.incoming.text)
        if quiet is None:
            return settings.not_understood("settings.bad_quiet", turn.t)
        return _set_quiet(turn, "–".join(quiet))
    if state.awaiting == "quiet_days":
        words = turn.incoming.text.split()  # "14" or "14 dagar"
        days = parse_int(words[0], *QUIET_DAYS_RANGE) if words else None
        if days is None:
            first, last = QUIET_DAYS_RANGE
            notice = turn.t("unit.bad_quiet_days", first=first, last=last)
            return unit_settings.quiet_days_prompt(turn.t, first, last, notice)
        return _set_quiet_days(turn, days)
    if state.awaiting == "purge_days":
        words = turn.incoming.text.split()  # "90" or "90 dagar"
        days = parse_int(words[0], *PURGE_AFTER_DAYS_RANGE) if words else None
        if days is None:
            first, last = PURGE_AFTER_DAYS_RANGE
            notice = turn.t("unit.bad_purge_days", first=first, last=last)
            return unit_settings.purge_days_prompt(turn.t, first, last, notice)
        return _set_purge_days(turn, days)
    if state.awaiting == "time":
        at = settings.parse_time(turn.incoming.text)
        default = _default(turn, state.program, state.kind)
        if at is None or default is None:
            return settings.not_understood("settings.bad_time", turn.t)
        return _set_time(turn, default, at)
    return settings.not_understood("settings.use_buttons", turn.t)


def _toggle_on_call(turn: Turn, staff_id: int) -> Outcome:
    members = {sid: on for sid, _, on in units.staff_of(turn.conn, turn.staff.unit_id)}
    if staff_id not in members:
        return general.stale_button(turn.t)
    units.set_on_call(turn.conn, turn.staff.unit_id, staff_id, not members[staff_id])
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="on_call_changed",
        now=turn.now,
        member=staff_id,
        on_call=not members[staff_id],
    )
    return unit_settings.on_call_picker(units.staff_of(turn.conn, turn.staff.unit_id), turn.t)


def _set_opening(turn: Turn, choice: str) -> Outcome:
    """Who opens the next module for every patient of the unit, from now on (bot/care/pacing.py)."""
    opening = None if choice == unit_settings.PROGRAM else choice
    units.set_module_opening(turn.conn, turn.staff.unit_id, opening)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="unit_module_opening_changed",
        now=turn.now,
        opening=choice,
    )
    how = turn.t(f"unit.opening.{choice}")
    return _overview(turn, turn.t("unit.opening_set", how=how))


def _set_quiet(turn: Turn, text: str) -> Outcome:
    quiet = settings.parse_quiet(text)
    if quiet is None:
        return general.stale_button(turn.t)
    unit_id = turn.staff.unit_id
    units.set_quiet_hours(turn.conn, unit_id, *quiet)
    for patient_id in units.patient_ids_on_unit_quiet_hours(turn.conn, unit_id):
        replan_patient(turn.conn, patient_id, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="unit_quiet_hours_changed",
        now=turn.now,
        start=quiet[0],
        end=quiet[1],
    )
    return _overview(turn, turn.t("settings.quiet_set", start=quiet[0], end=quiet[1]))


def _set_quiet_days(turn: Turn, days: int) -> Outcome:
    """From now on for every patient of the unit: looks already planned are moved on by the
    quiet-patient check when they come (escalation/quiet_patients.py), so the ones planned
    for later than the new number allows are looked at again now."""
    unit_id = turn.staff.unit_id
    units.set_quiet_days(turn.conn, unit_id, days)
    quiet_checks.look_again_soon(turn.conn, unit_id, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="unit_quiet_days_changed",
        now=turn.now,
        days=days,
    )
    return _overview(turn, turn.t("unit.quiet_days_set", days=days))


def _set_purge_days(turn: Turn, days: int) -> Outcome:
    """From now on for every ended treatment of the unit not yet purged (bot/care/purge.py
    reads the setting at each pass)."""
    units.set_purge_after_days(turn.conn, turn.staff.unit_id, days)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="unit_purge_days_changed",
        now=turn.now,
        days=days,
    )
    return _overview(turn, turn.t("unit.purge_days_set", days=days))


def _set_time(turn: Turn, default: ProgramDefault, at: time) -> Outcome:
    times = at.strftime("%H:%M")
    units.set_default_times(
        turn.conn, turn.staff.unit_id, default.program, default.kind, times, turn.now
    )
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="unit_schedule_default_changed",
        now=turn.now,
        program=default.program,
        kind=default.kind,
        times=times,
    )
    notice = turn.t(
        "unit.time_set",
        program=default.program_title,
        kind=turn.t(kind_of(default.kind).label_key),
        time=times,
    )
    return _overview(turn, notice)


def _defaults(turn: Turn) -> list[ProgramDefault]:
    found = []
    for program_id, program in turn.world.programs.items():
        own = units.default_times(turn.conn, turn.staff.unit_id, program_id)
        for default in program.meta.schedules:
            found.append(
                ProgramDefault(
                    program=program_id,
                    program_title=program.title(turn.t.language),
                    kind=default.kind,
                    times=own.get(default.kind, ",".join(default.times)),
                    changed_for_unit=default.kind in own,
                )
            )
    return found


def _default(turn: Turn, program: str, kind: str) -> ProgramDefault | None:
    return next((d for d in _defaults(turn) if d.program == program and d.kind == kind), None)


def _overview(turn: Turn, notice: str = "") -> Outcome:
    unit = units.get(turn.conn, turn.staff.unit_id)
    quiet = units.quiet_hours(turn.conn, unit.id)
    safety = units.safety_settings(turn.conn, unit.id)
    days = ", ".join(turn.t(f"weekday.{day}") for day in sorted(safety.office_days))
    office = turn.t(
        "unit.office",
        days=days,
        start=safety.office_start,
        end=safety.office_end,
        minutes=safety.ack_minutes,
    )
    on_call = [name for _, name, on in units.staff_of(turn.conn, unit.id) if on]
    return unit_settings.overview(
        unit.name,
        quiet,
        _defaults(turn),
        turn.t,
        notice,
        office=office,
        on_call=on_call,
        on_call_reachable=bool(units.on_call_chats(turn.conn, unit.id)),
        quiet_days=units.quiet_days(turn.conn, unit.id),
        opening=units.module_opening(turn.conn, unit.id),
        purge_days=units.purge_after_days(turn.conn, unit.id),
    )
