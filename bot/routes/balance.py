"""Routes for the weekly balance of vill / måste / kan vara utan: `/balance` for the patient,
`/balance <label>` for staff (audited), and `balance_outcome` for other routes to show it
(e.g. at the end of a module)."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.care.access import named_patient
from bot.render.charts import BalanceChart
from bot.turn.context import Turn
from dialogues import balance
from dialogues.balance import Mark, Week
from dialogues.diary import TYPES
from dialogues.types import Outcome, Reply
from storage import diary as diary_store
from storage import patients
from storage.patients import Patient

MAX_WEEKS = 8  # more bars than this no longer read well on a phone


def balance_command(turn: Turn) -> Outcome | None:
    if turn.patient is not None:
        return balance_outcome(turn, turn.patient)
    if turn.staff is None:
        return None
    patient = named_patient(turn, "balance.usage", "balance_viewed")
    if isinstance(patient, Outcome):
        return patient
    return _outcome(turn, patient, staff_label=patient.label)


def balance_outcome(turn: Turn, patient: Patient) -> Outcome:
    """The patient's own balance over the weeks since enrollment (at most MAX_WEEKS): a chart,
    then the same as text; a kind word instead while no activity has a type yet."""
    return _outcome(turn, patient, staff_label=None)


def _outcome(turn: Turn, patient: Patient, staff_label: str | None) -> Outcome:
    rows = _weeks(turn, patient)
    if rows is None:
        key = "diary.none" if staff_label else "balance.no_diary"
        return Outcome(replies=(Reply(turn.t(key)),))
    if not balance.any_typed(rows):
        if staff_label:
            text = turn.t("balance.no_types_staff", label=escape(staff_label))
        else:
            text = turn.t("balance.no_types")
        return Outcome(replies=(Reply(text),))
    if staff_label:
        title = turn.t("balance.chart_title_staff", label=staff_label)
        heading = turn.t("balance.title_staff", label=escape(staff_label))
    else:
        title = turn.t("balance.chart_title")
        heading = turn.t("balance.title")
    text = balance.balance_text(rows, turn.t.language, turn.t, heading)
    chart = Reply(escape(title), chart=_chart(turn, rows, title).to_json())
    return Outcome(replies=(chart, Reply(text)))


def _weeks(turn: Turn, patient: Patient) -> list[Week] | None:
    """The weeks from the enrollment's (or MAX_WEEKS ago) to this one, in the patient's
    local days; None when the program has no diary."""
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    if enrollment is None or turn.world.programs[enrollment.program].meta.diary is None:
        return None
    zone = ZoneInfo(patients.reminder_settings(turn.conn, patient.id).timezone)
    this_monday = _monday(turn.now.astimezone(zone).date())
    first_monday = max(
        _monday(enrollment.started_at.astimezone(zone).date()),
        this_monday - timedelta(weeks=MAX_WEEKS - 1),
    )
    stored = diary_store.types_and_moods(
        turn.conn, patient.id, first_monday, this_monday + timedelta(days=6)
    )
    marks = [Mark(day, activity_type, mood) for day, activity_type, mood in stored]
    return balance.weeks(marks, first_monday, this_monday)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _chart(turn: Turn, rows: list[Week], title: str) -> BalanceChart:
    language = turn.t.language
    return BalanceChart(
        title=title,
        y_label=turn.t("balance.chart_axis"),
        note=turn.t("balance.chart_note"),
        weeks=[balance.week_label(week, turn.t) for week in rows],
        types=list(TYPES),
        labels=[turn.t(f"diary.type.{kind}") for kind in TYPES],
        counts=[[week.by_type[kind].count for week in rows] for kind in TYPES],
        moods=[
            [balance.format_mood(week.by_type[kind].mean_mood, language) for week in rows]
            for kind in TYPES
        ],
    )
