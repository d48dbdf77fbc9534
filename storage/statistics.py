"""The unit's statistics (0022): what is kept of a treatment once it is purged.

Counts and score sums per unit, program, module, ISO week and measure; never a row per
patient, never a patient id. A patient's rows are folded in by the purge, in its own
transaction, just before they are removed (storage/purge.py).

Measures: `form:<questionnaire>` (count, sum of totals), `module_finished`, `diary_entries`
(filled parts, not skipped ones), `messages_from_patient`, `messages_to_patient`,
`ended:<reason>` (in the week and module the treatment ended).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from storage.timefmt import from_db


def iso_week(day: date | datetime) -> str:
    """'2026-W01' (the ISO year, which may differ from the calendar year at New Year)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Row:
    unit_id: int
    program: str
    module: int
    week: str
    measure: str
    count: int
    score_sum: int


def fold_patient(conn: sqlite3.Connection, patient_id: int) -> int:
    """Add the patient's measurements, finished modules, diary days, messages and endings to
    the unit's statistics; returns how many statistic rows were touched."""
    owner = conn.execute(
        "SELECT p.unit_id, e.program FROM patients p JOIN enrollments e ON e.patient_id = p.id"
        " WHERE p.id = ? ORDER BY e.id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    if owner is None:
        return 0  # never enrolled: nothing to count
    unit_id, program = owner[0], owner[1]
    counts: Counter = Counter()
    sums: Counter = Counter()
    for module, week, measure, score in _facts(conn, patient_id):
        key = (module, week, measure)
        counts[key] += 1
        sums[key] += score
    conn.executemany(
        "INSERT INTO unit_statistics (unit_id, program, module, week, measure, count, score_sum)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id, program, module, week, measure)"
        " DO UPDATE SET count = unit_statistics.count + excluded.count,"
        " score_sum = unit_statistics.score_sum + excluded.score_sum",
        [(unit_id, program, *key, counts[key], sums[key]) for key in counts],
    )
    return len(counts)


def _facts(conn: sqlite3.Connection, patient_id: int):
    """(module, ISO week, measure, score) for each countable thing of the patient."""
    for row in conn.execute(
        "SELECT COALESCE(r.module, 0), m.submitted_at, m.questionnaire, m.total"
        " FROM measurements m JOIN form_requests r ON r.id = m.request_id"
        " WHERE m.patient_id = ?",
        (patient_id,),
    ):
        yield row[0], iso_week(from_db(row[1])), f"form:{row[2]}", row[3]
    for row in conn.execute(
        "SELECT mp.module, mp.finished_at FROM module_progress mp"
        " JOIN enrollments e ON e.id = mp.enrollment_id"
        " WHERE e.patient_id = ? AND mp.finished_at IS NOT NULL",
        (patient_id,),
    ):
        yield row[0], iso_week(from_db(row[1])), "module_finished", 0
    for row in conn.execute(
        "SELECT day FROM diary_entries WHERE patient_id = ? AND skipped = 0", (patient_id,)
    ):
        yield 0, iso_week(date.fromisoformat(row[0])), "diary_entries", 0
    for row in conn.execute(
        "SELECT direction, created_at FROM messages WHERE patient_id = ?", (patient_id,)
    ):
        yield 0, iso_week(from_db(row[1])), f"messages_{row[0]}", 0
    for row in conn.execute(
        "SELECT current_module, ended_at, end_reason FROM enrollments"
        " WHERE patient_id = ? AND status = 'ended' AND ended_at IS NOT NULL",
        (patient_id,),
    ):
        yield row[0], iso_week(from_db(row[1])), f"ended:{row[2]}", 0


def of_unit(conn: sqlite3.Connection, unit_id: int) -> list[Row]:
    rows = conn.execute(
        "SELECT unit_id, program, module, week, measure, count, score_sum FROM unit_statistics"
        " WHERE unit_id = ? ORDER BY week, program, module, measure",
        (unit_id,),
    )
    return [Row(*row) for row in rows]
