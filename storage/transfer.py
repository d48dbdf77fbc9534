"""Copying a clinic's SQLite database into an empty PostgreSQL database, whole
(`python -m bot migrate-db`, bot/cli/migrate_db.py).

Both databases are migrated to the same version first, so they have the same tables and
columns (tests/storage/test_schema_parity.py keeps the two schemas alike). Then, in ONE
PostgreSQL transaction: every table of ours is locked and must be empty; the tables are
copied parents first (foreign-key order; a table's own rows in rowid order, so a message
that answers another comes after it) with COPY; each identity sequence is set past the
copied ids; and every table's rows are counted on both sides. Any difference or error
rolls it all back. The SQLite side is read in one read transaction: one snapshot.

Times need no conversion: our UTC text ('2026-11-30T15:00:00.000000Z') is what a
timestamptz column accepts. Errors are described by type, SQLSTATE, table, column and
constraint only: PostgreSQL's own message can quote a row, and rows hold patients' words.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import psycopg

from storage.postgres import PgConnection

# Our bookkeeping on PostgreSQL (the migration version), not copied: SQLite keeps its
# version in PRAGMA user_version.
_NOT_COPIED = {"schema_version"}

# A bot still working on the target would hold its locks; wait this long, then give up.
_LOCK_TIMEOUT = "5s"


class TransferRefused(Exception):
    """The copy cannot start; the message says why. Nothing was written."""


class TransferFailed(Exception):
    """An error while copying; everything was rolled back. The message names no data."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def equal(self) -> bool:
        return self.source == self.target


class CountsDiffer(Exception):
    """The copy's row counts differ from the source's; everything was rolled back."""

    def __init__(self, counts: list[TableCount]):
        super().__init__("row counts differ")
        self.counts = counts


def copy_all(source: sqlite3.Connection, target: PgConnection) -> list[TableCount]:
    """Copy every table of `source` into the empty, migrated `target`; the counts per table,
    in the order copied. Raises TransferRefused, TransferFailed or CountsDiffer, each with
    nothing committed."""
    tables = tables_in_order(target)
    _check_same_tables(source, tables)
    source.execute("BEGIN")  # one snapshot of the source
    try:
        target.execute("BEGIN")
        _lock_empty(target, tables)
        counts = [_copy_table(source, target, table) for table in tables]
        for table in tables:
            _set_identity(target, table)
        if not all(count.equal for count in counts):
            raise CountsDiffer(counts)
        target.execute("COMMIT")
        return counts
    except BaseException:
        target.rollback()
        raise
    finally:
        source.execute("ROLLBACK")  # it only read


# ---- what there is to copy ---------------------------------------------------------------


def tables_in_order(conn: PgConnection) -> list[str]:
    """Our tables on PostgreSQL, each after the tables its foreign keys name."""
    names = {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    } - _NOT_COPIED
    parents: dict[str, set[str]] = {name: set() for name in names}
    for child, parent in conn.execute(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'"
        " WHERE c.contype = 'f'"
    ):
        if child in parents and child != parent:  # a self-reference is kept by rowid order
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(name for name, needs in parents.items() if needs <= set(ordered))
        if not ready:
            raise TransferRefused(f"the foreign keys form a cycle among {sorted(parents)}")
        ordered += ready
        for name in ready:
            del parents[name]
    return ordered


def _check_same_tables(source: sqlite3.Connection, tables: list[str]) -> None:
    found = {
        row[0]
        for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if found != set(tables):
        raise TransferRefused(
            "the two schemas differ (is this bot's version the one both were migrated by?):"
            f" only in SQLite {sorted(found - set(tables))},"
            f" only in PostgreSQL {sorted(set(tables) - found)}"
        )


def _columns(target: PgConnection, table: str) -> list[str]:
    rows = target.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [row[0] for row in rows]


def _check_same_columns(source: sqlite3.Connection, table: str, columns: list[str]) -> None:
    found = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
    if found != set(columns):
        raise TransferRefused(
            f"table {table} has other columns on each side: only in SQLite"
            f" {sorted(found - set(columns))}, only in PostgreSQL {sorted(set(columns) - found)}"
        )


# ---- the copy ----------------------------------------------------------------------------


def _lock_empty(target: PgConnection, tables: list[str]) -> None:
    """Lock every table against writers (a bot still running on the target waits, or we
    give up) and refuse unless all are empty."""
    target.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
    try:
        target.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
    except psycopg.errors.LockNotAvailable:
        raise TransferRefused(
            "the PostgreSQL database is in use (a table stayed locked): stop every bot on it"
        ) from None
    holding = [
        table
        for table in tables
        if target.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
    ]
    if holding:
        raise TransferRefused(
            f"the PostgreSQL database is not empty: {len(holding)} table(s) hold rows"
            f" ({', '.join(holding)}). migrate-db only copies into an empty database"
        )


def _copy_table(source: sqlite3.Connection, target: PgConnection, table: str) -> TableCount:
    columns = _columns(target, table)
    _check_same_columns(source, table, columns)
    names = ", ".join(columns)
    rows = source.execute(f"SELECT {names} FROM {table} ORDER BY rowid")
    try:
        with target.raw.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row))
    except psycopg.Error as error:
        raise TransferFailed(describe(error, table)) from None
    return TableCount(
        table,
        source.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0],
        target.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0],
    )


def _set_identity(target: PgConnection, table: str) -> None:
    """The next id PostgreSQL hands out comes after the highest one copied (as SQLite's
    would: it takes the highest rowid + 1)."""
    identities = target.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = ? AND is_identity = 'YES'",
        (table,),
    ).fetchall()
    for (column,) in identities:
        target.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
            f" COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {table}"
        )


def describe(error: psycopg.Error, table: str) -> str:
    """An error by its type and where it happened, never by its message (which can quote
    a row's values)."""
    parts = [f"{type(error).__name__} copying table {table}"]
    if error.sqlstate:
        parts.append(f"SQLSTATE {error.sqlstate}")
    diag = error.diag
    if diag.column_name:
        parts.append(f"column {diag.column_name}")
    if diag.constraint_name:
        parts.append(f"constraint {diag.constraint_name}")
    return ", ".join(parts)
