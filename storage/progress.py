"""Where a patient stands in each module: the current step and whether it is finished."""

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage import dialect
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class ModuleProgress:
    step_index: int
    finished: bool


def get(conn: sqlite3.Connection, enrollment_id: int, module: int) -> ModuleProgress:
    row = conn.execute(
        "SELECT step_index, finished_at FROM module_progress"
        " WHERE enrollment_id = ? AND module = ?",
        (enrollment_id, module),
    ).fetchone()
    if row is None:
        return ModuleProgress(step_index=0, finished=False)
    return ModuleProgress(step_index=row["step_index"], finished=row["finished_at"] is not None)


def save(
    conn: sqlite3.Connection,
    enrollment_id: int,
    module: int,
    progress: ModuleProgress,
    now: datetime,
) -> None:
    finished_at = to_db(now) if progress.finished else None
    conn.execute(
        "INSERT INTO module_progress (enrollment_id, module, step_index, finished_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (enrollment_id, module) DO UPDATE SET"
        " step_index = excluded.step_index,"
        " finished_at = COALESCE(module_progress.finished_at, excluded.finished_at)",
        (enrollment_id, module, progress.step_index, finished_at),
    )


@dataclass(frozen=True)
class Place:
    """Where a patient stands in their core modules, with their unit's choice of who opens the
    next one (see bot/care/pacing.py)."""

    program: str
    current_module: int
    module_started_at: datetime
    finished: bool  # the current module is finished
    unit_opening: str | None  # None: as the program says


def places(conn: sqlite3.Connection, patient_ids: list[int]) -> dict[int, Place]:
    """patient id -> `Place`, for those with an active enrollment; one query for them all."""
    if not patient_ids:
        return {}
    rows = conn.execute(
        "SELECT e.patient_id, e.program, e.current_module, e.module_started_at,"
        " m.finished_at IS NOT NULL AS finished, u.module_opening"
        " FROM enrollments e JOIN patients p ON p.id = e.patient_id"
        " JOIN units u ON u.id = p.unit_id"
        " LEFT JOIN module_progress m"
        " ON m.enrollment_id = e.id AND m.module = e.current_module"
        f" WHERE e.status = 'active' AND e.patient_id IN ({dialect.ids_in_json(conn)})",
        (json.dumps(sorted(set(patient_ids))),),
    )
    return {
        row["patient_id"]: Place(
            row["program"],
            row["current_module"],
            from_db(row["module_started_at"]),
            bool(row["finished"]),
            row["module_opening"],
        )
        for row in rows
    }
