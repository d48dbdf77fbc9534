"""Routes for journal notes: `/journal <label>` (staff who may see the patient: the summary
of the period not yet recorded, audited as read) and its stateless button **Införd i
journalen** (`journal:done:<patient>:<end>`: access checked again when pressed; the period
recorded once, audited). Ended patients keep their journal until they are purged, so the
last period can be recorded after the end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.care.access import may_see, open_patient
from bot.care.modules import is_addon
from bot.turn.context import Turn
from dialogues import journal
from dialogues.journal import ChangeLine, FlagLine, KvaLine, ScoreLine, Summary
from dialogues.module_opening import module_name
from dialogues.numbers import MAX_ID, parse_id, parse_int
from dialogues.types import Outcome, Reply
from programs.scoring import band_for
from storage import audit, kva_codes, patients, units
from storage import journal as store
from storage.journal import Period
from storage.patients import Enrollment, Patient
from storage.timefmt import to_db

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


# ---- the summary ---------------------------------------------------------------------------


def journal_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if len(turn.incoming.args) != 1:
        return journal.usage(turn.t)
    patient = open_patient(turn, turn.incoming.args[0], None)
    enrollment = patients.latest_enrollment(turn.conn, patient.id) if patient else None
    if enrollment is None:
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    period = store.current_period(turn.conn, patient.id, enrollment.started_at, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="journal_viewed",
        now=turn.now,
        patient_id=patient.id,
        period_start=to_db(period.start),
        period_end=to_db(period.end),
    )
    return journal.summary(_summary(turn, patient, enrollment, period), turn.t)


def _summary(turn: Turn, patient: Patient, enrollment: Enrollment, period: Period) -> Summary:
    conn, t = turn.conn, turn.t
    zone = ZoneInfo(units.get(conn, patient.unit_id).timezone)
    program = turn.world.programs[enrollment.program]

    def day(moment: datetime | None) -> date | None:
        return moment.astimezone(zone).date() if moment else None

    def local(moment: datetime) -> datetime:
        return moment.astimezone(zone).replace(tzinfo=None)

    def modules(found: list[tuple[int, datetime]]) -> tuple[tuple[date, str], ...]:
        return tuple((day(at), _module_name(program, number, t)) for number, at in found)

    sent = store.messages_in(conn, patient.id, period)
    staff_wrote = [m for m in sent if m.direction == "to_patient"]
    scores = store.scores_in(conn, patient.id, period)
    written = store.written_in(conn, patient.id, period)
    return Summary(
        patient_id=patient.id,
        label=patient.label,
        program=program.title(t.language),
        self_help=enrollment.mode == "self-help",
        status=enrollment.status,
        maintenance_until=day(enrollment.maintenance_until),
        ended_on=day(enrollment.ended_at),
        end_reason=enrollment.end_reason,
        start=local(period.start),
        end=local(period.end),
        end_token=_token(period.end),
        from_patient=tuple(day(m.at) for m in sent if m.direction == "from_patient"),
        answered=tuple(day(at) for at in store.answered_in(conn, patient.id, period)),
        staff_messages=tuple(day(m.at) for m in staff_wrote if m.kind == "message"),
        comments=tuple(day(m.at) for m in staff_wrote if m.kind == "comment"),
        feedback=modules([(m.module or 0, m.at) for m in staff_wrote if m.kind == "feedback"]),
        opened=modules(_opened(conn, patient, enrollment, period)),
        finished=modules(store.modules_finished_in(conn, patient.id, period)),
        scores=tuple(_score(turn, score, day(score.at)) for score in scores),
        flags=tuple(
            FlagLine(f.severity, f.kind, day(f.raised_at), day(f.handled_at), f.handled_by)
            for f in store.flags_in(conn, patient.id, period)
        ),
        changes=_changes(conn, patient, enrollment, period, day),
        answers=written.answers,
        diary_days=written.diary_days,
        notes=written.notes,
        **_kva(turn, patient, bool(staff_wrote), bool(scores)),
    )


def _token(moment: datetime) -> int:
    """A moment as whole UTC microseconds: exact, and short enough for a button's data."""
    return (moment - EPOCH) // MICROSECOND


def _opened(
    conn, patient: Patient, enrollment: Enrollment, period: Period
) -> list[tuple[int, datetime]]:
    """Modules opened in the period; the first opens with the enrollment itself."""
    found = store.modules_opened_in(conn, patient.id, period)
    if _started_in(period, enrollment) and not any(number == 1 for number, _ in found):
        found.insert(0, (1, enrollment.started_at))
    return found


def _started_in(period: Period, enrollment: Enrollment) -> bool:
    return period.first and enrollment.started_at <= period.end


def _changes(conn, patient: Patient, enrollment: Enrollment, period: Period, day) -> tuple:
    """The treatment's changes in the period; its start among them when the period holds it
    (from the enrollment itself, unless a lifecycle row says so already)."""
    found = [
        ChangeLine(c.change, c.reason, c.by, day(c.at))
        for c in store.lifecycle_in(conn, patient.id, period)
    ]
    if _started_in(period, enrollment) and not any(line.change == "enrolled" for line in found):
        found.insert(0, ChangeLine("enrolled", None, None, day(enrollment.started_at)))
    return tuple(found)


def _module_name(program, number: int, t) -> str:
    """'Modul 2: …' or 'Tillägg: …'; a number the program no longer has, as a number."""
    if not 1 <= number <= program.meta.total_modules:
        return t("journal.module_number", n=number)
    title = program.module(number, t.language).title
    return module_name(number, title, is_addon(program, number), t)


def _score(turn: Turn, score: store.ScoreFact, on: date) -> ScoreLine:
    questionnaire = turn.world.questionnaires.get(score.questionnaire)
    if questionnaire is None:  # a form the clinic no longer uses: its id and the numbers
        return ScoreLine(score.questionnaire, score.total, score.max_total, "–", on)
    language = turn.t.language
    return ScoreLine(
        title=questionnaire.text(questionnaire.title, language),
        total=score.total,
        max_total=score.max_total,
        band=questionnaire.text(band_for(questionnaire, score.total).label, language),
        on=on,
    )


def _kva(turn: Turn, patient: Patient, text_contact: bool, rating_scale: bool) -> dict:
    """The unit's codes for the kinds of contact the period holds."""
    codes = kva_codes.of_unit(turn.conn, patient.unit_id)
    held = {kva_codes.TEXT_CONTACT: text_contact, kva_codes.RATING_SCALE: rating_scale}
    lines = tuple(
        KvaLine(contact_type, codes.get(contact_type))
        for contact_type in kva_codes.CONTACT_TYPES
        if held[contact_type]
    )
    return {"kva": lines, "kva_set": bool(codes)}


# ---- Införd i journalen ----------------------------------------------------------------------


def journal_button(turn: Turn, rest: str) -> Outcome | None:
    """`journal:done:<patient>:<end>`; None (a stale button) for anything else."""
    action, _, argument = rest.partition(":")
    raw_patient, _, raw_end = argument.partition(":")
    patient_id = parse_id(raw_patient)
    if action != "done" or patient_id is None or parse_int(raw_end, 0, MAX_ID) is None:
        return None
    # A period ends when its summary was made: never later than now (forged data otherwise).
    end_token = parse_int(raw_end, 0, _token(turn.now))
    if turn.staff is None or end_token is None:
        return journal.refused(turn.t)
    patient = patients.get(turn.conn, patient_id)
    if (
        patient is None
        or patient.label is None  # purged: nothing is left to record
        or not may_see(turn.conn, turn.staff, patient, turn.now)
    ):
        return journal.refused(turn.t)
    end = EPOCH + end_token * MICROSECOND
    enrollment = patients.latest_enrollment(turn.conn, patient.id)
    if enrollment is None or end < enrollment.started_at:
        return journal.refused(turn.t)
    period = store.record_period(
        turn.conn, patient.id, enrollment.started_at, end, turn.staff.id, turn.now
    )
    if period is None:
        return journal.already_recorded(patient.label, turn.t)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="journal_recorded",
        now=turn.now,
        patient_id=patient.id,
        period_start=to_db(period.start),
        period_end=to_db(period.end),
    )
    zone = ZoneInfo(units.get(turn.conn, patient.unit_id).timezone)
    return journal.recorded(
        patient.label,
        period.start.astimezone(zone).replace(tzinfo=None),
        period.end.astimezone(zone).replace(tzinfo=None),
        turn.t,
    )
