"""`python -m bot staff add|list|deactivate|reactivate|set-role`: manage staff on the command
line. Changes go through bot/care/staff_accounts.py, so they are audited like those made with /staff
(staff_id NULL: the command line)."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys

from bot.care import staff_accounts as staff_admin
from bot.clock import SystemClock
from bot.router import COMMAND_LISTS
from bot.settings import load_settings
from bot.telegram.identity import bot_username
from storage import staff, units
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.staff import Staff


def _connect() -> sqlite3.Connection:
    conn = connect_sync(load_settings().database_target)
    migrate_sync(conn)
    return conn


def main(args: argparse.Namespace) -> int:
    commands = {
        "add": _add,
        "list": _list,
        "deactivate": _deactivate,
        "reactivate": _reactivate,
        "set-role": _set_role,
    }
    return commands[args.staff_command](args)


def _add(args: argparse.Namespace) -> int:
    settings = load_settings()
    conn = _connect()
    now = SystemClock().now()

    def add(c: sqlite3.Connection) -> str:
        # The bootstrap command is where units are born: a new one gets DEFAULT_TIMEZONE.
        units.get_or_create(c, args.unit, now, timezone=settings.default_timezone)
        return staff_admin.add(
            c, unit_name=args.unit, name=args.name, role=args.role, by=None, now=now
        )

    code = run_in_transaction(conn, add)
    username = asyncio.run(
        bot_username(settings.telegram_bot_token, settings.telegram_api_base_url)
    )
    print(f"Staff member {args.name!r} ({args.role}) added to unit {args.unit!r}.")
    print("Send them this one-time link (valid 14 days); opening it binds their Telegram account:")
    print(f"https://t.me/{username}?start={code}")
    return 0


def _list(args: argparse.Namespace) -> int:
    conn = _connect()
    unit_id = None
    if args.unit:
        unit = units.by_name(conn, args.unit)
        if unit is None:
            return _fail(f"no unit {args.unit!r}")
        unit_id = unit.id
    names = {}
    print("id\tunit\tname\troles\tactive\tbound")
    for member in staff.of_unit(conn, unit_id):
        if member.unit_id not in names:
            names[member.unit_id] = units.get(conn, member.unit_id).name
        print(
            f"{member.id}\t{names[member.unit_id]}\t{member.name}\t{','.join(sorted(member.roles))}"
            f"\t{'yes' if member.active else 'no'}\t{'yes' if member.telegram_user_id else 'no'}"
        )
    return 0


def _member(conn: sqlite3.Connection, unit_name: str, who: str) -> Staff | str:
    """The one staff member `who` (id or name) names in the unit, or why not."""
    unit = units.by_name(conn, unit_name)
    if unit is None:
        return f"no unit {unit_name!r}"
    found = staff.find(conn, unit.id, who)
    if not found:
        return f"no staff member {who!r} in unit {unit_name!r}"
    if len(found) > 1:
        ids = ", ".join(str(member.id) for member in found)
        return f"several staff members are called {who!r} (ids {ids}); give the id"
    return found[0]


def _change(args: argparse.Namespace, change) -> int:
    """Find the member and apply `change` (which returns what to print) in one transaction."""
    conn = _connect()
    now = SystemClock().now()

    def apply(c: sqlite3.Connection) -> tuple[bool, str]:
        member = _member(c, args.unit, args.who)
        if isinstance(member, str):
            return False, member
        return True, change(c, member, now)

    done, message = run_in_transaction(conn, apply)
    if not done:
        return _fail(message)
    print(message)
    return 0


def _deactivate(args: argparse.Namespace) -> int:
    def change(conn, member, now):
        if not member.active:
            return f"{member.name!r} (id {member.id}) is already deactivated."
        left = staff_admin.deactivate(conn, member, by=None, now=now)
        note = f" They still have {left} patient(s): move them with /move." if left else ""
        return f"Deactivated {member.name!r} (id {member.id}).{note}"

    return _change(args, change)


def _reactivate(args: argparse.Namespace) -> int:
    def change(conn, member, now):
        if member.active:
            return f"{member.name!r} (id {member.id}) is already active."
        staff_admin.reactivate(
            conn, member, by=None, now=now, staff_menu=COMMAND_LISTS.menu["staff"]
        )
        return f"Reactivated {member.name!r} (id {member.id})."

    return _change(args, change)


def _set_role(args: argparse.Namespace) -> int:
    def change(conn, member, now):
        staff_admin.set_role(conn, member, args.role, by=None, now=now)
        return f"{member.name!r} (id {member.id}) now has exactly the role {args.role}."

    return _change(args, change)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1
