"""Routes for the diary: `/diary`, the reminder's "open the diary", buttons and typed text."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.care.access import named_patient
from bot.reminders.kinds.diary import DIARY
from bot.render.charts import CELL_STATES, DiaryCell, DiaryWeekChart
from bot.turn.context import Turn
from dialogues import diary, general
from dialogues.diary import DayView, Entry, Part, Write
from dialogues.types import Outcome, Reply
from storage import diary as diary_store
from storage import patients, reminders

DIALOGUE = diary.DIALOGUE


def diary_command(turn: Turn) -> Outcome | None:
    if turn.patient is not None:
        return open_day(turn)
    if turn.staff is None:
        return None
    patient = named_patient(turn, "diary.usage", "diary_viewed")
    if isinstance(patient, Outcome):
        return patient
    today = _today_of(turn, patient)
    parts = _parts(turn, patient)
    if parts is None:
        return Outcome(replies=(Reply(turn.t("diary.none")),))
    replies = []
    for monday in (diary.earliest_day(today), diary.earliest_day(today) + timedelta(days=7)):
        days = _entries(turn, patient, monday)
        day = format_date(monday, "d MMMM", locale=turn.t.language)
        title = turn.t("diary.chart_title_staff", label=patient.label, day=day)
        heading = turn.t("diary.week_title_staff", label=escape(patient.label), day=day)
        text = diary.week_text(monday, parts, days, turn.t.language, turn.t, heading)
        replies += [_week_chart(turn, monday, parts, days, title), Reply(text)]
    return Outcome(replies=tuple(replies))


def _week(turn: Turn, patient, day: date) -> Outcome:
    monday = day - timedelta(days=day.weekday())
    parts = _parts(turn, patient)
    if parts is None:
        return general.stale_button(turn.t)
    days = _entries(turn, patient, monday)
    title = turn.t("diary.chart_title", day=format_date(monday, "d MMMM", locale=turn.t.language))
    chart = Outcome(replies=(_week_chart(turn, monday, parts, days, title),))
    return chart.then(diary.week_page(monday, parts, days, turn.t.language, turn.t, day))


def _week_chart(turn: Turn, monday: date, parts: tuple[Part, ...], days: dict, title: str) -> Reply:
    """The week as an image (the text that follows it says the same, for screen readers).
    It holds what the patient wrote, so it goes only to their own chat or their therapist's."""
    language = turn.t.language
    chart = DiaryWeekChart(
        title=title,
        days=[
            format_date(monday + timedelta(days=n), "EEE d MMM", locale=language) for n in range(7)
        ],
        parts=[part.label for part in parts],
        cells=[
            [_cell(days.get(monday + timedelta(days=n), {}).get(part.id)) for part in parts]
            for n in range(7)
        ],
        legend={state: _legend_label(turn, state) for state in CELL_STATES},
        note=turn.t("diary.chart.note"),
    )
    return Reply(escape(title), chart=chart.to_json())


def _cell(entry: Entry | None) -> DiaryCell:
    if entry is None:
        return DiaryCell("empty")
    if entry.skipped:
        return DiaryCell("skipped")
    return DiaryCell(entry.activity_type or "none", entry.mood, entry.activity or "")


def _legend_label(turn: Turn, state: str) -> str:
    if state in diary.TYPES:
        return turn.t(f"diary.type.{state}")
    return turn.t(f"diary.chart.{state}")


def _entries(turn: Turn, patient, monday: date) -> dict:
    stored = diary_store.of_days(turn.conn, patient.id, monday, monday + timedelta(days=6))
    return {day: _as_entries(entries) for day, entries in stored.items()}


def _as_entries(stored: dict) -> dict[str, Entry]:
    """Stored diary entries of one day as the dialogue's entries, by part."""
    return {
        part: Entry(entry.activity, entry.mood, entry.activity_type, entry.skipped)
        for part, entry in stored.items()
    }


def _parts(turn: Turn, patient) -> tuple[Part, ...] | None:
    return _parts_of(turn, patients.active_enrollment(turn.conn, patient.id))


def _parts_of(turn: Turn, enrollment) -> tuple[Part, ...] | None:
    config = turn.world.programs[enrollment.program].meta.diary if enrollment else None
    if config is None:
        return None
    language = turn.t.language
    return tuple(
        Part(part.id, part.label.get(language) or next(iter(part.label.values())))
        for part in config.parts
    )


def _today_of(turn: Turn, patient) -> date:
    zone = ZoneInfo(patients.reminder_settings(turn.conn, patient.id).timezone)
    return turn.now.astimezone(zone).date()


def open_day(turn: Turn, day: date | None = None) -> Outcome:
    view = _view(turn, day)
    if view is None:
        return general.bad_input("text", turn.t)
    return diary.day_page(view, turn.t)


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.patient is None:
        return general.stale_button(turn.t)
    name, _, arg = action.partition(":")
    if name == "day":
        return _other_day(turn, arg)
    if name == "week":
        return _week(turn, turn.patient, _day_of(turn))
    view = _view(turn, _day_of(turn))
    outcome, write = diary.on_button(view, turn.state.data, action, turn.t)
    _store(turn, view.day, write)
    return outcome


def on_text(turn: Turn) -> Outcome:
    view = _view(turn, _day_of(turn))
    outcome, write = diary.on_text(view, turn.state.data, turn.incoming.text, turn.t)
    _store(turn, view.day, write)
    return outcome


def _other_day(turn: Turn, raw: str) -> Outcome:
    today = _today(turn)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return general.stale_button(turn.t)
    if not diary.earliest_day(today) <= day <= today:
        return general.stale_button(turn.t)
    return open_day(turn, day)


def _day_of(turn: Turn) -> date:
    raw = turn.state.data.get("day")
    return date.fromisoformat(raw) if raw else _today(turn)


def _today(turn: Turn) -> date:
    return _today_of(turn, turn.patient)


def _view(turn: Turn, day: date | None) -> DayView | None:
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    parts = _parts_of(turn, enrollment)
    if enrollment is None or parts is None:
        return None
    config = turn.world.programs[enrollment.program].meta.diary
    today = _today(turn)
    day = day or today
    entries = _as_entries(diary_store.of_day(turn.conn, turn.patient.id, day))
    ask_types = (
        config.types_from_module is not None
        and enrollment.current_module >= config.types_from_module
    )
    return DayView(day, today, parts, entries, ask_types, turn.t.language)


def _store(turn: Turn, day: date, write: Write | None) -> None:
    if write is None:
        return
    patient_id = turn.patient.id
    if write.kind == "activity":
        diary_store.save_activity(turn.conn, patient_id, day, write.part, write.value, turn.now)
    elif write.kind == "mood":
        diary_store.save_detail(turn.conn, patient_id, day, write.part, turn.now, mood=write.value)
    elif write.kind == "type":
        diary_store.save_detail(
            turn.conn, patient_id, day, write.part, turn.now, activity_type=write.value
        )
    elif write.kind == "skip":
        diary_store.skip(turn.conn, patient_id, day, write.part, turn.now)
    elif write.kind == "clear":
        diary_store.clear(turn.conn, patient_id, day, write.part)
    reminders.mark_answered(turn.conn, patient_id, DIARY.name, turn.now)
