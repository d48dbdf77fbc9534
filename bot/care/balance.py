"""The weekly balance of vill / måste / kan vara utan over a patient's weeks (at most
MAX_WEEKS): a chart, then the same as text. Shown by `/balance` (the patient's own, or a
patient's for staff) and at the end of some modules."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.render.charts import BalanceChart
from bot.turn.context import World
from dialogues import balance
from dialogues.balance import Mark, Week
from dialogues.diary import TYPES
from dialogues.types import Outcome, Reply
from storage import diary as diary_store
from storage import patients
from storage.patients import Patient

MAX_WEEKS = 8  # more bars than this no longer read well on a phone


def own_balance(
    conn: sqlite3.Connection, world: World, now: datetime, t: Translator, patient: Patient
) -> Outcome:
    """The patient's own balance over the weeks since enrollment (at most MAX_WEEKS): a chart,
    then the same as text; a kind word instead while no activity has a type yet."""
    return balance_outcome(conn, world, now, t, patient, staff_label=None)


def balance_outcome(
    conn: sqlite3.Connection,
    world: World,
    now: datetime,
    t: Translator,
    patient: Patient,
    staff_label: str | None,
) -> Outcome:
    """`patient`'s balance for the reader: the patient (`staff_label` None) or staff."""
    rows = _weeks(conn, world, now, patient)
    if rows is None:
        key = "diary.none" if staff_label else "balance.no_diary"
        return Outcome(replies=(Reply(t(key)),))
    if not balance.any_typed(rows):
        if staff_label:
            text = t("balance.no_types_staff", label=escape(staff_label))
        else:
            text = t("balance.no_types")
        return Outcome(replies=(Reply(text),))
    if staff_label:
        title = t("balance.chart_title_staff", label=staff_label)
        heading = t("balance.title_staff", label=escape(staff_label))
    else:
        title = t("balance.chart_title")
        heading = t("balance.title")
    text = balance.balance_text(rows, t.language, t, heading)
    chart = Reply(escape(title), chart=_chart(t, rows, title).to_json())
    return Outcome(replies=(chart, Reply(text)))


def _weeks(
    conn: sqlite3.Connection, world: World, now: datetime, patient: Patient
) -> list[Week] | None:
    """The weeks from the enrollment's (or MAX_WEEKS ago) to this one, in the patient's
    local days; None when the program has no diary."""
    enrollment = patients.active_enrollment(conn, patient.id)
    if enrollment is None or world.programs[enrollment.program].meta.diary is None:
        return None
    zone = ZoneInfo(patients.reminder_settings(conn, patient.id).timezone)
    this_monday = _monday(now.astimezone(zone).date())
    first_monday = max(
        _monday(enrollment.started_at.astimezone(zone).date()),
        this_monday - timedelta(weeks=MAX_WEEKS - 1),
    )
    stored = diary_store.types_and_moods(
        conn, patient.id, first_monday, this_monday + timedelta(days=6)
    )
    marks = [Mark(day, activity_type, mood) for day, activity_type, mood in stored]
    return balance.weeks(marks, first_monday, this_monday)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _chart(t: Translator, rows: list[Week], title: str) -> BalanceChart:
    language = t.language
    return BalanceChart(
        title=title,
        y_label=t("balance.chart_axis"),
        note=t("balance.chart_note"),
        weeks=[balance.week_label(week, t) for week in rows],
        types=list(TYPES),
        labels=[t(f"diary.type.{kind}") for kind in TYPES],
        counts=[[week.by_type[kind].count for week in rows] for kind in TYPES],
        moods=[
            [balance.format_mood(week.by_type[kind].mean_mood, language) for week in rows]
            for kind in TYPES
        ],
    )
