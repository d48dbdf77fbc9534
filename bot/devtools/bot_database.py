"""The runner's own look into the bot's database (SQLite, or PostgreSQL when the script runs
on a server): is there work left, when does something fall due next, and the staff and group
set-up a script asks for.

The bot owns the schema; these calls go through `storage`'s sync functions and
`connect_sync(target)`, so they read either database. The connection is opened on first use
(and migrates, as the bot would: on PostgreSQL under the migration lock, so a worker starting
at the same moment waits).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import psycopg

from storage import idle, staff, units
from storage.database import Target, connect_sync, migrate_sync, run_in_transaction, sqlite_path

# What reading the database may raise while the bot works on it (locked, or the server busy).
DATABASE_ERRORS = (sqlite3.Error, psycopg.Error)


class BotDatabase:
    def __init__(self, target: Target):
        self.target = target
        self._connection: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = connect_sync(self.target)
            migrate_sync(self._connection)
        return self._connection

    def migrate(self) -> None:
        """Bring the schema up to date now (before several workers start: on SQLite two
        workers migrating at once would collide; PostgreSQL's migration lock is held)."""
        self._conn()

    def last_update_id(self) -> int:
        """The highest update id the bot has stored (0: none, or no database yet)."""
        path = sqlite_path(self.target)
        if path is not None and (not path.exists() or path.stat().st_size == 0):
            return 0
        row = self._conn().execute("SELECT MAX(update_id) FROM inbox").fetchone()
        return row[0] or 0

    def pending_work(self, now: datetime) -> int:
        return idle.pending_work(self._conn(), now)

    def next_due_at(self, after: datetime, until: datetime) -> datetime | None:
        return idle.next_due_at(self._conn(), after, until)

    def add_staff_role(
        self, *, name: str, role: str, unit_name: str, telegram_user_id: int, now: datetime
    ) -> str | None:
        return run_in_transaction(
            self._conn(),
            lambda conn: staff.add_staff_role(
                conn,
                name=name,
                role=role,
                unit_name=unit_name,
                telegram_user_id=telegram_user_id,
                now=now,
            ),
        )

    def set_therapist_channel(self, *, unit_name: str, chat_id: int, now: datetime) -> None:
        run_in_transaction(
            self._conn(),
            lambda conn: units.set_therapist_channel(
                conn, unit_name=unit_name, chat_id=chat_id, now=now
            ),
        )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
