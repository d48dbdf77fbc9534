"""SQLite's migrations and PostgreSQL's give the same schema.

A fresh database of each is migrated and read back from its own catalogue: the same tables;
per table the same columns (name, NOT NULL, default, and a type that maps: INTEGER to
bigint or integer, TEXT to text, or to timestamptz exactly for the columns that hold a UTC
moment, REAL to double precision), the same primary key, identity columns (SQLite's
`id INTEGER PRIMARY KEY`), unique constraints, foreign keys (with their ON DELETE) and
named indexes (columns, unique, partial or not), and the CHECK constraints by the values
they allow (`status IN ('open', 'handled')`). The exact text of a CHECK or of a partial
index's condition is not compared (PostgreSQL rewrites both).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from storage.database import connect_sync, migrate_sync
from storage.postgres import PgConnection
from tests.harness.databases import own_postgres_database

# Columns holding a UTC moment (storage/timefmt.py's text on SQLite): timestamptz on
# PostgreSQL. Every other TEXT column (local dates and times 'HH:MM', weeks, codes) is text.
_MOMENT = re.compile(
    r"(_at|_since|_until|_seen|^at|^since|^occurrence|^next_occurrence|^not_before)$"
)
_MOMENT_NAMES = {"period_start", "period_end", "maintenance_from"}

_TYPES = {
    "INTEGER": {"bigint", "integer"},
    "REAL": {"double precision"},
}

# Our own bookkeeping, not part of the schema the migrations describe.
_PG_ONLY = {"schema_version"}


def is_moment(column: str) -> bool:
    return bool(_MOMENT.search(column)) or column in _MOMENT_NAMES


def expected_pg_types(column: str, sqlite_type: str) -> set[str]:
    if sqlite_type.upper() == "TEXT":
        return {"timestamp with time zone"} if is_moment(column) else {"text"}
    return _TYPES.get(sqlite_type.upper(), {f"unknown SQLite type {sqlite_type}"})


def _default(text: str | None) -> str | None:
    """A column default without PostgreSQL's cast ('open'::text -> 'open')."""
    if text is None:
        return None
    return re.sub(r"::[a-z ]+$", "", text.strip().strip("()"))


# ---- SQLite's catalogue ------------------------------------------------------------------


def sqlite_schema(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {table: _sqlite_table(conn, table) for table in tables}


def _sqlite_table(conn: sqlite3.Connection, table: str) -> dict[str, Any]:
    info = conn.execute(f"PRAGMA table_info({table})").fetchall()
    pk = tuple(row["name"] for row in sorted(info, key=lambda r: r["pk"]) if row["pk"])
    columns = {
        row["name"]: {
            "type": row["type"],
            "not_null": bool(row["notnull"]) or row["name"] in pk,  # a key is never NULL
            "default": _default(row["dflt_value"]),
        }
        for row in info
    }
    # `id INTEGER PRIMARY KEY` is SQLite's rowid: numbered by the database when not given.
    identity = {"id"} if pk == ("id",) and columns["id"]["type"].upper() == "INTEGER" else set()
    unique, indexes = set(), {}
    for index in conn.execute(f"PRAGMA index_list({table})"):
        names = tuple(row["name"] for row in conn.execute(f"PRAGMA index_info({index['name']})"))
        if index["origin"] == "u":
            unique.add(names)
        elif index["origin"] == "c":
            indexes[index["name"]] = (names, bool(index["unique"]), bool(index["partial"]))
    return {
        "columns": columns,
        "pk": pk,
        "identity": identity,
        "unique": unique,
        "foreign_keys": _sqlite_foreign_keys(conn, table),
        "indexes": indexes,
        "checks": _sqlite_checks(conn, table),
    }


def _sqlite_checks(conn: sqlite3.Connection, table: str) -> list[tuple[str, ...]]:
    """The table's CHECK constraints (comments left out), each by the values it names."""
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    sql = re.sub(r"--[^\n]*", "", sql)
    found = []
    for match in re.finditer(r"\bCHECK\s*\(", sql, re.IGNORECASE):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        found.append(_check_values(sql[match.end() : end - 1]))
    return sorted(found)


def _check_values(condition: str) -> tuple[str, ...]:
    """A CHECK by the quoted values and numbers it names: `status IN ('a', 'b')` and
    PostgreSQL's `status = ANY (ARRAY['a'::text, 'b'::text])` alike."""
    values = re.findall(r"'([^']*)'", condition)
    numbers = re.findall(r"\b\d+\b", re.sub(r"'[^']*'", "", condition))
    return tuple(sorted(values) + sorted(numbers))


def _sqlite_foreign_keys(conn: sqlite3.Connection, table: str) -> set[tuple]:
    keys: dict[int, list] = {}
    for row in conn.execute(f"PRAGMA foreign_key_list({table})"):
        keys.setdefault(row["id"], []).append(row)
    found = set()
    for rows in keys.values():
        rows.sort(key=lambda r: r["seq"])
        target = rows[0]["table"]
        to = tuple(row["to"] for row in rows)
        if None in to:  # REFERENCES t without columns: t's primary key
            info = conn.execute(f"PRAGMA table_info({target})").fetchall()
            to = tuple(r["name"] for r in sorted(info, key=lambda r: r["pk"]) if r["pk"])
        on_delete = rows[0]["on_delete"].upper()
        found.add((tuple(row["from"] for row in rows), target, to, on_delete))
    return found


# ---- PostgreSQL's catalogue --------------------------------------------------------------

_PG_COLUMNS = """
SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity
FROM information_schema.columns WHERE table_schema = 'public'
ORDER BY table_name, ordinal_position
"""

# A constraint's columns in order, as a text array.
_PG_CONSTRAINTS = """
SELECT c.contype, c.conname, t.relname AS table_name, f.relname AS target,
       pg_get_constraintdef(c.oid) AS definition,
       c.confdeltype,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num
             ORDER BY k.pos)::text[] AS columns,
       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num
             ORDER BY k.pos)::text[] AS target_columns
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
LEFT JOIN pg_class f ON f.oid = c.confrelid
WHERE c.contype IN ('p', 'u', 'f', 'c')
"""

# Indexes made by CREATE INDEX (not those behind a primary key or unique constraint).
_PG_INDEXES = """
SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique,
       x.indpred IS NOT NULL AS partial,
       ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.num
             ORDER BY k.pos)::text[] AS columns
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
"""

_ON_DELETE = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


def _pg_array(value: Any) -> tuple[str, ...]:
    return tuple(value)


def postgres_schema(conn: PgConnection) -> dict[str, dict[str, Any]]:
    schema: dict[str, dict[str, Any]] = {}

    def table(name: str) -> dict[str, Any]:
        return schema.setdefault(
            name,
            {
                "columns": {},
                "pk": (),
                "identity": set(),
                "unique": set(),
                "foreign_keys": set(),
                "indexes": {},
                "checks": [],
            },
        )

    for row in conn.execute(_PG_COLUMNS):
        entry = table(row["table_name"])
        entry["columns"][row["column_name"]] = {
            "type": row["data_type"],
            "not_null": row["is_nullable"] == "NO",
            "default": _default(row["column_default"]),
        }
        if row["is_identity"] == "YES":
            entry["identity"].add(row["column_name"])
    for row in conn.execute(_PG_CONSTRAINTS):
        entry = table(row["table_name"])
        columns = _pg_array(row["columns"])
        if row["contype"] == "p":
            entry["pk"] = columns
        elif row["contype"] == "u":
            entry["unique"].add(columns)
        elif row["contype"] == "c":
            entry["checks"].append(_check_values(row["definition"]))
            entry["checks"].sort()
        else:
            target = (row["target"], _pg_array(row["target_columns"]))
            entry["foreign_keys"].add((columns, *target, _ON_DELETE[row["confdeltype"]]))
    for row in conn.execute(_PG_INDEXES):
        entry = table(row["table_name"])
        entry["indexes"][row["index_name"]] = (
            _pg_array(row["columns"]),
            row["indisunique"],
            row["partial"],
        )
    for name in _PG_ONLY:
        schema.pop(name, None)
    return schema


# ---- the comparison ----------------------------------------------------------------------


def differences(sqlite: dict[str, dict], postgres: dict[str, dict]) -> list[str]:
    """What differs, one line each (empty: the same schema)."""
    found = [f"table {t} only on SQLite" for t in sorted(sqlite.keys() - postgres.keys())]
    found += [f"table {t} only on PostgreSQL" for t in sorted(postgres.keys() - sqlite.keys())]
    for name in sorted(sqlite.keys() & postgres.keys()):
        found += [f"{name}: {line}" for line in _table_differences(sqlite[name], postgres[name])]
    return found


def _table_differences(lite: dict[str, Any], pg: dict[str, Any]) -> list[str]:
    found = []
    lite_columns, pg_columns = lite["columns"], pg["columns"]
    found += [f"column {c} only on SQLite" for c in sorted(lite_columns.keys() - pg_columns)]
    found += [f"column {c} only on PostgreSQL" for c in sorted(pg_columns.keys() - lite_columns)]
    for column in sorted(lite_columns.keys() & pg_columns.keys()):
        a, b = lite_columns[column], pg_columns[column]
        if b["type"] not in expected_pg_types(column, a["type"]):
            found.append(f"column {column}: SQLite {a['type']}, PostgreSQL {b['type']}")
        if a["not_null"] != b["not_null"]:
            found.append(f"column {column}: NOT NULL {a['not_null']} vs {b['not_null']}")
        if a["default"] != b["default"] and column not in pg["identity"]:
            found.append(f"column {column}: default {a['default']} vs {b['default']}")
    for key in ("pk", "identity", "unique", "foreign_keys", "checks"):
        if lite[key] != pg[key]:
            found.append(f"{key}: SQLite {_sorted(lite[key])}, PostgreSQL {_sorted(pg[key])}")
    for index in sorted(lite["indexes"].keys() | pg["indexes"].keys()):
        a, b = lite["indexes"].get(index), pg["indexes"].get(index)
        if a != b:
            found.append(f"index {index}: SQLite {a}, PostgreSQL {b}")
    return found


def _sorted(value: Any) -> Any:
    return sorted(value) if isinstance(value, set) else value


# ---- the tests ---------------------------------------------------------------------------


@pytest.fixture
def sqlite_fresh(tmp_path: Path) -> dict[str, dict]:
    conn = connect_sync(tmp_path / "fresh.sqlite3")
    migrate_sync(conn)
    try:
        return sqlite_schema(conn)
    finally:
        conn.close()


@pytest.fixture
def postgres_fresh() -> dict[str, dict]:
    with own_postgres_database("parity") as url:
        conn = connect_sync(url)
        try:
            migrate_sync(conn)
            return postgres_schema(conn)
        finally:
            conn.close()


def test_sqlite_and_postgresql_migrations_give_the_same_schema(sqlite_fresh, postgres_fresh):
    assert sqlite_fresh, "no tables read from SQLite"
    found = differences(sqlite_fresh, postgres_fresh)
    assert not found, "the schemas differ:\n" + "\n".join(found)


def test_the_comparison_sees_every_kind_of_difference(sqlite_fresh, postgres_fresh):
    # The same schema read twice, then changed one way at a time: each change is reported.
    def changed(change) -> list[str]:
        copy = _deep_copy(postgres_fresh)
        change(copy)
        return differences(sqlite_fresh, copy)

    def text_time(s):
        s["outbox"]["columns"]["not_before"]["type"] = "text"

    def time_text(s):
        s["units"]["columns"]["quiet_start"]["type"] = "timestamp with time zone"

    def nullable(s):
        s["answers"]["columns"]["value"]["not_null"] = False

    def default(s):
        s["flags"]["columns"]["status"]["default"] = "'handled'"

    def extra_column(s):
        s["notes"]["columns"]["extra"] = {"type": "text", "not_null": False, "default": None}

    def missing_table(s):
        del s["notes"]

    def unique(s):
        s["patients"]["unique"].discard(("unit_id", "label"))

    def foreign_key(s):
        s["staff_roles"]["foreign_keys"] = {
            (cols, t, to, "NO ACTION") for cols, t, to, _ in s["staff_roles"]["foreign_keys"]
        }

    def index(s):
        columns, unique_, _ = s["outbox"]["indexes"]["outbox_due"]
        s["outbox"]["indexes"]["outbox_due"] = (columns, unique_, False)

    def identity(s):
        s["inbox"]["identity"].add("update_id")

    def check(s):
        s["reminders"]["checks"] = [("answered", "open")]

    for change in (
        text_time,
        time_text,
        nullable,
        default,
        extra_column,
        missing_table,
        unique,
        foreign_key,
        index,
        identity,
        check,
    ):
        assert len(changed(change)) == 1, change.__name__


def test_the_time_columns_rule():
    assert is_moment("created_at") and is_moment("at") and is_moment("channel_broken_since")
    assert is_moment("maintenance_until") and is_moment("not_before")
    assert not is_moment("quiet_start") and not is_moment("start_date") and not is_moment("week")


def _deep_copy(schema: dict[str, dict]) -> dict[str, dict]:
    import copy

    return copy.deepcopy(schema)
