"""Where a patient stands in each module: the current step and whether it is finished."""

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timefmt import to_db


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
