"""PostgreSQL databases for scripts: empty the one `--db postgresql://...` names, or make a
fresh one per script on a server (the test suite's SCRIPTS_DATABASE_URL) and drop it after.

Only the database named is touched: emptying drops and recreates its `public` schema (every
table, the schema_version row with them); a scratch database is created and dropped by the
name this module gave it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def empty(url: str) -> None:
    """Drop every table of the database `url` names (its public schema, recreated empty)."""
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on the server `server_url` names (any database of it)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def scratch_name(prefix: str, label: str) -> str:
    """A database name from a prefix and a label (e.g. a script's name): lower case, `_` for
    anything else, within PostgreSQL's 63 characters."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", f"{prefix}_{label}".lower())
    return cleaned[:63]


def create(server_url: str, name: str) -> str:
    """Create an empty database `name` on the server (an existing one is an error, never
    reused); returns its URL."""
    _check(name)
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server_url, name)


def drop(server_url: str, name: str) -> None:
    """Drop database `name` (connections left to it are ended)."""
    _check(name)
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _check(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"not a scratch database name: {name!r}")


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database `<prefix>_<random>` on the server; yields its URL and drops it
    afterwards, whatever happened."""
    name = scratch_name(prefix, secrets.token_hex(5))
    url = create(server_url, name)
    try:
        yield url
    finally:
        drop(server_url, name)
