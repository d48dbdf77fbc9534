"""Exercise answers: the latest answer per item wins; `version` counts how often it changed."""

import sqlite3
from datetime import datetime

from storage.timefmt import to_db


def save(
    conn: sqlite3.Connection, enrollment_id: int, item_key: str, value: str, now: datetime
) -> None:
    conn.execute(
        "INSERT INTO answers (enrollment_id, item_key, value, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (enrollment_id, item_key) DO UPDATE SET"
        " value = excluded.value, version = answers.version + 1, updated_at = excluded.updated_at",
        (enrollment_id, item_key, value, to_db(now), to_db(now)),
    )


def for_prefix(conn: sqlite3.Connection, enrollment_id: int, prefix: str) -> dict[str, str]:
    """The answers whose item key starts with `prefix` (e.g. 'module-1/')."""
    rows = conn.execute(
        "SELECT item_key, value FROM answers WHERE enrollment_id = ? AND item_key LIKE ?",
        (enrollment_id, prefix.replace("%", r"\%") + "%"),
    )
    return {row["item_key"]: row["value"] for row in rows}
