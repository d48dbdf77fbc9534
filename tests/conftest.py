"""The second test pass runs on PostgreSQL: `.ci/run` sets DATABASE_URL to a server, and every
test that asks `tests.harness.databases.database_for` gets a fresh database there.

DATABASE_URL itself is taken out of the environment at once: a Settings() made by a test, or a
bot process it starts, must open the database the test names, never the server's default one.
"""

from __future__ import annotations

import os

import pytest

from tests.harness import databases

_server = os.environ.pop("DATABASE_URL", None)
if _server and _server.startswith(("postgresql://", "postgres://")):
    os.environ[databases.SERVER_ENV] = _server


def pytest_report_header(config):
    if databases.on_postgres():
        return "database: PostgreSQL (a fresh database per test)"
    return "database: SQLite"


@pytest.fixture(autouse=True)
def _drop_test_databases():
    yield
    databases.drop_created()


def pytest_sessionfinish(session, exitstatus):
    databases.drop_template()
