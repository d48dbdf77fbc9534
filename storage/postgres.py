"""PostgreSQL behind the same repositories (psycopg 3).

The repositories are plain sync functions written against the `sqlite3.Connection`
interface: `conn.execute(sql, params)` with `?` or `:name` placeholders, rows read by name
or by index, `conn.in_transaction`. `PgConnection` gives a psycopg connection that same
face, so one repository body serves both databases; the few statements whose SQL differs
pick their text by `conn.dialect` (storage/dialect.py), side by side.

Times are `timestamptz` columns here. They are written as the same UTC text as on SQLite
(PostgreSQL parses it, a text parameter being sent untyped) and read back as that text
(`_UtcTextLoader`), so `storage.timefmt.from_db` reads both. Sums and averages, which
PostgreSQL gives as `numeric`, come back as int or float, as SQLite gives them.

Connections run in autocommit mode and transactions are opened with an explicit BEGIN,
exactly as the SQLite connection does (isolation_level=None), so `run_in_transaction` and
`savepoint` serve both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from psycopg.adapt import Loader
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool

T = TypeVar("T")

DIALECT = "postgres"
URL_PREFIXES = ("postgresql://", "postgres://")


def is_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(URL_PREFIXES)


class Row:
    """A row readable as `row["name"]`, `row[0]`, `dict(row)` and `tuple(row)`, like
    sqlite3.Row."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: Sequence[Any], index: dict[str, int]):
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._index == other._index and tuple(self._values) == tuple(other._values)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        # The index maps each name to its (first) column: show the values under those names,
        # in column order.
        columns = sorted(self._index.items(), key=lambda item: item[1])
        return f"Row({ {name: self._values[number] for name, number in columns}!r})"


def _row_factory(cursor: psycopg.Cursor[Any]):
    names = [column.name for column in cursor.description or ()]
    index = {name: number for number, name in reversed(list(enumerate(names)))}
    return lambda values: Row(values, index)


class _UtcTextLoader(Loader):
    """timestamptz as the UTC text storage.timefmt writes ('2026-11-30T15:00:00.000000Z').
    The session's TimeZone is UTC, so the server's text is '2026-11-30 15:00:00[.ffffff]+00'."""

    def load(self, data: Any) -> str:
        text = bytes(data).decode("ascii")
        moment, _, fraction = text[:-3].partition(".")
        return f"{moment.replace(' ', 'T')}.{fraction.ljust(6, '0')}Z"


class _NumberLoader(Loader):
    """numeric (SUM and AVG of integers) as int, or float when it has a fraction."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode("ascii")
        if "." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity"):
            return float(text)
        return int(text)


_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|\?|(?<!:):([A-Za-z_]\w*)|%")


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """sqlite3's `?` and `:name` placeholders as psycopg's `%s` and `%(name)s`; a literal `%`
    doubled. Quoted text and comments are left as they are, but for their `%`."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        return token.replace("%", "%%")

    return _PLACEHOLDER.sub(replace, sql)


def _storable_text(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


def storable(params: Sequence[Any] | dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
    """PostgreSQL's text cannot hold NUL (SQLite's can): a NUL a person typed is stored as
    U+FFFD, the replacement character, rather than failing the whole turn."""
    if isinstance(params, dict):
        return {key: _storable_text(value) for key, value in params.items()}
    return [_storable_text(value) for value in params]


class PgCursor:
    """`conn.cursor()` for a statement whose rows are wanted as plain tuples
    (`cursor.row_factory = None`), as sqlite3 allows."""

    def __init__(self, raw: psycopg.Connection[Any], trace: Callable[[str], None] | None = None):
        self._raw = raw
        self._trace = trace
        self.row_factory: Any = _row_factory

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None):
        if self._trace is not None:
            self._trace(sql)
        cursor = self._raw.cursor(row_factory=self.row_factory or tuple_row)
        if not params:
            return cursor.execute(sql.encode())
        return cursor.execute(translate(sql), storable(params))


class PgConnection:
    """A psycopg connection with the sqlite3.Connection face the repositories use."""

    dialect = DIALECT

    def __init__(self, raw: psycopg.Connection[Any]):
        self.raw = raw
        self._trace: Callable[[str], None] | None = None

    def set_trace_callback(self, trace: Callable[[str], None] | None) -> None:
        """Each statement's SQL passed to `trace` before it runs, as sqlite3's (a test counting
        statements; the statement as written, its parameters not filled in)."""
        self._trace = trace

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None):
        if self._trace is not None:
            self._trace(sql)
        if not params:
            # Nothing to bind: sent as it is (several statements may go in one, as a
            # migration's do).
            return self.raw.execute(sql.encode())
        return self.raw.execute(translate(sql), storable(params))

    def executemany(self, sql: str, rows: Any):
        if self._trace is not None:
            self._trace(sql)
        cursor = self.raw.cursor()
        cursor.executemany(translate(sql), [storable(row) for row in rows])
        return cursor

    def cursor(self) -> PgCursor:
        return PgCursor(self.raw, self._trace)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute(b"COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute(b"ROLLBACK")

    def close(self) -> None:
        self.raw.close()


def configure(raw: psycopg.Connection[Any]) -> None:
    """What every connection needs: UTC session, rows by name, our loaders."""
    raw.row_factory = _row_factory
    raw.adapters.register_loader("timestamptz", _UtcTextLoader)
    raw.adapters.register_loader("numeric", _NumberLoader)
    raw.execute(b"SET TIME ZONE 'UTC'")


class Pool:
    """The bot's connections to the server (psycopg_pool): a call borrows one for its whole
    transaction. The pool replaces a connection the server dropped, so a restarted server
    costs the calls in flight, not the process."""

    dialect = DIALECT

    def __init__(self, url: str):
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=2,
            kwargs={"autocommit": True, "connect_timeout": 10},
            configure=configure,
            open=True,
            timeout=30,
        )
        self._pool.wait(timeout=30)

    def run(self, work: Callable[[PgConnection], T]) -> T:
        with self._pool.connection() as raw:
            return work(PgConnection(raw))

    def close(self) -> None:
        self._pool.close()


# Two workers starting at once must not both migrate: the first holds this lock.
_MIGRATION_LOCK = 0x696B6274  # "ikbt"


def migrate(conn: PgConnection, migrations: list[tuple[int, str]]) -> None:
    """Apply the migrations the database has not seen yet, all in one transaction."""
    conn.execute("BEGIN")
    try:
        conn.execute(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        current = row[0] if row else 0
        applied = current
        for number, sql in migrations:
            if number > current:
                conn.execute(sql)
                applied = number
        if applied != current:
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (applied,))
        conn.execute("COMMIT")
    except BaseException:
        conn.rollback()
        raise


def connect(url: str) -> PgConnection:
    raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
    configure(raw)
    return PgConnection(raw)
