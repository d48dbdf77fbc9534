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


def backup_main(args: argparse.Namespace) -> int:
    settings = load_settings()
    source_path = settings.database_path
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
    source = Path(args.file)
    if not source.exists():
        return _fail(f"no backup at {source}")
    try:
        replayed = restore(source, settings.database_path)
    except run_lock.DatabaseInUse:
        return _fail(
            f"a bot is running on {settings.database_path}: stop it first (the restore would"
            " overwrite the database under it)"
        )
    except ValueError as error:
        return _fail(str(error))
    print(f"restored {source} into {settings.database_path}; {replayed} later purge(s) done again")
    return 0


def restore(source: Path, database_path: Path) -> int:
    """Overwrite the database with the backup, then purge again what was purged since.
    Raises run_lock.DatabaseInUse while a bot runs. Returns how many purges were redone."""
    _check_backup(source)
    lock = run_lock.hold_exclusive(database_path)
    try:
        backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        conn = connect_sync(database_path)
        try:
            backup_conn.backup(conn)
        finally:
            backup_conn.close()
        migrate_sync(conn)
        scrub.ensure_incremental_vacuum(conn)
        entries = purge_ledger.read(purge_ledger.file_beside(database_path))
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
