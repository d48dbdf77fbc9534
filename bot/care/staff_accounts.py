"""Changes to a unit's staff, the same from the command line (`python -m bot staff`) and from
`/staff` in chat: add, deactivate, reactivate, set the role. Each is written to the audit log;
`by` None means the command line (staff_id NULL, details say via "cli")."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.render.menus import chat_menu_call, clear_chat_menu_call
from storage import audit, dialogue_state, outbox, patients, staff
from storage.dialogue_state import DialogueState
from storage.staff import Staff


def record_action(
    conn: sqlite3.Connection, action: str, by: Staff | None, unit_id: int, now: datetime, **details
) -> None:
    """An audit row for a staff change, by a staff member in chat or (`by` None) the CLI."""
    if by is None:
        details["via"] = "cli"
    audit.record(
        conn,
        staff_id=by.id if by else None,
        action=action,
        now=now,
        unit_id=unit_id,
        **details,
    )


def add(
    conn: sqlite3.Connection,
    *,
    unit_name: str,
    name: str,
    role: str,
    by: Staff | None,
    now: datetime,
) -> str:
    """A new staff member of the unit (created when new); returns their one-time bind code."""
    code = staff.add_staff_role(
        conn, name=name, role=role, unit_name=unit_name, telegram_user_id=None, now=now
    )
    member = staff.by_bind_code(conn, code)
    record_action(conn, "staff_added", by, member.unit_id, now, member=member.id, role=role)
    return code


def deactivate(conn: sqlite3.Connection, member: Staff, *, by: Staff | None, now: datetime) -> int:
    """Deactivate: from the next update on they can do nothing and see nobody. Their open
    dialogue is closed (its buttons go stale) and their staff menu removed. Returns how many
    patients still have them as therapist (to be moved with /move)."""
    staff.set_active(conn, member.id, False)
    if member.telegram_user_id:
        dialogue_state.save(conn, member.telegram_user_id, DialogueState(), now)
        outbox.enqueue(conn, clear_chat_menu_call(member.telegram_user_id), now)
    record_action(conn, "staff_deactivated", by, member.unit_id, now, member=member.id)
    return patients.count_of_therapist(conn, member.id)


def reactivate(
    conn: sqlite3.Connection,
    member: Staff,
    *,
    by: Staff | None,
    now: datetime,
    staff_menu: tuple[str, ...],
) -> None:
    """Active again, with their staff menu (`staff_menu`: the router's staff commands)."""
    staff.set_active(conn, member.id, True)
    if member.telegram_user_id:
        language = member.language or "sv"
        menu = chat_menu_call(member.telegram_user_id, staff_menu, language)
        outbox.enqueue(conn, menu, now)
    record_action(conn, "staff_reactivated", by, member.unit_id, now, member=member.id)


def set_role(
    conn: sqlite3.Connection, member: Staff, role: str, *, by: Staff | None, now: datetime
) -> None:
    """Exactly this role from now on: set-role replaces, it does not add (one clear answer to
    "what may this person do"; the bootstrap `staff add` and `@staff` still add)."""
    staff.set_role(conn, member.id, role)
    record_action(
        conn,
        "staff_role_set",
        by,
        member.unit_id,
        now,
        member=member.id,
        role=role,
        before=sorted(member.roles),
    )
