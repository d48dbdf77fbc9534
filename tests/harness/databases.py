"""The database a test runs on: a SQLite file in the test's folder, or, in the second test
pass (`.ci/run` sets DATABASE_URL to a PostgreSQL server), a fresh PostgreSQL database made
for the test from a migrated template and dropped when the test ends.

    conn = connect_sync(database_for(tmp_path))

Tests about SQLite itself (its files, WAL, backups, the purge's bytes on disk) keep their
SQLite paths and run the same in both passes.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.devtools import scratch_postgres
from storage import dialect
from storage.database import Target, connect_sync, migrate_sync

# tests/conftest.py moves DATABASE_URL here at start, so that no Settings() made by a test,
# and no bot process it starts, picks the server up by accident: every test names its target.
SERVER_ENV = "TEST_POSTGRES_SERVER"

_names = itertools.count(1)
_created: list[str] = []
_template: str | None = None


def server_url() -> str | None:
    return os.environ.get(SERVER_ENV) or None


def on_postgres() -> bool:
    return server_url() is not None


def table_names(conn) -> set[str]:
    """The bot's tables, on either database (PostgreSQL's schema_version table is the
    migrations' own counter, SQLite's PRAGMA user_version: not one of them)."""
    sql = dialect.pick(
        conn,
        sqlite="SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        postgres="SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        " AND table_type = 'BASE TABLE' AND table_name != 'schema_version'",
    )
    return {row[0] for row in conn.execute(sql)}


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin():
    import psycopg

    return psycopg.connect(server_url(), autocommit=True)


def _ensure_template() -> str:
    global _template
    if _template is None:
        name = f"ikbt_test_template_{os.getpid()}"
        with _admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}")
        conn = connect_sync(with_database(server_url(), name))
        migrate_sync(conn)
        conn.close()
        _template = name
    return _template


def new_postgres_database() -> str:
    """A fresh, migrated PostgreSQL database on the test server; dropped after the test."""
    template = _ensure_template()
    name = f"ikbt_test_{os.getpid()}_{next(_names)}"
    with _admin() as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    _created.append(name)
    return with_database(server_url(), name)


def database_for(folder: Path, name: str = "bot.sqlite3") -> Target:
    """The test's database: `folder / name` on SQLite, a fresh database on PostgreSQL."""
    if not on_postgres():
        return folder / name
    return new_postgres_database()


def drop_created() -> None:
    """Drop the databases made since the last call (the end of each test)."""
    if not _created:
        return
    with _admin() as admin:
        while _created:
            admin.execute(f"DROP DATABASE IF EXISTS {_created.pop()} WITH (FORCE)")


def drop_template() -> None:
    global _template
    if _template is not None:
        with _admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {_template} WITH (FORCE)")
        _template = None


DEVELOPMENT_SERVER = "postgresql://ikbt:ikbt@127.0.0.1:55432/ikbt"  # .ci/postgres's


@contextmanager
def own_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for a test that needs PostgreSQL itself (several
    workers, migrate-db, the schema's parity), in both passes: on the second pass's server,
    else TEST_POSTGRES_URL, else the development server. Yields its URL and drops it after;
    the test is skipped, saying why, when no server answers."""
    import psycopg

    url = server_url() or os.environ.get("TEST_POSTGRES_URL") or DEVELOPMENT_SERVER
    try:
        psycopg.connect(url, autocommit=True, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        pytest.skip(
            f"no PostgreSQL server at {urlsplit(url).netloc.split('@')[-1]}"
            f" ({type(error).__name__})"
        )
    with scratch_postgres.scratch_database(url, prefix) as database:
        yield database
