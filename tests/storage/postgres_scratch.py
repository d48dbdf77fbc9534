"""Scratch PostgreSQL databases for tests: each made fresh under its own name and dropped
afterwards. The server is TEST_POSTGRES_URL (default: the development server of
`.ci/postgres`); a test that needs one is skipped, saying why, when no server answers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

SERVER_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://ikbt:ikbt@127.0.0.1:55432/ikbt")
PREFIX = "ikbt_scratch_"


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server at TEST_POSTGRES_URL ({type(error).__name__})")


@contextmanager
def scratch_database(purpose: str) -> Iterator[str]:
    """A new, empty database; yields its URL and drops it (and its connections) after."""
    name = f"{PREFIX}{purpose}_{uuid.uuid4().hex[:10]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(SERVER_URL, name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
