"""Routes for `/results`: the patient's own results, and `/results <label>` for staff
(audited)."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.care.access import named_patient
from bot.render.charts import ChartSpec
from bot.turn.context import Turn
from dialogues import results
from dialogues.results import Point, ResultItem, Series
from dialogues.types import Outcome, Reply
from programs.scoring import band_for, reliable_change
from storage import forms, patients
from storage.patients import Patient


def results_command(turn: Turn) -> Outcome | None:
    if turn.patient is not None:
        series = _series(turn, turn.patient)
        return _with_charts(turn, series, results.patient_results(series, turn.t))
    if turn.staff is None:
        return None
    patient = named_patient(turn, "results.usage", "results_viewed")
    if isinstance(patient, Outcome):
        return patient
    series = _series(turn, patient)
    return _with_charts(turn, series, results.staff_results(patient.label, series, turn.t))


def _with_charts(turn: Turn, series: list[Series], text: Outcome) -> Outcome:
    """A chart of each questionnaire first, then the text."""
    charts = tuple(Reply(escape(one.title), chart=_chart(turn, one).to_json()) for one in series)
    return Outcome(replies=charts).then(text)


def _chart(turn: Turn, one: Series) -> ChartSpec:
    questionnaire = turn.world.questionnaires[one.questionnaire]
    bands = [
        (band.min, band.max, questionnaire.text(band.label, turn.t.language))
        for band in questionnaire.scoring.bands
    ]
    return ChartSpec(
        title=one.title,
        y_label=turn.t("results.score_axis"),
        dates=[point.date for point in one.points],
        totals=[point.total for point in one.points],
        max_total=one.max_total,
        bands=bands,
    )


def _series(turn: Turn, patient: Patient) -> list[Series]:
    language = turn.t.language
    zone = ZoneInfo(patients.reminder_settings(turn.conn, patient.id).timezone)
    grouped: dict[str, list] = {}
    for measurement in forms.measurements(turn.conn, patient.id):
        grouped.setdefault(measurement.questionnaire, []).append(measurement)
    found = []
    for questionnaire_id, measured in grouped.items():
        questionnaire = turn.world.questionnaires.get(questionnaire_id)
        if questionnaire is None:
            continue
        text = questionnaire.text
        items = tuple(
            ResultItem(
                id=item.id,
                label=text(item.heading, language) if item.heading else text(item.text, language),
                risk=item.risk is not None,
                hidden_from_patient=item.hidden_from_patient,
                answer_labels={
                    option.value: text(option.label, language)
                    for option in questionnaire.answer_options(item)
                },
            )
            for item in questionnaire.items
        )
        points = tuple(
            Point(
                date=format_date(m.submitted_at.astimezone(zone).date(), "d MMM", locale=language),
                total=m.total,
                band=text(band_for(questionnaire, m.total).label, language),
                answers=m.answers,
                final=m.reason == "final",
            )
            for m in measured
        )
        change = reliable_change(questionnaire, measured[0].total, measured[-1].total)
        found.append(
            Series(
                questionnaire_id,
                text(questionnaire.title, language),
                questionnaire.scoring.max,
                items,
                points,
                change,
            )
        )
    return found
