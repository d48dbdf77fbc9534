"""The purge ledger: one entry per purge, ids and dates only, kept twice.

In the database (`purge_ledger`, 0022), for `/patient` and the dry run; and appended to a
file beside the database (`<database>.purges`, one JSON object a line, owner-only), which
survives when the database is lost and a backup is restored: `python -m bot restore` then
purges again every patient the file names that the backup still holds
(bot/cli/backup.py). The line is written and synced inside the purge's transaction, before
its commit: a crash between the two leaves a line for a purge that did not commit, which a
restore then does (the patient was due for it), never the reverse.

An entry names the patient by id AND the day the row was made (`created_at`): after a
restore SQLite hands out the ids above the backup's highest again, so an id alone could
name a later patient.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.database import FILE_MODE
from storage.timefmt import from_db, to_db

SUFFIX = ".purges"


def file_beside(database_path: str | Path) -> Path:
    return Path(f"{database_path}{SUFFIX}")


@dataclass(frozen=True)
class Entry:
    patient_id: int
    unit_id: int
    created_at: datetime  # the patient row's: with the id, who this was
    ended_at: datetime | None
    end_reason: str | None  # a code
    purged_at: datetime
    journal_recorded: bool

    def to_line(self) -> str:
        return json.dumps(
            {
                "patient_id": self.patient_id,
                "unit_id": self.unit_id,
                "created_at": to_db(self.created_at),
                "ended_at": to_db(self.ended_at) if self.ended_at else None,
                "end_reason": self.end_reason,
                "purged_at": to_db(self.purged_at),
                "journal_recorded": self.journal_recorded,
            },
            sort_keys=True,
        )

    @classmethod
    def from_line(cls, line: str) -> Entry:
        data = json.loads(line)
        return cls(
            patient_id=int(data["patient_id"]),
            unit_id=int(data["unit_id"]),
            created_at=from_db(data["created_at"]),
            ended_at=from_db(data["ended_at"]) if data.get("ended_at") else None,
            end_reason=data.get("end_reason"),
            purged_at=from_db(data["purged_at"]),
            journal_recorded=bool(data.get("journal_recorded")),
        )


def record(conn: sqlite3.Connection, entry: Entry, ledger_file: Path | None) -> None:
    conn.execute(
        "INSERT INTO purge_ledger (patient_id, unit_id, ended_at, end_reason, purged_at,"
        " journal_recorded) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (patient_id) DO NOTHING",
        (
            entry.patient_id,
            entry.unit_id,
            to_db(entry.ended_at) if entry.ended_at else None,
            entry.end_reason,
            to_db(entry.purged_at),
            int(entry.journal_recorded),
        ),
    )
    if ledger_file is not None:
        append(ledger_file, entry)


def append(ledger_file: Path, entry: Entry) -> None:
    """One line, synced to disk before the purge commits."""
    fd = os.open(ledger_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        os.write(fd, (entry.to_line() + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read(ledger_file: Path) -> list[Entry]:
    """Every entry of the file (none when there is no file); a torn last line (a crash in
    the middle of a write) is skipped."""
    if not ledger_file.exists():
        return []
    entries = []
    for line in ledger_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            entries.append(Entry.from_line(line))
        except (ValueError, KeyError):
            continue
    return entries


def of_database(conn: sqlite3.Connection) -> list[tuple[int, datetime]]:
    """(patient id, purged at) of every purge the database itself records."""
    rows = conn.execute("SELECT patient_id, purged_at FROM purge_ledger ORDER BY id")
    return [(row[0], from_db(row[1])) for row in rows.fetchall()]
