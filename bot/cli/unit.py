"""`python -m bot unit channel <unit> <chat-id>|off`: register (or unregister) a unit's
therapist channel on the command line, as `/channel` does in the group. The change goes
through bot/care/channels.py, so it is audited like one made in chat (staff_id NULL: the
command line), and the group gets the same notice, sent by the running bot.

`python -m bot unit kva <unit> [<contact-type> <codes>|off]`: the unit's KVÅ codes per
contact type, shown in the /journal summary (storage/kva_codes.py); audited.

`python -m bot unit identity-check <unit> therapist|verifier`: who confirms a new patient's
identity (bot/care/identity.py), audited."""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys

from bot.care import channels as channel_admin
from bot.clock import SystemClock
from bot.i18n import Translator
from bot.render.calls import reply_call
from bot.settings import load_settings
from dialogues import channel
from storage import audit, kva_codes, outbox, units
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.outbox import LANE_STAFF

# A group's or supergroup's chat id is negative: -123456789 or -1001234567890.
_GROUP_CHAT_ID = re.compile(r"-[0-9]{1,15}")


def main(args: argparse.Namespace) -> int:
    return {"channel": _channel, "kva": _kva, "identity-check": _identity_check}[args.unit_command](
        args
    )


def _identity_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    conn = connect_sync(settings.database_target)
    migrate_sync(conn)
    now = SystemClock().now()

    def apply(c: sqlite3.Connection) -> str | None:
        unit = units.by_name(c, args.unit)
        if unit is None:
            return None
        units.set_identity_check(c, unit.id, args.check)
        audit.record(
            c,
            staff_id=None,
            action="unit_identity_check_changed",
            now=now,
            unit_id=unit.id,
            check=args.check,
        )
        return unit.name

    name = run_in_transaction(conn, apply)
    if name is None:
        return _fail(f"no unit {args.unit!r}")
    print(f"Unit {name!r}: a new patient's identity is confirmed by the {args.check}.")
    if args.check == "verifier" and not settings.identity_verifier:
        print(
            "IDENTITY_VERIFIER is not set: until it is, the care team is asked instead"
            " (docs/identity-check.md).",
            file=sys.stderr,
        )
    return 0


def _channel(args: argparse.Namespace) -> int:
    target = args.chat.strip().lower()
    if target != "off" and not _GROUP_CHAT_ID.fullmatch(target):
        return _fail(
            f"not a group's chat id: {args.chat!r} (a group's id is negative, e.g."
            " -1001234567890; or give 'off')"
        )
    settings = load_settings()
    conn = connect_sync(settings.database_target)
    migrate_sync(conn)
    now = SystemClock().now()
    t = Translator(settings.default_language)

    def apply(c: sqlite3.Connection) -> tuple[bool, str]:
        unit = units.by_name(c, args.unit)
        if unit is None:
            return False, f"no unit {args.unit!r}"
        if target == "off":
            return _unregister(c, unit, now, t)
        return _register(c, unit, int(target), now, t)

    done, message = run_in_transaction(conn, apply)
    if not done:
        return _fail(message)
    print(message)
    return 0


def _register(conn, unit, chat_id: int, now, t: Translator) -> tuple[bool, str]:
    done = channel_admin.register(conn, unit, chat_id, by=None, now=now)
    if done == channel_admin.OTHER_UNIT:
        return False, f"chat {chat_id} is already another unit's therapist channel"
    notice = channel.registered(unit.name, t, replaced=done == channel_admin.REPLACED)
    outbox.enqueue(conn, reply_call(notice, chat_id, 0, lane=LANE_STAFF), now)
    return True, (
        f"Unit {unit.name!r}: red and amber flags now go to chat {chat_id}. The running bot"
        " posts a notice there; if it is not a member of that group, alerts go privately to"
        " the unit's therapists and patient-admins and an error is logged."
    )


def _unregister(conn, unit, now, t: Translator) -> tuple[bool, str]:
    before = unit.therapist_chat_id
    done = channel_admin.unregister(conn, unit, chat_id=None, by=None, now=now)
    if done == channel_admin.NOT_CHANNEL:
        return True, f"Unit {unit.name!r} has no therapist channel."
    notice = channel.unregistered(unit.name, t)
    outbox.enqueue(conn, reply_call(notice, before, 0, lane=LANE_STAFF), now)
    return True, (
        f"Unit {unit.name!r}: no therapist channel any more (was chat {before}). Red flags go"
        " privately to the unit's therapists and patient-admins; amber flags wait in /flags."
    )


def _kva(args: argparse.Namespace) -> int:
    """List the unit's codes, or set (or clear, with 'off') those of one contact type."""
    if args.contact_type is not None and args.contact_type not in kva_codes.CONTACT_TYPES:
        known = ", ".join(kva_codes.CONTACT_TYPES)
        return _fail(f"unknown contact type {args.contact_type!r} (known: {known})")
    codes = " ".join(args.codes).strip()
    if args.contact_type is not None and not _plain_codes(codes):
        return _fail(
            f"give the codes as the unit writes them (up to {kva_codes.MAX_CODES_CHARS}"
            " characters on one line, e.g. 'AB123, CD456'), or 'off'"
        )
    settings = load_settings()
    conn = connect_sync(settings.database_target)
    migrate_sync(conn)
    now = SystemClock().now()

    def apply(c: sqlite3.Connection) -> tuple[bool, str]:
        unit = units.by_name(c, args.unit)
        if unit is None:
            return False, f"no unit {args.unit!r}"
        if args.contact_type is not None:
            chosen = None if codes.lower() == "off" else codes
            kva_codes.set_codes(c, unit.id, args.contact_type, chosen)
            audit.record(
                c,
                staff_id=None,
                action="unit_kva_codes_changed",
                now=now,
                unit_id=unit.id,
                contact_type=args.contact_type,
                codes=chosen,
            )
        return True, _kva_listing(unit.name, kva_codes.of_unit(c, unit.id))

    done, message = run_in_transaction(conn, apply)
    if not done:
        return _fail(message)
    print(message)
    return 0


def _plain_codes(codes: str) -> bool:
    return 0 < len(codes) <= kva_codes.MAX_CODES_CHARS and codes.isprintable()


def _kva_listing(unit_name: str, codes: dict[str, str]) -> str:
    lines = [f"Unit {unit_name!r}: KVÅ codes shown in /journal"]
    for contact_type in kva_codes.CONTACT_TYPES:
        lines.append(f"  {contact_type}: {codes.get(contact_type, '(not set)')}")
    return "\n".join(lines)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1
