"""The few pieces of SQL that differ between SQLite and PostgreSQL, side by side.

A repository writes one statement for both wherever it can (`ON CONFLICT`, `RETURNING`,
window functions and partial indexes are common to both). Where the two differ, the
statement takes its fragment from here, by the connection's dialect, so each difference is
written once and both texts can be read together.
"""

from __future__ import annotations

from typing import Any

SQLITE = "sqlite"
POSTGRES = "postgres"


def of(conn: Any) -> str:
    """The connection's dialect (a bare sqlite3 connection, made by a tool, is SQLite)."""
    return getattr(conn, "dialect", SQLITE)


def is_postgres(conn: Any) -> bool:
    return of(conn) == POSTGRES


def pick(conn: Any, *, sqlite: str, postgres: str) -> str:
    return postgres if is_postgres(conn) else sqlite


def pick_value(conn: Any, *, sqlite: Any, postgres: Any) -> Any:
    """A parameter whose value differs (SQLite's `LIMIT -1` is PostgreSQL's `LIMIT NULL`)."""
    return postgres if is_postgres(conn) else sqlite


# A list bound as one JSON parameter ('[1, 2, 3]'), for `x IN (<list>)`.
_IDS_IN_JSON = {
    SQLITE: "SELECT value FROM json_each(?)",
    POSTGRES: "SELECT jsonb_array_elements_text(?::jsonb)::bigint",
}
_TEXTS_IN_JSON = {
    SQLITE: "SELECT value FROM json_each(?)",
    POSTGRES: "SELECT jsonb_array_elements_text(?::jsonb)",
}


def ids_in_json(conn: Any) -> str:
    """A subquery over a JSON list of integers bound as one parameter."""
    return _IDS_IN_JSON[of(conn)]


def texts_in_json(conn: Any) -> str:
    """A subquery over a JSON list of strings bound as one parameter."""
    return _TEXTS_IN_JSON[of(conn)]


def json_field(conn: Any, column: str, field: str) -> str:
    """A top-level field of a JSON text column, as text ('3' for 3), comparable to a str
    parameter on both."""
    if is_postgres(conn):
        return f"({column}::jsonb ->> '{field}')"
    return f"CAST(json_extract({column}, '$.{field}') AS TEXT)"


def time_param(conn: Any) -> str:
    """A `?` for a UTC time text where PostgreSQL cannot tell its type from the column (a row
    of `VALUES`, the select list of an INSERT ... SELECT): typed timestamptz there. SQLite
    stores the text as it is."""
    return "CAST(? AS timestamptz)" if is_postgres(conn) else "?"


def least(conn: Any) -> str:
    """The name of the two-argument minimum (SQLite's scalar MIN, PostgreSQL's LEAST)."""
    return "LEAST" if is_postgres(conn) else "MIN"


def greatest(conn: Any) -> str:
    return "GREATEST" if is_postgres(conn) else "MAX"


def skip_locked(conn: Any) -> str:
    """Appended to a SELECT of rows to claim: on PostgreSQL the rows are locked, and rows
    another worker holds are passed over instead of waited for. SQLite has one writer at a
    time (BEGIN IMMEDIATE): nothing to add."""
    return " FOR UPDATE SKIP LOCKED" if is_postgres(conn) else ""


def try_lock(conn: Any, namespace: int, key: int) -> bool:
    """Take a lock on (namespace, key) until the transaction ends, unless another worker holds
    it (False). PostgreSQL: an advisory lock (key folded into 32 bits, so two keys may share
    a lock: then one waits its turn, nothing worse). SQLite: BEGIN IMMEDIATE already holds the
    database's one write lock."""
    if not is_postgres(conn):
        return True
    row = conn.execute(
        "SELECT pg_try_advisory_xact_lock(?::integer, ?::integer)", (namespace, _folded(key))
    ).fetchone()
    return bool(row[0])


def lock(conn: Any, namespace: int, key: int) -> None:
    """Wait for the lock on (namespace, key), held until the transaction ends (PostgreSQL;
    SQLite's BEGIN IMMEDIATE already holds its one write lock)."""
    if is_postgres(conn):
        conn.execute(
            "SELECT pg_advisory_xact_lock(?::integer, ?::integer)", (namespace, _folded(key))
        )


def _folded(key: int) -> int:
    return key % 2_147_483_647  # an advisory lock's second key is a 32-bit integer
