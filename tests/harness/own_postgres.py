"""A fresh PostgreSQL database of a test's own, on the server in `TEST_POSTGRES_URL` (default:
the development server). The test is skipped, saying why, when no server answers there."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

DEFAULT_URL = "postgresql://ikbt:ikbt@127.0.0.1:55432/ikbt"


def server_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL)


@contextmanager
def own_database(prefix: str = "test") -> Iterator[str]:
    """Create a database named `<prefix>_<random>`, yield its URL, drop it afterwards."""
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
