"""Several workers on one PostgreSQL database: the lease row (storage/leases.py) and the
workers' advisory locks (storage/worker_locks.py). On SQLite: held without asking."""

from __future__ import annotations

import asyncio
import threading
import time

import psycopg
import pytest

from storage import leases
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.worker_locks import POLLING, WEBHOOK, ReceivingTaken, WorkerLocks
from tests.harness.databases import own_postgres_database


@pytest.fixture
def pg_url():
    with own_postgres_database("wtlease") as url:
        conn = connect_sync(url)
        migrate_sync(conn)
        conn.close()
        yield url


def _hold(conn, holder, seconds=0.5):
    return run_in_transaction(conn, lambda c: leases.hold(c, "tick", holder, seconds))


def test_one_holder_at_a_time_and_another_takes_over_after_the_expiry(pg_url):
    a, b = connect_sync(pg_url), connect_sync(pg_url)
    assert _hold(a, "A")
    assert not _hold(b, "B")
    assert _hold(a, "A")  # renewed
    assert not _hold(b, "B")
    time.sleep(0.6)  # A stops renewing: the lease runs out by the server's time
    assert _hold(b, "B")
    assert not _hold(a, "A")
    assert [row["holder"] for row in a.execute("SELECT holder FROM leases")] == ["B"]


def test_a_takeover_waits_for_the_holders_transaction(pg_url):
    """A holder's batch renews the lease first in its transaction; a worker taking over after
    the expiry waits for that transaction, so their work never overlaps."""
    a, b = connect_sync(pg_url), connect_sync(pg_url)
    done = []

    def holders_batch(conn):
        assert leases.hold(conn, "tick", "A", 0.1)
        time.sleep(0.5)  # a long batch; the lease expires meanwhile
        done.append(("A committed", time.monotonic()))

    taker = threading.Thread(target=run_in_transaction, args=(a, holders_batch))
    taker.start()
    time.sleep(0.3)
    assert _hold(b, "B", 0.1)  # expired: B takes it, but only once A's batch is done
    done.append(("B took it", time.monotonic()))
    taker.join()
    assert [what for what, _ in sorted(done, key=lambda entry: entry[1])] == [
        "A committed",
        "B took it",
    ]


def test_a_released_lease_is_taken_at_once(pg_url):
    a, b = connect_sync(pg_url), connect_sync(pg_url)
    lease = leases.Lease("tick", 60, holder="A")
    assert run_in_transaction(a, lease.hold)
    assert not _hold(b, "B", 60)
    run_in_transaction(a, lease.release)
    assert _hold(b, "B", 60)


def test_on_sqlite_the_one_process_holds_it_without_a_row(tmp_path):
    conn = connect_sync(tmp_path / "bot.db")
    migrate_sync(conn)
    assert _hold(conn, "A") and _hold(conn, "B")
    assert conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0


async def test_a_poller_runs_alone_and_webhook_workers_together(pg_url):
    first = await WorkerLocks.open(pg_url, WEBHOOK)
    second = await WorkerLocks.open(pg_url, WEBHOOK)
    with pytest.raises(ReceivingTaken, match="long polling is one worker only"):
        await WorkerLocks.open(pg_url, POLLING)
    await first.close()
    await second.close()
    poller = await WorkerLocks.open(pg_url, POLLING)
    with pytest.raises(ReceivingTaken, match="long polling is one worker only"):
        await WorkerLocks.open(pg_url, POLLING)
    with pytest.raises(ReceivingTaken, match="a long poller runs"):
        await WorkerLocks.open(pg_url, WEBHOOK)
    await poller.close()
    await (await WorkerLocks.open(pg_url, WEBHOOK)).close()


async def test_a_chats_turn_lock_is_one_workers_and_goes_with_its_connection(pg_url):
    a = await WorkerLocks.open(pg_url, WEBHOOK)
    b = await WorkerLocks.open(pg_url, WEBHOOK)
    async with a.chat(2002) as ours:
        assert ours
        async with b.chat(2002) as theirs:
            assert not theirs
        async with b.chat(-1001234567890) as other_chat:
            assert other_chat
    async with b.chat(2002) as ours:
        assert ours  # handed back
    entered = asyncio.Event()
    leave = asyncio.Event()

    async def dies_holding_it():
        async with a.chat(2002):
            entered.set()
            await leave.wait()

    holder = asyncio.create_task(dies_holding_it())
    await entered.wait()
    # The worker's process dies: the server ends its session, and with it the lock.
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks"
            " WHERE locktype = 'advisory' AND classid = 17002 AND granted"
        )
    await asyncio.sleep(0.2)
    async with b.chat(2002) as ours:
        assert ours
    holder.cancel()
    await asyncio.gather(holder, return_exceptions=True)
    await a.close()
    await b.close()


async def test_on_sqlite_every_chat_lock_is_granted(tmp_path):
    locks = await WorkerLocks.open(tmp_path / "bot.db", POLLING)
    assert not locks.shared
    async with locks.chat(1) as first, locks.chat(1) as again:
        assert first and again
