"""The scripts' PostgreSQL databases: `--db postgresql://...` is emptied before a script, and
the suite's per-script database is made and dropped by name. Needs a server
(SCRIPTS_DATABASE_URL, or the second pass's TEST_POSTGRES_SERVER); skipped without."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest

from bot.devtools import scratch_postgres
from storage.database import connect_sync, migrate_sync

SERVER = os.environ.get("SCRIPTS_DATABASE_URL") or os.environ.get("TEST_POSTGRES_SERVER")

pytestmark = pytest.mark.skipif(not SERVER, reason="no PostgreSQL server (SCRIPTS_DATABASE_URL)")


def _databases() -> set[str]:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def _tables(url: str) -> set[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows}


def test_a_scratch_database_is_made_emptied_and_dropped():
    name = scratch_postgres.scratch_name(f"ikbt_script_{uuid.uuid4().hex[:8]}", "a-test")
    url = scratch_postgres.create(SERVER, name)
    try:
        assert name in _databases() and url.endswith(f"/{name}")
        conn = connect_sync(url)
        migrate_sync(conn)
        conn.close()
        assert {"inbox", "outbox", "schema_version"} <= _tables(url)
        scratch_postgres.empty(url)
        assert _tables(url) == set()
        with pytest.raises(psycopg.errors.DuplicateDatabase):
            scratch_postgres.create(SERVER, name)  # never reused
    finally:
        scratch_postgres.drop(SERVER, name)
    assert name not in _databases()


def test_only_a_plain_name_is_made_or_dropped():
    with pytest.raises(ValueError):
        scratch_postgres.drop(SERVER, 'x"; DROP DATABASE ikbt; --')
    assert scratch_postgres.scratch_name("ikbt_script_1", "Reminders-DST") == (
        "ikbt_script_1_reminders_dst"
    )
