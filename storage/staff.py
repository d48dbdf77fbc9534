"""Staff members, their roles, and binding a Telegram account with a one-time code."""

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from dialogues.numbers import parse_id
from storage import units
from storage.codes import new_code
from storage.timefmt import to_db

ROLES = ("admin", "patient-admin", "therapist")
BIND_CODE_PREFIX = "s"  # deep-link payloads starting with this bind staff, not patients
BIND_CODE_VALID_FOR = timedelta(days=14)


@dataclass(frozen=True)
class Staff:
    id: int
    unit_id: int
    name: str
    telegram_user_id: int | None
    language: str | None
    active: bool
    roles: frozenset[str]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def _roles(conn: sqlite3.Connection, staff_id: int) -> frozenset[str]:
    rows = conn.execute("SELECT role FROM staff_roles WHERE staff_id = ?", (staff_id,))
    return frozenset(row["role"] for row in rows)


def _staff(conn: sqlite3.Connection, row: sqlite3.Row | None) -> Staff | None:
    if row is None:
        return None
    return Staff(
        id=row["id"],
        unit_id=row["unit_id"],
        name=row["name"],
        telegram_user_id=row["telegram_user_id"],
        language=row["language"],
        active=bool(row["active"]),
        roles=_roles(conn, row["id"]),
    )


def by_telegram_user(conn: sqlite3.Connection, telegram_user_id: int) -> Staff | None:
    row = conn.execute(
        "SELECT * FROM staff WHERE telegram_user_id = ?", (telegram_user_id,)
    ).fetchone()
    return _staff(conn, row)


def get(conn: sqlite3.Connection, staff_id: int) -> Staff | None:
    return _staff(conn, conn.execute("SELECT * FROM staff WHERE id = ?", (staff_id,)).fetchone())


def add_staff_role(
    conn: sqlite3.Connection,
    *,
    name: str,
    role: str,
    unit_name: str,
    telegram_user_id: int | None,
    now: datetime,
) -> str | None:
    """Create a staff member and return their one-time bind code; or, when a staff member
    with that Telegram account exists already, give them the role and return None."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    existing = by_telegram_user(conn, telegram_user_id) if telegram_user_id else None
    if existing is not None:
        _grant(conn, existing.id, role)
        return None
    unit = units.get_or_create(conn, unit_name, now)
    code = BIND_CODE_PREFIX + new_code()
    cursor = conn.execute(
        "INSERT INTO staff (unit_id, name, bind_code, bind_expires_at, created_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        (unit.id, name, code, to_db(now + BIND_CODE_VALID_FOR), to_db(now)),
    )
    _grant(conn, cursor.fetchone()[0], role)
    return code


def _grant(conn: sqlite3.Connection, staff_id: int, role: str) -> None:
    conn.execute(
        "INSERT INTO staff_roles (staff_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (staff_id, role),
    )


def bind(conn: sqlite3.Connection, code: str, telegram_user_id: int, now: datetime) -> Staff | None:
    """Bind the Telegram account to the staff member whose unused, unexpired code this is."""
    row = conn.execute(
        "SELECT * FROM staff WHERE bind_code = ? AND bind_expires_at > ? AND active = 1",
        (code, to_db(now)),
    ).fetchone()
    if row is None or by_telegram_user(conn, telegram_user_id) is not None:
        return None
    conn.execute(
        "UPDATE staff SET telegram_user_id = ?, bind_code = NULL, bind_expires_at = NULL"
        " WHERE id = ?",
        (telegram_user_id, row["id"]),
    )
    return get(conn, row["id"])


def set_language(conn: sqlite3.Connection, staff_id: int, language: str) -> None:
    conn.execute("UPDATE staff SET language = ? WHERE id = ?", (language, staff_id))


def of_unit(conn: sqlite3.Connection, unit_id: int | None) -> list[Staff]:
    """A unit's staff, active or not, by name (every unit's when unit_id is None)."""
    if unit_id is None:
        rows = conn.execute("SELECT * FROM staff ORDER BY unit_id, name, id")
    else:
        rows = conn.execute("SELECT * FROM staff WHERE unit_id = ? ORDER BY name, id", (unit_id,))
    return [_staff(conn, row) for row in rows.fetchall()]


def find(conn: sqlite3.Connection, unit_id: int, who: str) -> list[Staff]:
    """The unit's staff named by id (digits) or by name (case-insensitive): none, one, or
    several when a name is shared."""
    if who.isascii() and who.isdigit():
        staff_id = parse_id(who)
        row = conn.execute(
            "SELECT * FROM staff WHERE id = ? AND unit_id = ?", (staff_id, unit_id)
        ).fetchone()
        return [] if row is None else [_staff(conn, row)]
    rows = conn.execute(
        "SELECT * FROM staff WHERE unit_id = ? AND lower(name) = lower(?) ORDER BY id",
        (unit_id, who),
    )
    return [_staff(conn, row) for row in rows.fetchall()]


def set_active(conn: sqlite3.Connection, staff_id: int, active: bool) -> None:
    conn.execute("UPDATE staff SET active = ? WHERE id = ?", (int(active), staff_id))


def set_role(conn: sqlite3.Connection, staff_id: int, role: str) -> None:
    """Give the staff member exactly this role (their other roles are taken away)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    conn.execute("DELETE FROM staff_roles WHERE staff_id = ?", (staff_id,))
    _grant(conn, staff_id, role)


def by_bind_code(conn: sqlite3.Connection, code: str) -> Staff | None:
    return _staff(conn, conn.execute("SELECT * FROM staff WHERE bind_code = ?", (code,)).fetchone())
