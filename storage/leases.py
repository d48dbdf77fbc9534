"""Leases: which worker runs a once-per-deployment job (the tick, the purge) now.

Several bot workers may share one PostgreSQL database; the tick must still run in exactly one
of them. A lease row (name, holder, expires_at) is taken or renewed in one statement, and
`hold` is called first inside the transaction of the work it guards: a worker whose lease has
gone to another writes nothing in that transaction, and while a holder's transaction runs its
row lock keeps anyone from taking the lease over, so two workers never write a tick's work at
the same time.

Times are the database server's (`now()`), never the bot's clock: that one may be the script
runner's fake clock, which jumps by days, and two workers' clocks may differ.

The lease lasts `seconds` from its last renewal; a worker that dies stops renewing, and the
next worker to ask after that takes it. SQLite has one process, which holds every lease
without asking (no statement, no row).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3

from storage import dialect

log = logging.getLogger(__name__)


def worker_id() -> str:
    """This process, as a lease's holder: host, process id and a random part (a restarted
    container may get the same pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def hold(conn: sqlite3.Connection, name: str, holder: str, seconds: float) -> bool:
    """Take the lease `name` for `holder`, or renew it, for `seconds` from now (the server's
    time); True when `holder` holds it now. Call it inside the guarded work's transaction."""
    if not dialect.is_postgres(conn):
        return True  # one process: nobody to share with
    seen = conn.execute(
        "SELECT holder = ? AS ours, expires_at > now() AS live FROM leases WHERE name = ?",
        (holder, name),
    ).fetchone()
    if seen is not None and seen["live"] and not seen["ours"]:
        return False  # held elsewhere: answered without waiting on the holder's row lock
    taken = conn.execute(
        "INSERT INTO leases (name, holder, expires_at)"
        " VALUES (?, ?, now() + make_interval(secs => ?))"
        " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
        "  expires_at = excluded.expires_at"
        " WHERE leases.holder = excluded.holder OR leases.expires_at <= now()"
        " RETURNING holder",
        (name, holder, float(seconds)),
    ).fetchone()
    return taken is not None


def release(conn: sqlite3.Connection, name: str, holder: str) -> None:
    """Give the lease up (a graceful stop): the next worker to ask takes it at once instead
    of after its expiry."""
    if dialect.is_postgres(conn):
        conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))


class Lease:
    """One worker's side of one lease: `hold(conn)` inside each guarded transaction. Says in
    the log when this worker takes the lease and when it finds it gone to another."""

    def __init__(self, name: str, seconds: float, holder: str | None = None):
        self.name = name
        self.seconds = seconds
        self.holder = holder or worker_id()
        self._held: bool | None = None  # as last seen; None before the first ask

    def hold(self, conn: sqlite3.Connection) -> bool:
        held = hold(conn, self.name, self.holder, self.seconds)
        if held != self._held and dialect.is_postgres(conn):
            if held:
                log.info("lease %s taken by this worker (%s)", self.name, self.holder)
            elif self._held:
                log.warning("lease %s lost: another worker holds it now", self.name)
            else:
                log.info("lease %s is held by another worker; this one waits", self.name)
        self._held = held
        return held

    def release(self, conn: sqlite3.Connection) -> None:
        if self._held:
            release(conn, self.name, self.holder)
            self._held = False
