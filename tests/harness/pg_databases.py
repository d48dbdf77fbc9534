"""Throw-away PostgreSQL databases for tests that need a real server (several workers).

The server is TEST_POSTGRES_URL, else the second test pass's server (TEST_POSTGRES_SERVER,
tests/harness/databases.py, once merged), else the development server of `.ci/postgres`,
postgresql://ikbt:ikbt@127.0.0.1:55432/ikbt. A test gets a database of its own, made on
that server and dropped afterwards; when no server answers, the test is skipped and says so.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_URL = "postgresql://ikbt:ikbt@127.0.0.1:55432/ikbt"


def server_url() -> str:
    env = os.environ
    return env.get("TEST_POSTGRES_URL") or env.get("TEST_POSTGRES_SERVER") or DEFAULT_URL


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty database named `<prefix>_<random>`; dropped afterwards."""
    import psycopg

    url = server_url()
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server at TEST_POSTGRES_URL ({type(error).__name__})")
    name = f"{prefix}_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            parts = urlsplit(url)
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
