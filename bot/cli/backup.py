"""`python -m bot backup <file>` and `python -m bot restore <file>`.

Backup: SQLite's online backup API (`sqlite3.Connection.backup`) copies the live database
page by page in one read transaction, so the copy is consistent while the bot runs and
writes. The copy is a single file (no -wal), owner-only (0600), checked with
`PRAGMA quick_check`; an existing file is never overwritten.

Restore: refuses while a bot runs on the database (storage/run_lock.py: the bot holds a
shared lock on `<database>.lock`, the restore needs an exclusive one), copies the backup
into the database with the same API, migrates it, and then purges again every patient the
purge ledger file beside the database (storage/purge_ledger.py) names that the backup still
holds: a restore never brings purged data back. Then the scrub (storage/scrub.py).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from bot.care import purge
from bot.settings import load_settings
from storage import purge as erasing
from storage import purge_ledger, run_lock, scrub
from storage.database import FILE_MODE, connect_sync, migrate_sync, run_in_transaction
from storage.timefmt import from_db

# PostgreSQL is backed up and restored by its own tools; the purge ledger is still written
# (PURGE_LEDGER_PATH) so that purges after a backup can be done again (docs/operations.md).
_ON_POSTGRES = (
    "DATABASE_URL names PostgreSQL: use pg_dump / pg_restore (or the server's base backups)"
    " and see docs/operations.md for replaying later purges"
)


def backup_main(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.sqlite_file is None:
        return _fail(_ON_POSTGRES)
    source_path = settings.sqlite_file
    target = Path(args.file)
    if not source_path.exists():
        return _fail(f"no database at {source_path}")
    if target.exists():
        return _fail(f"{target} exists already: give a new file name")
    pages = backup(source_path, target)
    print(f"backup written to {target} ({pages} pages)")
    return 0


def backup(source_path: Path, target: Path) -> int:
    """Copy the live database into a new file `target`; returns its page count."""
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    source = sqlite3.connect(str(source_path), timeout=10, isolation_level=None)
    copy = sqlite3.connect(str(target), isolation_level=None)
    try:
        source.backup(copy)  # all pages in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise RuntimeError("the backup's quick_check failed")
        return copy.execute("PRAGMA page_count").fetchone()[0]
    finally:
        copy.close()
        source.close()
        os.chmod(target, FILE_MODE)


def restore_main(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.sqlite_file is None:
        return _fail(_ON_POSTGRES)
    source = Path(args.file)
    if not source.exists():
        return _fail(f"no backup at {source}")
    try:
        replayed = restore(source, settings.sqlite_file, without_ledger=args.without_ledger)
    except run_lock.DatabaseInUse:
        return _fail(
            f"a bot is running on {settings.sqlite_file}: stop it first (the restore would"
            " overwrite the database under it)"
        )
    except ValueError as error:
        return _fail(str(error))
    print(f"restored {source} into {settings.sqlite_file}; {replayed} later purge(s) done again")
    return 0


class LedgerIncomplete(ValueError):
    """The purge ledger file lacks purges the databases record: it is missing, or an old
    copy, and a restore with it could bring purged patients back."""


def restore(source: Path, database_path: Path, *, without_ledger: bool = False) -> int:
    """Overwrite the database with the backup, then purge again what was purged since.
    Raises run_lock.DatabaseInUse while a bot runs, and LedgerIncomplete (before anything is
    overwritten) when the ledger file lacks a purge that the database being replaced or the
    backup records, unless `without_ledger`. Returns how many purges were redone."""
    _check_backup(source)
    lock = run_lock.hold_exclusive(database_path)
    try:
        ledger_file = purge_ledger.file_beside(database_path)
        entries = purge_ledger.read(ledger_file)
        if not without_ledger:
            _check_ledger(entries, ledger_file, (database_path, source))
        backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        conn = connect_sync(database_path)
        try:
            backup_conn.backup(conn)
        finally:
            backup_conn.close()
        migrate_sync(conn)
        scrub.ensure_incremental_vacuum(conn)
        replayed = run_in_transaction(conn, lambda c: replay(c, entries))
        scrub.scrub(conn)
        conn.close()
        return replayed
    finally:
        run_lock.release(lock)


def replay(conn: sqlite3.Connection, entries: list[purge_ledger.Entry]) -> int:
    """Purge again each ledger entry's patient that the database still holds unpurged (the
    same id AND the same creation time: ids above the backup's highest are handed out again
    after a restore). Every entry also goes into the database's own ledger table."""
    redone = 0
    for entry in entries:
        row = conn.execute(
            "SELECT created_at, purged_at FROM patients WHERE id = ?", (entry.patient_id,)
        ).fetchone()
        if row is not None and row[1] is None and from_db(row[0]) == entry.created_at:
            if entry.ended_at is not None:
                erasing.end_all(conn, entry.patient_id, entry.ended_at, entry.end_reason)
            purge.purge_patient(
                conn,
                entry.patient_id,
                entry.purged_at,
                ledger_file=None,
                journal_recorded=entry.journal_recorded,
                tell=False,
            )
            redone += 1
        purge_ledger.record(conn, entry, None)
    return redone


def _check_ledger(
    entries: list[purge_ledger.Entry], ledger_file: Path, databases: tuple[Path, ...]
) -> None:
    """Every purge the databases record themselves must be in the ledger file; the file only
    grows, so one it lacks means the file is missing or an old copy, and the purges after
    the backup cannot be known."""
    in_file = {entry.patient_id for entry in entries}
    missing = set()
    for path in databases:
        missing |= _recorded_purges(path) - in_file
    if missing:
        raise LedgerIncomplete(
            f"the purge ledger {ledger_file} lacks {len(missing)} purge(s) the databases"
            " record (it is missing or an old copy): a restore with it could bring purged"
            " patients back. Put the current ledger file there, or restore with"
            " --without-ledger if it is lost for good (then purge the patients again by hand)."
        )


def _recorded_purges(path: Path) -> set[int]:
    """The patient ids of a database's own purge_ledger table (none when there is no such
    database, or it is older than the table)."""
    if not path.exists():
        return set()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT patient_id FROM purge_ledger")}
    except sqlite3.DatabaseError:  # no such table, or a damaged database being replaced
        return set()
    finally:
        conn.close()


def _check_backup(source: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        ok, version = False, 0
    if not ok or version == 0:
        raise ValueError(f"{source} is not a backup of this bot's database")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1
