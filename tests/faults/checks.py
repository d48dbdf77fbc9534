"""After a crash script: is every answer the patients gave stored, and stored exactly once?

Each check is a query and the rows it must return, as a multiset: a row missing is an answer
lost, a row too many an answer duplicated. The queries read the tables a feature keeps its
data in (answers, diary, activities, questionnaires, messages, the lifecycle), never the
outbox or the sender's bookkeeping: what arrived is checked by the script itself.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults import walk

# (what, query, the rows it must return)
EXPECTED: tuple[tuple[str, str, list[tuple]], ...] = (
    (
        "module answers",
        "SELECT p.label, a.item_key, a.value, a.version FROM answers a"
        " JOIN enrollments e ON e.id = a.enrollment_id JOIN patients p ON p.id = e.patient_id",
        [
            ("P1", "module-1/how-it-works", "evening", 1),
            ("P1", "module-1/how-it-began", walk.STEP_6, 1),
            ("P1", "module-1/handling-depression", walk.STEP_7, 1),
            ("P1", "module-1/your-goals", walk.STEP_8, 1),
            ("P1", "module-1/reflection", walk.REFLECTION, 1),
        ],
    ),
    (
        "diary entries",
        "SELECT p.label, d.day, d.part, d.activity, d.mood, d.skipped FROM diary_entries d"
        " JOIN patients p ON p.id = d.patient_id",
        [
            ("P1", "2026-12-01", "morning", walk.MORNING, 6, 0),
            ("P1", "2026-12-01", "late-morning", walk.FORENOON, 4, 0),
            ("P1", "2026-12-01", "evening", walk.ACTIVITY, 7, 0),
        ],
    ),
    (
        "activities",
        "SELECT p.label, a.text, a.activity_type, a.removed_at IS NULL FROM activities a"
        " JOIN patients p ON p.id = a.patient_id",
        [("P1", walk.ACTIVITY, "vill", 1)],
    ),
    (
        "activity plans",
        "SELECT p.label, a.text, a.source FROM activity_plans a"
        " JOIN patients p ON p.id = a.patient_id",
        [("P1", walk.ACTIVITY, "patient")],
    ),
    (
        "activity outcomes",
        "SELECT outcome, mood, comment FROM activity_outcomes",
        [("ja", 7, walk.ACTIVITY_COMMENT)],
    ),
    (
        "questionnaires",
        "SELECT p.label, m.questionnaire, m.total FROM measurements m"
        " JOIN patients p ON p.id = m.patient_id",
        [("P1", "phq9", walk.PHQ9_TOTAL)],
    ),
    (
        "questionnaire items",
        "SELECT r.questionnaire, COUNT(*) FROM form_answers f"
        " JOIN form_requests r ON r.id = f.request_id GROUP BY f.request_id",
        [("phq9", len(walk.PHQ9))],
    ),
    (
        "messages",
        "SELECT p.label, m.direction, m.kind, m.text FROM messages m"
        " JOIN patients p ON p.id = m.patient_id",
        [
            ("P1", "from_patient", "message", walk.MESSAGE),
            ("P1", "to_patient", "message", walk.REPLY),
        ],
    ),
    (
        "lifecycle",
        "SELECT p.label, l.change, l.reason FROM lifecycle_events l"
        " JOIN patients p ON p.id = l.patient_id",
        [
            ("P1", "enrolled", None),
            ("P1", "confirmed", "therapist"),
            ("P2", "enrolled", None),
            ("P2", "confirmed", "therapist"),
            ("P2", "withdrawn", "withdrawn"),
            ("P3", "enrolled", None),
            ("P3", "confirmed", "therapist"),
            ("P3", "ended", "completed"),
        ],
    ),
    (
        "enrollments",
        "SELECT p.label, e.status, e.end_reason FROM enrollments e"
        " JOIN patients p ON p.id = e.patient_id",
        [("P1", "active", None), ("P2", "ended", "withdrawn"), ("P3", "ended", "completed")],
    ),
)


@dataclass
class Tally:
    checked: int = 0  # rows that had to be there
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"lost: {row}" for row in self.lost] + [
            f"duplicated: {row}" for row in self.duplicated
        ]


def tally(db_path: Path) -> Tally:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        result = Tally()
        for what, query, rows in EXPECTED:
            found = Counter(conn.execute(query).fetchall())
            wanted = Counter(rows)
            result.checked += len(rows)
            result.lost += [f"{what} {row}" for row in (wanted - found).elements()]
            result.duplicated += [f"{what} {row}" for row in (found - wanted).elements()]
        return result
    finally:
        conn.close()
