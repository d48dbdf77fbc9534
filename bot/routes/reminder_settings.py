"""Routes for reminder settings: `/reminders`, `/pause` (patients), `/schedule <label>`
(staff). Staff reads and changes are audited; patients' own changes are events."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from bot.care.access import named_patient, patient_of_dialogue
from bot.care.notify import tell_therapist
from bot.care.self_help import STAFF
from bot.care.treatment_open import refused_unless_active
from bot.reminders.kinds.registry import kind_of
from bot.reminders.planning import replan, replan_patient
from bot.turn.context import Turn
from dialogues import general
from dialogues import reminder_settings as settings
from dialogues.numbers import parse_hhmm, parse_id, parse_int
from dialogues.reminder_settings import ScheduleView, SettingsPrompt, SettingsView
from dialogues.types import Outcome
from dialogues.wizard import restarted
from storage import audit, events, patients, reminders, schedules
from storage.patients import Patient

DIALOGUE = settings.DIALOGUE
STAFF_ONLY = ("days", "day", "alldays", "daysdone", "switch")
PATIENT_ONLY = ("tz", "settz", "quiet", "setquiet", "pause", "setpause", "resume")


# ---- commands ---------------------------------------------------------------------------


def reminders_command(turn: Turn) -> Outcome | None:
    """None when the sender is not a patient (the caller answers as for any unknown command)."""
    if turn.patient is None:
        return None
    return settings.overview(_view(turn, turn.patient), turn.t)


def pause_command(turn: Turn) -> Outcome | None:
    if turn.patient is None:
        return None
    if patients.reminder_settings(turn.conn, turn.patient.id).paused_until:
        return settings.overview(_view(turn, turn.patient), turn.t)
    return settings.pause_prompt(turn.t)


def schedule_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    patient = named_patient(turn, "schedule.usage", "schedule_viewed")
    if isinstance(patient, Outcome):
        return patient
    return refused_unless_active(turn.conn, patient, turn.t) or _overview(turn, patient)


# ---- buttons and typed answers -----------------------------------------------------------


def on_button(turn: Turn, action: str) -> Outcome:
    patient = _patient(turn)
    name, _, arg = action.partition(":")
    as_staff = turn.staff is not None and turn.patient is None
    if (
        patient is None
        or (name in STAFF_ONLY and not as_staff)
        or (name in PATIENT_ONLY and as_staff)
    ):
        return general.stale_button(turn.t)
    state = SettingsPrompt.load(turn.state.data)
    if state is None:
        return _overview(turn, patient, restarted(turn.t))
    if name == "cancel":
        return _overview(turn, patient)
    if name in ("tz", "quiet", "pause"):
        prompts = {
            "tz": settings.timezone_prompt,
            "quiet": settings.quiet_prompt,
            "pause": settings.pause_prompt,
        }
        return _for(turn, patient, prompts[name](turn.t))
    if name == "settz":
        return _set_timezone(turn, patient, arg)
    if name == "setquiet":
        return _set_quiet(turn, patient, arg.replace("-", "–"))
    if name == "setpause":
        days = parse_int(arg, 1, settings.MAX_PAUSE_DAYS)
        return _set_pause(turn, patient, days) if days else _overview(turn, patient)
    if name == "resume":
        return _resume(turn, patient)
    return _schedule_button(turn, patient, state, name, arg)


def _schedule_button(
    turn: Turn, patient: Patient, state: SettingsPrompt, name: str, arg: str
) -> Outcome:
    raw_id, _, value = arg.partition(":")
    schedule = _schedule(turn, patient, raw_id)
    if schedule is None:
        return general.stale_button(turn.t)
    as_staff = turn.patient is None
    if name == "time":
        return _for(turn, patient, settings.time_picker(schedule, as_staff, turn.t))
    if name == "settime" and parse_hhmm(value) is not None:
        return _set_time(turn, patient, schedule, parse_hhmm(value))
    if name == "switch":
        if schedule.active:
            return _change(turn, patient, schedule, "schedule.switched", active=False)
        # Switched on again: a schedule whose end date has passed goes on until further notice.
        ended = schedule.end_date is not None and schedule.end_date < _today(turn, patient)
        extra = {"end_date": None} if ended else {}
        return _change(turn, patient, schedule, "schedule.switched", active=True, **extra)
    if name == "alldays":
        return _set_days(turn, patient, schedule, None)
    selected = frozenset(state.days)
    if name == "days":
        current = schedule.weekdays or frozenset(range(7))
        return _for(turn, patient, settings.days_picker(schedule, current, turn.t))
    weekday = parse_int(value, 0, 6)
    if name == "day" and weekday is not None:
        toggled = selected ^ {weekday}
        return _for(turn, patient, settings.days_picker(schedule, toggled, turn.t))
    if name == "daysdone":
        if not selected:
            return Outcome(toast=turn.t("schedule.pick_a_day"))
        return _set_days(turn, patient, schedule, selected)
    return general.stale_button(turn.t)


def _set_days(
    turn: Turn, patient: Patient, schedule: ScheduleView, weekdays: frozenset[int] | None
) -> Outcome:
    """Staff choose the days (None: every day). From now on and until further notice: the
    schedule is switched on and has no end date any more, e.g. the program's diary after its
    first three weeks."""
    return _change(
        turn,
        patient,
        schedule,
        "schedule.days_set",
        weekdays=weekdays,
        every_days=None,
        end_date=None,
        active=True,
    )


def on_text(turn: Turn) -> Outcome:
    """Typed input while the dialogue waits for a time, a zone, quiet hours or a pause."""
    patient = _patient(turn)
    text = turn.incoming.text
    if patient is None:
        return general.bad_input("text", turn.t)
    state = SettingsPrompt.load(turn.state.data)
    if state is None:
        return _overview(turn, patient, restarted(turn.t))
    awaiting = state.awaiting
    if awaiting == "time":
        at = settings.parse_time(text)
        schedule = _schedule(turn, patient, str(state.schedule))
        if at is None or schedule is None:
            return settings.not_understood("settings.bad_time", turn.t)
        return _set_time(turn, patient, schedule, at)
    if awaiting == "timezone":
        zone = settings.resolve_timezone(text, available_timezones())
        if zone is None:
            return settings.not_understood("settings.bad_timezone", turn.t)
        return _set_timezone(turn, patient, zone)
    if awaiting == "quiet":
        quiet = settings.parse_quiet(text)
        if quiet is None:
            return settings.not_understood("settings.bad_quiet", turn.t)
        return _set_quiet(turn, patient, "–".join(quiet))
    if awaiting == "pause":
        days = settings.parse_pause_days(text)
        if days is None:
            return settings.not_understood("settings.bad_pause", turn.t)
        return _set_pause(turn, patient, days)
    return settings.not_understood("settings.use_buttons", turn.t)


# ---- changes ----------------------------------------------------------------------------


def _set_time(turn: Turn, patient: Patient, schedule: ScheduleView, at: time) -> Outcome:
    refusal = settings.check_time(schedule, at, turn.patient is None, turn.t)
    if refusal is not None:
        return refusal
    return _change(turn, patient, schedule, "schedule.time_set", times=(at,))


def _change(
    turn: Turn, patient: Patient, schedule: ScheduleView, notice: str, **fields: object
) -> Outcome:
    details = {name: str(value) for name, value in fields.items()}
    if turn.patient is None:
        fields["source"] = STAFF  # staff set it: in self-help mode, an order (care/self_help)
    schedules.update(turn.conn, schedule.id, turn.now, **fields)
    replan(turn.conn, schedule.id, turn.now)
    _record(turn, patient, "schedule_changed", schedule=schedule.id, **details)
    return _overview(turn, patient, turn.t(notice, kind=turn.t(kind_of(schedule.kind).label_key)))


def _set_timezone(turn: Turn, patient: Patient, zone: str) -> Outcome:
    if zone not in available_timezones():
        return general.stale_button(turn.t)
    patients.set_timezone(turn.conn, patient.id, zone)
    replan_patient(turn.conn, patient.id, turn.now)
    _record(turn, patient, "timezone_changed", zone=zone)
    return _overview(turn, patient, turn.t("settings.timezone_set", zone=zone))


def _set_quiet(turn: Turn, patient: Patient, text: str) -> Outcome:
    quiet = settings.parse_quiet(text)
    if quiet is None:
        return general.stale_button(turn.t)
    patients.set_quiet_hours(turn.conn, patient.id, *quiet)
    replan_patient(turn.conn, patient.id, turn.now)
    _record(turn, patient, "quiet_hours_changed", start=quiet[0], end=quiet[1])
    return _overview(turn, patient, turn.t("settings.quiet_set", start=quiet[0], end=quiet[1]))


def _set_pause(turn: Turn, patient: Patient, days: int) -> Outcome:
    if not 1 <= days <= settings.MAX_PAUSE_DAYS:
        return general.stale_button(turn.t)
    until = turn.now + timedelta(days=days)
    patients.set_paused_until(turn.conn, patient.id, until)
    replan_patient(turn.conn, patient.id, turn.now)
    _record(turn, patient, "reminders_paused", days=days)
    local = until.astimezone(ZoneInfo(_zone(turn, patient))).strftime("%Y-%m-%d %H:%M")
    tell_therapist(turn.conn, patient, "schedule.therapist_paused", turn.now, until=local)
    return _overview(turn, patient, turn.t("settings.paused_set", until=local))


def _resume(turn: Turn, patient: Patient) -> Outcome:
    patients.set_paused_until(turn.conn, patient.id, None)
    replan_patient(turn.conn, patient.id, turn.now)
    _record(turn, patient, "reminders_resumed")
    tell_therapist(turn.conn, patient, "schedule.therapist_resumed", turn.now)
    return _overview(turn, patient, turn.t("settings.resumed"))


# ---- helpers ----------------------------------------------------------------------------


def _patient(turn: Turn) -> Patient | None:
    """The patient whose settings these are: the sender, or the one a staff member opened
    (checked again on every press: access may have changed)."""
    if turn.patient is not None:
        return turn.patient
    return patient_of_dialogue(turn)


def _schedule(turn: Turn, patient: Patient, raw_id: str) -> ScheduleView | None:
    schedule_id = parse_id(raw_id)
    if schedule_id is None:
        return None
    schedule = schedules.get(turn.conn, schedule_id)
    if schedule is None or schedule.patient_id != patient.id:
        return None
    return _schedule_view(schedule)


def _schedule_view(schedule, missed: int = 0) -> ScheduleView:
    return ScheduleView(
        missed=missed,
        id=schedule.id,
        kind=schedule.kind,
        times=schedule.times,
        weekdays=schedule.weekdays,
        every_days=schedule.every_days,
        end_date=schedule.end_date,
        active=schedule.active,
        earliest=schedule.earliest,
        latest=schedule.latest,
    )


def _zone(turn: Turn, patient: Patient) -> str:
    return patients.reminder_settings(turn.conn, patient.id).timezone


def _today(turn: Turn, patient: Patient) -> date:
    return turn.now.astimezone(ZoneInfo(_zone(turn, patient))).date()


def _view(turn: Turn, patient: Patient) -> SettingsView:
    current = patients.reminder_settings(turn.conn, patient.id)
    paused = (
        current.paused_until if current.paused_until and current.paused_until > turn.now else None
    )
    zone = ZoneInfo(current.timezone)
    since = turn.now - timedelta(days=settings.MISSED_WINDOW_DAYS)
    missed = reminders.missed_counts(turn.conn, patient.id, since)
    return SettingsView(
        schedules=tuple(
            _schedule_view(s, missed.get(s.id, 0))
            for s in schedules.of_patient(turn.conn, patient.id)
        ),
        timezone=current.timezone,
        quiet_start=current.quiet_start,
        quiet_end=current.quiet_end,
        paused_until=paused.astimezone(zone).date() if paused else None,
        as_staff=turn.patient is None,
        label=patient.label,
        today=turn.now.astimezone(zone).date(),
    )


def _overview(turn: Turn, patient: Patient, notice: str = "") -> Outcome:
    return _for(turn, patient, settings.overview(_view(turn, patient), turn.t, notice))


def _for(turn: Turn, patient: Patient, outcome: Outcome) -> Outcome:
    """Staff dialogues remember which patient they are about."""
    if turn.patient is not None or outcome.data is None:
        return outcome
    state = SettingsPrompt.model_validate(outcome.data).but(patient=patient.id)
    return replace(outcome, data=state.dump())


def _record(turn: Turn, patient: Patient, action: str, **details: object) -> None:
    if turn.patient is None and turn.staff is not None:
        audit.record(
            turn.conn,
            staff_id=turn.staff.id,
            action=action,
            now=turn.now,
            patient_id=patient.id,
            **details,
        )
    else:
        events.record(turn.conn, action, turn.now, patient_id=patient.id, **details)
