"""Invites: a therapist's one-time deep link for one patient, under a pseudonymous label."""

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.codes import new_code
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Invite:
    id: int
    code: str
    unit_id: int
    therapist_id: int
    program: str
    label: str
    status: str
    expires_at: datetime
    mode: str = "guided"  # or "self-help" (0011)


def _invite(row: sqlite3.Row | None) -> Invite | None:
    if row is None:
        return None
    return Invite(
        id=row["id"],
        code=row["code"],
        unit_id=row["unit_id"],
        therapist_id=row["therapist_id"],
        program=row["program"],
        label=row["label"],
        status=row["status"],
        expires_at=from_db(row["expires_at"]),
        mode=row["mode"],
    )


def label_in_use(conn: sqlite3.Connection, unit_id: int, label: str, now: datetime) -> bool:
    """A label is taken by a patient of the unit or by an open, unexpired invite."""
    patient = conn.execute(
        "SELECT 1 FROM patients WHERE unit_id = ? AND label = ?", (unit_id, label)
    ).fetchone()
    invite = conn.execute(
        "SELECT 1 FROM invites WHERE unit_id = ? AND label = ? AND status = 'open'"
        " AND expires_at > ?",
        (unit_id, label, to_db(now)),
    ).fetchone()
    return patient is not None or invite is not None


def create(
    conn: sqlite3.Connection,
    *,
    unit_id: int,
    therapist_id: int,
    program: str,
    label: str,
    now: datetime,
    valid_for: timedelta,
    mode: str = "guided",
) -> Invite:
    code = new_code()
    conn.execute(
        "INSERT INTO invites (code, unit_id, therapist_id, program, label, created_at, expires_at,"
        " mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (code, unit_id, therapist_id, program, label, to_db(now), to_db(now + valid_for), mode),
    )
    return by_code(conn, code)


def by_code(conn: sqlite3.Connection, code: str) -> Invite | None:
    return _invite(conn.execute("SELECT * FROM invites WHERE code = ?", (code,)).fetchone())


def mark(conn: sqlite3.Connection, invite_id: int, status: str, now: datetime) -> None:
    conn.execute(
        "UPDATE invites SET status = ?, used_at = ? WHERE id = ?", (status, to_db(now), invite_id)
    )


def burn_accepted(conn: sqlite3.Connection, unit_id: int, label: str) -> bool:
    """The accepted invite behind this label can never be used again, and its code leads
    nowhere: the code is replaced by a random one nobody was given (an enrollment the
    therapist did not recognise). False when there was none."""
    cursor = conn.execute(
        "UPDATE invites SET code = ?"
        " WHERE id = (SELECT id FROM invites WHERE unit_id = ? AND label = ?"
        "   AND status = 'accepted' ORDER BY id DESC LIMIT 1)",
        ("burned-" + secrets.token_hex(16), unit_id, label),
    )
    return cursor.rowcount == 1
