"""`python -m bot`: run, demo, emulator, staff, unit, audit, programs, purge, backup, restore,
migrate-db."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.settings import SettingsError, load_settings
from programs.loader import ProgramError


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require_token()
    if args.webhook:
        settings.require_webhook()
    # Text or JSON lines (LOG_FORMAT); no patient text and no token in any line, libraries'
    # included (httpx's per-request INFO lines, whose URL holds the token, are kept out too).
    from bot.ops.logs import configure

    configure(settings.log_level, settings.log_format)
    from bot.app import run_bot

    clean = asyncio.run(run_bot(settings, webhook=args.webhook))
    return 0 if clean else 1  # unhealthy: exit non-zero so systemd or Docker restarts us


def _emulator(args: argparse.Namespace) -> int:
    from bot.devtools.emulator.standalone import run

    return run(args)


def _staff(args: argparse.Namespace) -> int:
    from bot.cli.staff import main as staff_main

    return staff_main(args)


def _unit(args: argparse.Namespace) -> int:
    from bot.cli.unit import main as unit_main

    return unit_main(args)


def _audit(args: argparse.Namespace) -> int:
    from bot.care.audit_export import main as audit_main

    return audit_main(args)


def _programs(args: argparse.Namespace) -> int:
    from bot.cli.message_sizes import message_problems
    from bot.reminders.kinds.registry import program_default_names
    from programs.check import main as check_main

    return check_main(
        [args.dir] if args.dir else [],
        schedule_kinds=program_default_names(),
        measure=message_problems,
    )


def _purge(args: argparse.Namespace) -> int:
    from bot.cli.purge import main as purge_main

    return purge_main(args)


def _backup(args: argparse.Namespace) -> int:
    from bot.cli.backup import backup_main

    return backup_main(args)


def _restore(args: argparse.Namespace) -> int:
    from bot.cli.backup import restore_main

    return restore_main(args)


def _migrate_db(args: argparse.Namespace) -> int:
    from bot.cli.migrate_db import main as migrate_db_main

    return migrate_db_main(args)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot", description="iKBT companion bot")
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the bot (TELEGRAM_BOT_TOKEN must be set)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="take updates on a webhook (WEBHOOK_URL, WEBHOOK_SECRET, ...) instead of polling",
    )
    run.set_defaults(func=_run)

    # Listed for --help only: main() hands `demo` its own arguments before argparse runs.
    commands.add_parser(
        "demo", help="chat with the bot in the terminal, or run a .chat script (--script FILE)"
    )

    emulator = commands.add_parser(
        "emulator",
        help="serve the Bot API emulator on its own; its first line is TELEGRAM_API_BASE_URL",
    )
    emulator.add_argument("--port", type=int, default=8081, help="port (0: any free one)")
    emulator.add_argument("--host", default="127.0.0.1", help="address to listen on")
    emulator.add_argument(
        "--token", help="the only bot token accepted (default: any token shaped like one)"
    )
    emulator.add_argument(
        "--no-limits", action="store_true", help="no 429s for sends over Telegram's limits"
    )
    emulator.add_argument(
        "--webhook-worker",
        action="append",
        default=[],
        metavar="URL",
        help="a webhook worker's own URL (repeat for several): updates are posted to them in"
        " turn, a failed post to the next (as a load balancer behind the webhook's URL)",
    )
    emulator.set_defaults(func=_emulator)

    staff = commands.add_parser("staff", help="manage staff")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_commands.add_parser("add", help="add a staff member; prints their one-time link")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["admin", "patient-admin", "therapist"])
    add.add_argument("--unit", required=True)
    listing = staff_commands.add_parser("list", help="list staff: id, unit, name, roles, active")
    listing.add_argument("--unit")
    for name, help_text in (
        ("deactivate", "deactivate a staff member: they can do nothing until reactivated"),
        ("reactivate", "make a deactivated staff member active again"),
    ):
        change = staff_commands.add_parser(name, help=help_text)
        change.add_argument("who", help="staff id or name")
        change.add_argument("--unit", required=True)
    set_role = staff_commands.add_parser(
        "set-role", help="give a staff member exactly this role (replacing their others)"
    )
    set_role.add_argument("who", help="staff id or name")
    set_role.add_argument("role", choices=["admin", "patient-admin", "therapist"])
    set_role.add_argument("--unit", required=True)
    staff.set_defaults(func=_staff)

    unit = commands.add_parser("unit", help="a unit's settings")
    unit_commands = unit.add_subparsers(dest="unit_command", required=True)
    channel = unit_commands.add_parser(
        "channel",
        help="register a group as the unit's therapist channel (as /channel in the group does)",
    )
    channel.add_argument("unit", help="the unit's name")
    channel.add_argument("chat", help="the group's chat id (negative), or 'off'")
    kva = unit_commands.add_parser(
        "kva",
        help="the unit's KVÅ codes per contact type, shown in /journal (no type: list them)",
    )
    kva.add_argument("unit", help="the unit's name")
    kva.add_argument("contact_type", nargs="?", help="text_contact or rating_scale")
    kva.add_argument("codes", nargs="*", help="the codes as the unit writes them, or 'off'")
    check = unit_commands.add_parser(
        "identity-check",
        help="who confirms a new patient's identity: the therapist, or the configured verifier",
    )
    check.add_argument("unit", help="the unit's name")
    check.add_argument("check", choices=("therapist", "verifier"))
    unit.set_defaults(func=_unit)

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    export = audit_commands.add_parser("export", help="a unit's audit trail as CSV")
    export.add_argument("--unit", required=True)
    export.add_argument("--out", help="file to write (default: standard output)")
    audit.set_defaults(func=_audit)

    programs = commands.add_parser("programs", help="program content")
    program_commands = programs.add_subparsers(dest="programs_command", required=True)
    check = program_commands.add_parser("check", help="validate program folders")
    check.add_argument("dir", nargs="?")
    programs.set_defaults(func=_programs)

    purge = commands.add_parser(
        "purge", help="purge ended treatments that are due now (docs/operations.md)"
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="only list what would go, and what waits"
    )
    purge.add_argument(
        "--replay-ledger",
        action="store_true",
        help="first purge again every patient the purge ledger file names (after restoring an"
        " older PostgreSQL dump; `restore` does this itself for SQLite)",
    )
    purge.set_defaults(func=_purge)

    backup = commands.add_parser(
        "backup", help="copy the database into a new file while the bot runs (online backup)"
    )
    backup.add_argument("file")
    backup.set_defaults(func=_backup)

    restore = commands.add_parser(
        "restore",
        help="overwrite the database with a backup (not while a bot runs); later purges are"
        " done again",
    )
    restore.add_argument("file")
    restore.add_argument(
        "--without-ledger",
        action="store_true",
        help="restore even though the purge ledger file lacks purges the databases record"
        " (purged patients may come back)",
    )
    restore.set_defaults(func=_restore)

    migrate_db = commands.add_parser(
        "migrate-db",
        help="copy the SQLite database into an empty PostgreSQL database (the bot stopped);"
        " checks the counts",
    )
    migrate_db.add_argument("source", help="the SQLite database: a path or sqlite:///path")
    migrate_db.add_argument("target", help="the empty PostgreSQL database: postgresql://...")
    migrate_db.set_defaults(func=_migrate_db)
    return root


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo"]:
        # The demo parses its own options (--script, --db, --programs).
        from bot.devtools.demo import main as demo_main

        return demo_main(argv[1:])
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except ProgramError as error:  # programs, questionnaires or crisis rules, at start-up
        print(f"Content error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
