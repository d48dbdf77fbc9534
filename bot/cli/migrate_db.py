"""`python -m bot migrate-db SOURCE TARGET`: move a clinic from its SQLite file to an empty
PostgreSQL database (docs/operations.md, "Moving to PostgreSQL").

SOURCE is the SQLite file (a path or `sqlite:///path`), TARGET a `postgresql://` URL. The
bot must be stopped: the command holds the SQLite run lock (storage/run_lock.py) all along,
so it refuses while a bot runs on the file, and a bot started meanwhile waits. Both
databases are migrated to this version's schema, then storage/transfer.py copies every
table in one transaction and checks the counts. Prints one line per table (rows in SQLite,
rows in PostgreSQL) and exits 0; on a refusal, an error or a count that differs it exits 1
with nothing committed. Never prints a row's values.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import psycopg

from storage import postgres, purge_ledger, run_lock, transfer
from storage.database import connect_sync, migrate_sync, sqlite_path

EXIT_OK, EXIT_FAILED = 0, 1


def main(args: argparse.Namespace) -> int:
    if postgres.is_url(args.source):
        return _fail("the source must be the SQLite database (a path or sqlite:///path)")
    if not postgres.is_url(args.target):
        return _fail("the target must be a PostgreSQL database: postgresql://user:pw@host/db")
    path = sqlite_path(args.source)
    if not path.is_file():
        return _fail(f"no SQLite database at {path}")
    try:
        lock = run_lock.hold_exclusive(path)
    except run_lock.DatabaseInUse:
        return _fail(f"a bot is running on {path}: stop it first (migrate-db copies a still file)")
    try:
        counts = _migrate(path, args.target)
    except transfer.CountsDiffer as differ:
        _print_counts(differ.counts)
        return _fail("the row counts differ: nothing was committed")
    except (transfer.TransferRefused, transfer.TransferFailed) as error:
        return _fail(f"{error}; nothing was committed")
    except psycopg.OperationalError as error:
        return _fail(f"cannot use the PostgreSQL server ({type(error).__name__})")
    finally:
        run_lock.release(lock)
    _print_counts(counts)
    rows = sum(count.target for count in counts)
    print(f"copied {rows} rows in {len(counts)} tables; the counts agree")
    _after(path)
    return EXIT_OK


def _migrate(path: Path, url: str) -> list[transfer.TableCount]:
    source = connect_sync(path)
    try:
        migrate_sync(source)  # what the bot of this version would do on its next start
        target = connect_sync(url)
        try:
            migrate_sync(target)
            return transfer.copy_all(source, target)
        finally:
            target.close()
    finally:
        source.close()


def _print_counts(counts: list[transfer.TableCount]) -> None:
    width = max(len(count.table) for count in counts)
    print(f"{'table':<{width}}  {'sqlite':>9}  {'postgres':>9}")
    for count in counts:
        mark = "" if count.equal else "  DIFFERS"
        print(f"{count.table:<{width}}  {count.source:>9}  {count.target:>9}{mark}")


def _after(path: Path) -> None:
    ledger = purge_ledger.file_beside(path)
    print("next: set DATABASE_URL to the PostgreSQL URL and start the bot")
    if ledger.exists():
        print(
            f"the purge ledger {ledger} stays a file: set PURGE_LEDGER_PATH={ledger} (or copy"
            " it to where PURGE_LEDGER_PATH points), so a restore can still redo its purges"
        )


def _fail(message: str) -> int:
    print(f"migrate-db: {message}", file=sys.stderr)
    return EXIT_FAILED
