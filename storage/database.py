"""The database: connecting, migrations, and running a transaction on the db thread.

A dialogue step makes one round trip to the database thread: the caller passes a plain
function that receives a connection and does all its reads and writes there, in one
transaction (see `Database.transaction`). Repositories are therefore plain sync functions
over a connection with the `sqlite3.Connection` interface.

The target is a SQLite file (a path, or `sqlite:///path`), the embedded default, or a
PostgreSQL server (`postgresql://...`, storage/postgres.py). Every connection says which
with `conn.dialect`; the few statements that differ pick their SQL by it
(storage/dialect.py).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

from storage import postgres

T = TypeVar("T")

_MIGRATIONS_PACKAGE = "storage.migrations"

SQLITE = "sqlite"
SQLITE_URL_PREFIX = "sqlite:///"

Target = str | Path  # a SQLite path, `sqlite:///path` or `postgresql://...`


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection, saying which dialect it speaks."""

    dialect = SQLITE


def sqlite_path(target: Target) -> Path | None:
    """The SQLite file a target names, or None for a PostgreSQL target."""
    if postgres.is_url(target):
        return None
    text = str(target)
    return Path(text[len(SQLITE_URL_PREFIX) - 1 :] if text.startswith(SQLITE_URL_PREFIX) else text)


def _migration_files(folder: str = "") -> list[tuple[int, str]]:
    files = resources.files(_MIGRATIONS_PACKAGE)
    if folder:
        files = files.joinpath(folder)
    found = []
    for entry in files.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _migrations() -> list[tuple[int, str]]:
    """The numbered SQLite migration files, in order: (number, sql)."""
    found = _migration_files()
    numbers = [number for number, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


def postgres_migrations() -> list[tuple[int, str]]:
    """The PostgreSQL migrations: a baseline that stands for SQLite's 1..N at once, then one
    file for each later SQLite migration, with the same number."""
    found = _migration_files("postgres")
    numbers = [number for number, _ in found]
    later = [number for number, _ in _migrations() if number >= numbers[0]]
    if numbers != later:
        raise RuntimeError(f"PostgreSQL migrations {numbers} do not match SQLite's {later}")
    return found


def configure_sync(conn: sqlite3.Connection) -> None:
    """Settings every connection needs, from the bot or from a tool.

    Purge (gallring) must leave nothing of what it removes in the file: secure_delete makes
    SQLite overwrite deleted content and freed pages with zeros, and a new database is made
    with incremental auto-vacuum (it must be chosen before the first table, and before WAL),
    so a purge can hand its free pages back (storage/scrub.py; an older database is
    converted once by `scrub.ensure_incremental_vacuum`)."""
    if not isinstance(conn, SqliteConnection):
        return  # a PostgreSQL connection is configured when it is made
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA auto_vacuum=INCREMENTAL")  # only takes effect on a new database
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")


# A migration that rebuilds a table (SQLite's 12-step ALTER) has this line: foreign keys are
# off while it runs, and checked before its commit.
FOREIGN_KEYS_OFF = "-- foreign_keys=OFF"


def migrate_sync(conn: sqlite3.Connection) -> None:
    """Apply the migrations the database has not seen yet (tracked by PRAGMA user_version on
    SQLite, by the schema_version table on PostgreSQL)."""
    if getattr(conn, "dialect", SQLITE) == postgres.DIALECT:
        postgres.migrate(conn, postgres_migrations())
        return
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, sql in _migrations():
        if number <= current:
            continue
        if FOREIGN_KEYS_OFF in sql.splitlines():
            _migrate_rebuild(conn, number, sql)
            continue
        # executescript commits first; the migration and its version bump go in one script.
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={number};\nCOMMIT;")


def _migrate_rebuild(conn: sqlite3.Connection, number: int, sql: str) -> None:
    """A table rebuild: PRAGMA foreign_keys is a no-op inside a transaction, so it is turned
    off before; the foreign keys are checked before the commit, and the setting restored."""
    enforced = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={number};")
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration {number}: {len(broken)} foreign key(s) broken")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")


# The database holds health data: readable by the bot's own user only. SQLite gives the -wal
# and -shm files the database file's mode, so owner-only there too.
FILE_MODE = 0o600
FOLDER_MODE = 0o700
_SIDE_FILES = ("-wal", "-shm", "-journal")


def prepare_file(path: str | Path) -> None:
    """Create the database's folder (owner only, for each folder we create) and the file
    itself (owner only) before SQLite opens it; an existing file and its side files are
    narrowed to the owner too."""
    path = Path(path)
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is narrowed by the umask, never widened
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE))
    for file in (path, *(Path(f"{path}{suffix}") for suffix in _SIDE_FILES)):
        if file.exists() and file.stat().st_uid == os.getuid():
            os.chmod(file, FILE_MODE)


def connect_sync(target: Target) -> sqlite3.Connection:
    """A plain connection for tools and tests (the script runner, the staff CLI)."""
    if postgres.is_url(target):
        return postgres.connect(str(target))
    path = sqlite_path(target)
    prepare_file(path)
    conn = sqlite3.connect(str(path), timeout=10, isolation_level=None, factory=SqliteConnection)
    configure_sync(conn)
    return conn


_BEGIN = {SQLITE: "BEGIN IMMEDIATE", postgres.DIALECT: "BEGIN"}


def run_in_transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` in one transaction (IMMEDIATE on SQLite: the write lock from the start):
    all of it commits, or none of it."""
    conn.execute(_BEGIN[getattr(conn, "dialect", SQLITE)])
    try:
        result = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


@contextmanager
def savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    """A nested part of the open transaction that can be undone on its own."""
    conn.execute("SAVEPOINT item")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO item")
        conn.execute("RELEASE item")
        raise
    conn.execute("RELEASE item")


class Database:
    """The bot's connection: one plain `sqlite3` connection, used only on its own worker
    thread. A whole step is one hop to that thread (`call`), so a turn's reads and writes
    cost one thread switch, not one per statement; the event loop never waits on SQLite."""

    def __init__(self, connection: sqlite3.Connection | postgres.Pool, worker: ThreadPoolExecutor):
        self._connection = connection
        self._worker = worker
        self.dialect = connection.dialect

    @classmethod
    async def open(cls, target: Target) -> Database:
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database")
        loop = asyncio.get_running_loop()
        if postgres.is_url(target):
            connection = await loop.run_in_executor(worker, postgres.Pool, str(target))
        else:
            path = sqlite_path(target)
            prepare_file(path)
            connection = await loop.run_in_executor(worker, _connect_on_worker, str(path))
        database = cls(connection, worker)
        await database.call(migrate_sync)
        return database

    async def call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the database thread (no transaction of its own)."""
        loop = asyncio.get_running_loop()
        if isinstance(self._connection, postgres.Pool):
            return await loop.run_in_executor(self._worker, self._connection.run, work)
        return await loop.run_in_executor(self._worker, work, self._connection)

    async def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the database thread inside one transaction."""
        return await self.call(lambda conn: run_in_transaction(conn, work))

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._worker, self._connection.close)
        self._worker.shutdown(wait=True)


def _connect_on_worker(path: str) -> sqlite3.Connection:
    # Made on the worker thread and used only there (sqlite3's same-thread check holds).
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, factory=SqliteConnection)
    configure_sync(conn)
    return conn
