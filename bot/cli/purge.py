"""`python -m bot purge [--dry-run]`: what the purge job would do now, or do it now.

The dry run lists each ended, not yet purged treatment (patient id, label, end, due date,
what happens: not due, purge, waiting for the journal until a date, waiting for an open
flag) and each running treatment that would now be ended for inactivity. Without
--dry-run the same pass as the bot's periodic job runs (bot/care/purge.py), then the scrub.
It may run beside a running bot (SQLite serialises the writes).

--replay-ledger first purges again every patient the purge ledger file names that the
database still holds: after an older PostgreSQL dump was restored with the server's tools
(on SQLite `python -m bot restore` does this itself).
"""

from __future__ import annotations

import argparse
import sys

from bot.care import purge
from bot.cli.backup import replay
from bot.clock import SystemClock
from bot.settings import load_settings
from storage import purge_ledger, scrub
from storage.database import connect_sync, migrate_sync, run_in_transaction


def main(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.sqlite_file is not None and not settings.sqlite_file.exists():
        print(f"no database at {settings.sqlite_file}", file=sys.stderr)
        return 1
    conn = connect_sync(settings.database_target)
    migrate_sync(conn)
    now = SystemClock().now()
    if args.dry_run:
        _print_plan(conn, now)
        return 0
    ledger = settings.purge_ledger_file
    if args.replay_ledger:
        entries = purge_ledger.read(ledger)
        redone = run_in_transaction(conn, lambda c: replay(c, entries))
        print(f"{redone} earlier purge(s) from {ledger} done again")
    purged = 0
    while True:  # batches of purge.BATCH_SIZE, each its own transaction
        done = run_in_transaction(conn, lambda c: purge.run_batch(c, now, ledger_file=ledger))
        purged += done
        if done < purge.BATCH_SIZE:
            break
    # Always: a scrub an earlier run could not finish (a running bot's readers) is done now.
    scrubbed = scrub.scrub(conn)
    print(f"purged {purged} patient(s)" + ("" if scrubbed else "; the scrub must run again"))
    return 0


def _print_plan(conn, now) -> None:
    inactive = purge.inactive_to_end(conn, now, 10_000)
    plans = purge.plan(conn, now)
    print("patient\tlabel\tended (UTC)\tdue\tpurged by\taction")
    for planned in plans:
        ended = planned.ended
        print(
            f"{ended.patient_id}\t{ended.label}\t{ended.ended_at.date()}\t"
            f"{planned.due_at.date()}\t{planned.deadline.date()}\t{planned.action}"
        )
    for patient_id in inactive:
        print(f"{patient_id}\t-\t-\t-\t-\tend_inactive")
    going = sum(1 for p in plans if p.action == purge.PURGE)
    print(f"{going} would be purged now, {len(inactive)} ended for inactivity")
