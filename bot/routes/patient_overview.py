"""Routes for the therapist's workspace: `/patients` (the overview: active, not confirmed, in
maintenance, ended until purged) and `/patient <label>` (details, the lifecycle, timeline,
and treatment control while the treatment is active). Who sees whom is bot/care/access.py;
every read of a patient's data and every change is audited; changes are reflected in the
patient's chat."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.care.access import may_see, open_patient, patient_of_dialogue
from bot.care.ended import end_day
from bot.care.identity import holds_back
from bot.care.modules import is_addon, open_addon, set_current
from bot.care.notify import tell_patient
from bot.i18n import Translator
from bot.turn.context import Turn
from dialogues import general, patient_overview
from dialogues.ending import reason_word
from dialogues.identity import not_confirmed_notice
from dialogues.module_opening import module_name
from dialogues.numbers import MAX_ID, parse_id, parse_int
from dialogues.patient_overview import (
    ModuleChoice,
    PatientLine,
    PatientPage,
    Score,
    TimelineItem,
)
from dialogues.types import Outcome, Reply
from programs.scoring import band_for
from storage import (
    audit,
    diary,
    events,
    flags,
    forms,
    lifecycle,
    messages,
    patients,
    progress,
    staff,
    treatment,
)
from storage.patients import Enrollment, Patient

DIALOGUE = patient_overview.DIALOGUE
TIMELINE_AUDIT_ROWS = 500  # staff actions shown in a timeline (reads are left out anyway)
QUIET_EVENTS = frozenset(
    {"reminder_skipped_too_old", "reminder_skipped_day_filled", "reminder_skipped_waiting"}
)


# ---- the overview ------------------------------------------------------------------------


def patients_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    return _overview(turn, 0)


def _visible(turn: Turn) -> list[Patient]:
    """The unit's patients this staff member may see; a purged one (no label) is gone."""
    return [
        patient
        for patient in patients.of_unit(turn.conn, turn.staff.unit_id)
        if patient.label is not None and may_see(turn.conn, turn.staff, patient, turn.now)
    ]


def _overview(turn: Turn, page: int) -> Outcome:
    lines = []
    for patient in _visible(turn):
        line = _line(turn, patient)
        if line is not None:
            lines.append(line)
            audit.record(
                turn.conn,
                staff_id=turn.staff.id,
                action="patient_listed",
                now=turn.now,
                patient_id=patient.id,
            )
    return patient_overview.overview(lines, turn.t.language, turn.t, page)


def _zone(turn: Turn, patient: Patient) -> ZoneInfo:
    return ZoneInfo(patients.reminder_settings(turn.conn, patient.id).timezone)


def _line(turn: Turn, patient: Patient) -> PatientLine | None:
    """The patient's line for their latest treatment, whatever its status."""
    enrollment = patients.latest_enrollment(turn.conn, patient.id)
    if enrollment is None or enrollment.program not in turn.world.programs:
        return None
    program = turn.world.programs[enrollment.program]
    settings = patients.reminder_settings(turn.conn, patient.id)
    zone = ZoneInfo(settings.timezone)
    number = enrollment.current_module
    module = program.module(number, turn.t.language)
    hidden = treatment.hidden_steps(turn.conn, enrollment.id, number)
    steps = len([s for s in module.steps if s.id not in hidden]) or len(module.steps)
    position = progress.get(turn.conn, enrollment.id, number)
    at_end = position.step_index >= steps
    last = treatment.last_active(turn.conn, patient.id)
    red, amber = flags.open_counts(turn.conn, patient.id)
    paused = settings.paused_until is not None and settings.paused_until > turn.now
    replies = messages.reply_times(turn.conn, patient.id)
    return PatientLine(
        patient_id=patient.id,
        label=patient.label,
        program=program.title(turn.t.language),
        module=number,
        step=None if at_end else position.step_index + 1,
        steps=steps,
        last_active=last.astimezone(zone).replace(tzinfo=None) if last else None,
        diary_days=_diary_days(turn, patient, zone) if program.meta.diary else None,
        score=_latest_score(turn, patient),
        red_flags=red,
        amber_flags=amber,
        paused=paused,
        unreachable=settings.unreachable,
        reply=_reply_text(turn, replies, zone),
        unanswered=replies.unanswered_since is not None,
        confirmed=patient.confirmed,
        maintenance_until=_maintenance_day(enrollment, zone),
        ended_on=end_day(turn.conn, patient, enrollment) if enrollment.status == "ended" else None,
        end_reason=reason_word(enrollment.end_reason, turn.t) if enrollment.end_reason else None,
    )


def _maintenance_day(enrollment: Enrollment, zone: ZoneInfo):
    """The last day of maintenance, local (it ends at `maintenance_until`)."""
    if enrollment.status != "maintenance" or enrollment.maintenance_until is None:
        return None
    return enrollment.maintenance_until.astimezone(zone).date()


def _reply_text(turn: Turn, times: messages.ReplyTimes, zone: ZoneInfo) -> str | None:
    """The care team's reply times: waiting since when, the last and the median reply."""
    t = turn.t
    parts = []
    if times.unanswered_since is not None:
        since = times.unanswered_since.astimezone(zone)
        parts.append(
            t("patients.unanswered", when=format_datetime(since, "d MMM HH:mm", locale=t.language))
        )
    if times.last_minutes is not None:
        parts.append(
            t(
                "patients.reply_time",
                last=_duration(t, times.last_minutes),
                median=_duration(t, times.median_minutes),
            )
        )
    return " · ".join(parts) or None


def _duration(t: Translator, minutes: int) -> str:
    if minutes < 60:
        return t("duration.minutes", n=minutes)
    if minutes < 48 * 60:
        return t("duration.hours", n=round(minutes / 60))
    return t("duration.days", n=round(minutes / (24 * 60)))


def _diary_days(turn: Turn, patient: Patient, zone: ZoneInfo) -> int:
    today = turn.now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    entries = diary.of_days(turn.conn, patient.id, monday, today)
    return sum(1 for parts in entries.values() if any(e.activity for e in parts.values()))


def _latest_score(turn: Turn, patient: Patient) -> Score | None:
    totals = forms.latest_totals(turn.conn, patient.id)
    if not totals:
        return None
    questionnaire_id, total, max_total = totals[0]
    questionnaire = turn.world.questionnaires.get(questionnaire_id)
    if questionnaire is None:
        return None
    trend = 0
    if len(totals) > 1:
        before = totals[1][1]
        trend = (total > before) - (total < before)
    language = turn.t.language
    return Score(
        title=questionnaire.text(questionnaire.title, language),
        total=total,
        max_total=max_total,
        band=questionnaire.text(band_for(questionnaire, total).label, language),
        trend=trend,
    )


# ---- one patient -------------------------------------------------------------------------


def patient_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if len(turn.incoming.args) != 1:
        return Outcome(replies=(Reply(turn.t("patient.usage")),))
    patient = open_patient(turn, turn.incoming.args[0], "patient_viewed")
    page = _page(turn, patient) if patient else None
    if page is None:
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    return patient_overview.patient_page(page, turn.t)


def _page(turn: Turn, patient: Patient, *, with_timeline: bool = False) -> PatientPage | None:
    """The patient's page; the timeline (every event) is read only when it is shown."""
    line = _line(turn, patient)
    enrollment = patients.latest_enrollment(turn.conn, patient.id)
    if line is None or enrollment is None:
        return None
    program = turn.world.programs[enrollment.program]
    language = turn.t.language
    zone = _zone(turn, patient)
    opened = treatment.opened_addons(turn.conn, enrollment.id)
    therapist = staff.get(turn.conn, patient.therapist_id)
    return PatientPage(
        line=line,
        started=enrollment.started_at.astimezone(zone).replace(tzinfo=None),
        therapist=therapist.name if therapist else "–",
        welcome=treatment.welcome(turn.conn, enrollment.id),
        modules=tuple(
            _module_choice(turn, enrollment.id, program.module(n, language))
            for n in range(1, program.module_count + 1)
        ),
        addons=tuple(
            (n, program.module(n, language).title, n in opened)
            for n in range(program.module_count + 1, program.meta.total_modules + 1)
        ),
        timeline=_timeline(turn, patient, zone) if with_timeline else (),
        language=language,
        lifecycle=_lifecycle(turn, patient, enrollment, zone),
        controls=enrollment.status == "active",
    )


def _lifecycle(
    turn: Turn, patient: Patient, enrollment: Enrollment, zone: ZoneInfo
) -> tuple[TimelineItem, ...]:
    """The treatment's course from storage.lifecycle (ids, codes, dates), worded with who did
    it: a staff member by name, else the patient or the bot. A treatment begun before the
    lifecycle was recorded starts at its enrollment."""
    history = lifecycle.history(turn.conn, patient.id)
    if not any(event.change == "enrolled" for event in history):
        history.insert(
            0, lifecycle.LifecycleEvent("enrolled", enrollment.started_at, None, None, None)
        )
    names = {member.id: member.name for member in staff.of_unit(turn.conn, patient.unit_id)}
    return tuple(
        TimelineItem(
            event.at.astimezone(zone).replace(tzinfo=None), _change_text(turn, event, names)
        )
        for event in history
    )


def _change_text(turn: Turn, event: lifecycle.LifecycleEvent, names: dict[int, str]) -> str:
    t = turn.t
    key = f"patient.lifecycle.{event.change}"
    if t.has(key) and event.change == "ended":
        what = t(key, reason=reason_word(event.reason, t) if event.reason else "")
    elif t.has(key):
        what = t(key)
    else:
        what = t("patient.lifecycle.other", change=escape(event.change))
    if event.staff_id is not None:
        who = escape(names.get(event.staff_id, "–"))
    elif event.change in ("enrolled", "withdrawn"):
        who = t("patient.lifecycle.by_patient")
    else:
        who = t("patient.lifecycle.by_bot")
    return t("patient.lifecycle.by", what=what, who=who)


def _module_choice(turn: Turn, enrollment_id: int, module) -> ModuleChoice:
    hidden = treatment.hidden_steps(turn.conn, enrollment_id, module.number)
    return ModuleChoice(
        number=module.number,
        title=module.title,
        steps=tuple((step.id, step.title, step.id in hidden) for step in module.steps),
    )


def _timeline(turn: Turn, patient: Patient, zone: ZoneInfo) -> tuple[TimelineItem, ...]:
    """Events (what the patient did and what happened), staff actions from the audit log
    (reads of the timeline itself left out) and flags, newest first."""
    t = turn.t
    enrollment = patients.latest_enrollment(turn.conn, patient.id)
    program = turn.world.programs.get(enrollment.program) if enrollment else None
    items = []
    for kind, details, at in events.timeline(turn.conn, patient.id):
        if kind in QUIET_EVENTS:
            continue
        key, named = _addon_named(turn, program, kind, _named(turn, details))
        items.append(
            TimelineItem(at.astimezone(zone).replace(tzinfo=None), _event_text(t, key, named))
        )
    for entry in audit.of_patient(turn.conn, patient.id, limit=TIMELINE_AUDIT_ROWS, offset=0):
        if entry.action in ("patient_listed", "patient_viewed", "timeline_viewed"):
            continue
        who = escape(entry.staff_name or "–")
        text = t("timeline.staff", who=who, action=_action_text(t, entry.action))
        items.append(TimelineItem(entry.at.astimezone(zone).replace(tzinfo=None), text))
    for flag in flags.of_patient(turn.conn, patient.id):
        text = t(f"timeline.flag_{flag.severity}", id=flag.id)
        items.append(TimelineItem(flag.created_at.astimezone(zone).replace(tzinfo=None), text))
    return tuple(sorted(items, key=lambda item: item.at, reverse=True))


def _named(turn: Turn, details: dict) -> dict:
    """An event's questionnaire by its title rather than its id."""
    questionnaire = turn.world.questionnaires.get(details.get("questionnaire"))
    if questionnaire is None:
        return details
    return {**details, "questionnaire": questionnaire.text(questionnaire.title, turn.t.language)}


def _addon_named(turn: Turn, program, kind: str, details: dict) -> tuple[str, dict]:
    """An event about an add-on module names it by its title ("Tillägg: Problemlösning"),
    never by its number: its own wording (`timeline.<kind>_addon`) with the name."""
    number = details.get("module")
    if program is None or not isinstance(number, int) or not is_addon(program, number):
        return kind, details
    key = kind if kind == "addon_opened" else f"{kind}_addon"
    if not turn.t.has(f"timeline.{key}"):
        return kind, details
    title = program.module(number, turn.t.language).title
    return key, {**details, "name": module_name(number, title, True, turn.t)}


def _event_text(t: Translator, kind: str, details: dict) -> str:
    key = f"timeline.{kind}"
    if t.has(key):
        try:
            return t(key, **{name: escape(str(value)) for name, value in details.items()})
        except KeyError:
            pass  # details without what the wording needs: the generic line below
    return t("timeline.other", kind=escape(kind))


def _action_text(t: Translator, action: str) -> str:
    key = f"audit_action.{action}"
    return t(key) if t.has(key) else escape(action)


# ---- buttons, text and changes -----------------------------------------------------------


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.staff is None:
        return general.stale_button(turn.t)
    name, _, arg = action.partition(":")
    if name == "list":
        return _overview(turn, parse_int(arg, 0, MAX_ID) or 0)
    if name == "open":
        return _open_from_list(turn, arg)
    patient = patient_of_dialogue(turn)
    page = _page(turn, patient, with_timeline=name == "timeline") if patient else None
    if page is None:
        return general.stale_button(turn.t)
    if name == "timeline":
        audit.record(
            turn.conn,
            staff_id=turn.staff.id,
            action="timeline_viewed",
            now=turn.now,
            patient_id=patient.id,
        )
    outcome, change = patient_overview.on_button(page, turn.state.data, action, turn.t)
    return _apply(turn, patient, outcome, change)


def _open_from_list(turn: Turn, raw_id: str) -> Outcome:
    patient_id = parse_id(raw_id)
    patient = patients.get(turn.conn, patient_id) if patient_id else None
    if patient is None or not may_see(turn.conn, turn.staff, patient, turn.now):
        return general.stale_button(turn.t)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="patient_viewed",
        now=turn.now,
        patient_id=patient.id,
    )
    page = _page(turn, patient)
    return patient_overview.patient_page(page, turn.t) if page else general.stale_button(turn.t)


def on_text(turn: Turn) -> Outcome:
    patient = patient_of_dialogue(turn)
    page = _page(turn, patient) if patient else None
    if page is None:
        return general.bad_input("text", turn.t)
    outcome, change = patient_overview.on_text(page, turn.state.data, turn.incoming.text, turn.t)
    return _apply(turn, patient, outcome, change)


def _apply(turn: Turn, patient: Patient, outcome: Outcome, change) -> Outcome:
    if change is None:
        return outcome
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    if enrollment is None:  # the page offers no controls after the end: a forged press
        return general.stale_button(turn.t)
    program = turn.world.programs[enrollment.program]
    if _held_back(patient, change):
        notice = not_confirmed_notice(patient.label, turn.t)
        return patient_overview.patient_page(_page(turn, patient), turn.t, notice)
    if change.kind == "set_module":
        notice = _set_module(turn, patient, enrollment, program, change.value)
    elif change.kind == "open_addon":
        notice = _open_addon(turn, patient, enrollment, program, change.value)
    elif change.kind == "toggle_step":
        notice = _toggle_step(turn, patient, enrollment, *change.value)
    else:
        notice = _set_welcome(turn, patient, enrollment, change.value)
    page = _page(turn, patient)
    if change.kind == "toggle_step":
        return patient_overview.hide_choice(page, change.value[0], turn.t)
    return patient_overview.patient_page(page, turn.t, notice)


def _held_back(patient: Patient, change) -> bool:
    """What would reach a patient not confirmed yet waits (bot/care/identity.py): a module
    after the first, an add-on, a welcome text. Hiding steps does not reach them."""
    if change.kind == "toggle_step" or (change.kind == "set_module" and change.value == 1):
        return False
    return holds_back(patient)


def _record(turn: Turn, patient: Patient, action: str, **details: object) -> None:
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action=action,
        now=turn.now,
        patient_id=patient.id,
        **details,
    )


def _set_module(turn: Turn, patient, enrollment, program, number: int) -> str:
    if not set_current(turn.conn, turn.world, turn.staff.id, patient, number, turn.now):
        return turn.t("patient.module_already", module=number)
    return turn.t("patient.module_set", module=number)


def _open_addon(turn: Turn, patient, enrollment, program, number: int) -> str:
    if not open_addon(turn.conn, turn.world, turn.staff.id, patient, number, turn.now):
        return turn.t("patient.addon_already")
    return turn.t("patient.addon_opened")


def _toggle_step(turn: Turn, patient, enrollment, module: int, step_id: str) -> str:
    hidden = treatment.hidden_steps(turn.conn, enrollment.id, module)
    if step_id in hidden:
        treatment.show_step(turn.conn, enrollment.id, module, step_id)
        _record(turn, patient, "step_shown", module=module, step=step_id)
    else:
        treatment.hide_step(turn.conn, enrollment.id, module, step_id, turn.staff.id, turn.now)
        _record(turn, patient, "step_hidden", module=module, step=step_id)
    return ""


def _set_welcome(turn: Turn, patient, enrollment, text: str) -> str:
    treatment.set_welcome(turn.conn, enrollment.id, text)
    _record(turn, patient, "welcome_set")
    tell_patient(
        turn.conn, patient, turn.now, lambda t: Reply(t("patient.told_welcome", text=escape(text)))
    )
    return turn.t("patient.welcome_saved")
