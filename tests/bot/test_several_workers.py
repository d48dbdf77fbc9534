"""Two bot workers on one PostgreSQL database (issue 17): both store the same posts and hand
out the inbox between them, each update turned once and one chat's in order, never two turns
of a chat at once; a worker that dies mid-turn leaves its update to the other; the tick runs
in one worker and moves to the other within two tick intervals when the holder stops.

The workers are the real inbox handler, webhook receiver, ticker, supervisor, leases and
locks, each with its own pool and lock connection; python-telegram-bot's application is
stood in for (as in test_webhook.py) by one that records when a turn starts and ends."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time

import aiohttp
import psycopg
import pytest

from bot.clock import FixedClock
from bot.reminders.tick import Ticker, keep_lease, tick_lease
from bot.supervisor import Heartbeat, Supervisor
from bot.telegram import inbox_handler, webhook
from bot.telegram.inbox_handler import InboxHandler
from bot.telegram.webhook import SECRET_HEADER, WebhookReceiver
from storage.database import Database
from storage.worker_locks import WEBHOOK, WorkerLocks
from tests.bot.conftest import START as NOW
from tests.harness.databases import own_postgres_database

SECRET = "two-workers-secret-0123456789"
URL = "https://bot.example.org/telegram/hook"


def _message(update_id, chat):
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1764576000,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "A"},
            "text": "hej",
        },
    }


class _Turns:
    """What both workers' turns did: who turned which update, and any chat turned twice at
    once."""

    def __init__(self):
        self.turned: list[tuple[int, int, str]] = []  # (chat, update_id, worker)
        self.in_turn: set[int] = set()
        self.overlaps: list[int] = []
        self.hold: dict[int, asyncio.Event] = {}  # update_id -> a turn that waits for it

    def of_chat(self, chat):
        return [update_id for turned_chat, update_id, _ in self.turned if turned_chat == chat]


class _Telegram:
    """Stands in for python-telegram-bot's application of one worker: a turn takes a little
    while (the other worker runs meanwhile) and is recorded."""

    def __init__(self, name, turns: _Turns):
        self.name = name
        self.turns = turns
        self.bot = self
        self.bot_data = {}  # no runtime: the inbox handler closes each update itself

    async def set_webhook(self, **kwargs):
        return True

    async def process_update(self, update):
        chat = update.effective_chat.id
        if chat in self.turns.in_turn:
            self.turns.overlaps.append(update.update_id)
        self.turns.in_turn.add(chat)
        try:
            self.turns.turned.append((chat, update.update_id, self.name))
            held = self.turns.hold.get(update.update_id)
            if held is not None:
                await held.wait()
            await asyncio.sleep(random.uniform(0, 0.01))
        finally:
            self.turns.in_turn.discard(chat)


async def _until(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.fixture
async def pg_url():
    with own_postgres_database("wtlease") as url:
        database = await Database.open(url)  # migrated
        await database.close()
        yield url


@contextlib.asynccontextmanager
async def _worker(url, name, turns):
    database = await Database.open(url)
    locks = await WorkerLocks.open(url, WEBHOOK)
    telegram = _Telegram(name, turns)
    handler = InboxHandler(telegram, database, FixedClock(NOW), Heartbeat(name), locks)
    try:
        yield handler, database, locks, telegram
    finally:
        await locks.close()
        await database.close()


async def _waiting(database):
    return await database.call(
        lambda conn: conn.execute(
            "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL"
        ).fetchone()[0]
    )


async def test_two_workers_turn_each_update_once_and_each_chat_in_order(pg_url):
    turns = _Turns()
    chats = [2001, 2002, 2003, 2004]
    async with _worker(pg_url, "A", turns) as a, _worker(pg_url, "B", turns) as b:
        update_id = 0
        for _round in range(4):
            batch = []
            for _ in range(6):
                for chat in chats:
                    update_id += 1
                    batch.append(_message(update_id, chat))
            # Each worker stores the batch (a repeat stores nothing), then both drain the inbox
            # at once.
            await a[0].store(batch, None)
            await b[0].store(batch, None)
            await asyncio.gather(a[0].handle_stored(), b[0].handle_stored())
        assert await _waiting(a[1]) == 0
    assert turns.overlaps == []
    turned = [entry[1] for entry in turns.turned]
    assert sorted(turned) == list(range(1, update_id + 1))  # each once
    for chat in chats:
        assert turns.of_chat(chat) == sorted(turns.of_chat(chat))
    assert {worker for *_, worker in turns.turned} == {"A", "B"}  # the work was shared


async def test_a_worker_that_dies_mid_turn_leaves_its_update_to_the_other(pg_url):
    turns = _Turns()
    turns.hold[1] = asyncio.Event()  # worker A's turn of update 1 never ends
    async with _worker(pg_url, "A", turns) as a, _worker(pg_url, "B", turns) as b:
        await a[0].store([_message(1, 2001), _message(2, 2001), _message(3, 2002)], None)
        dying = asyncio.create_task(a[0].handle_stored())
        await _until(lambda: turns.of_chat(2001) == [1])
        # B, meanwhile: chat 2001 is A's, so B turns only the other chat's update.
        assert await b[0].handle_stored()
        assert turns.of_chat(2001) == [1] and turns.of_chat(2002) == [3]
        # A dies: the server ends its session (and any transaction), and with it the lock.
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND classid = 17002 AND granted"
            )
        turns.in_turn.clear()  # the dead worker's turn is over
        turns.hold.pop(1)  # B's turn of it does not hang
        assert await b[0].handle_stored()  # B's next pass (a post, or its periodic one)
        assert await _waiting(b[1]) == 0
        dying.cancel()  # what is left of A in this test's process
        await asyncio.gather(dying, return_exceptions=True)
    assert [(update_id, worker) for chat, update_id, worker in turns.turned if chat == 2001] == [
        (1, "A"),
        (1, "B"),
        (2, "B"),
    ]


async def test_two_webhook_workers_store_each_post_once_and_turn_it_once(pg_url, monkeypatch):
    monkeypatch.setattr(webhook, "REST_SECONDS", 0.2)  # the periodic pass, sooner
    monkeypatch.setattr(inbox_handler, "FAIR_BATCH", 5)
    turns = _Turns()
    async with (
        _worker(pg_url, "A", turns) as (_, db_a, locks_a, telegram_a),
        _worker(pg_url, "B", turns) as (_, db_b, locks_b, telegram_b),
        aiohttp.ClientSession() as client,
    ):
        receivers = [
            WebhookReceiver(
                telegram,
                database,
                FixedClock(NOW),
                url=URL,
                listen="127.0.0.1",
                port=0,
                secret=SECRET,
                locks=locks,
            )
            for telegram, database, locks in (
                (telegram_a, db_a, locks_a),
                (telegram_b, db_b, locks_b),
            )
        ]
        tasks = [asyncio.create_task(receiver.run()) for receiver in receivers]
        await _until(lambda: all(receiver.port for receiver in receivers))
        await asyncio.sleep(0.2)
        urls = [f"http://127.0.0.1:{receiver.port}{receiver.path}" for receiver in receivers]
        chats = [3001, 3002, 3003]
        count = 45
        for update_id in range(1, count + 1):
            update = _message(update_id, chats[update_id % len(chats)])
            first, second = urls[update_id % 2], urls[(update_id + 1) % 2]
            # Round robin; and each post once more to the other worker (Telegram repeats a
            # post it saw no answer to): stored once, 200 both times.
            for url in (first, second):
                async with client.post(url, json=update, headers={SECRET_HEADER: SECRET}) as answer:
                    assert answer.status == 200
        await _until(lambda: len(turns.turned) >= count)
        await asyncio.sleep(0.3)  # time for a second turn of anything, were there one
        for receiver in receivers:
            receiver.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert await _waiting(db_a) == 0
        stored = await db_a.call(
            lambda conn: conn.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
        )
        assert stored == count
    assert turns.overlaps == []
    assert sorted(update_id for _, update_id, _ in turns.turned) == list(range(1, count + 1))
    for chat in chats:
        assert turns.of_chat(chat) == sorted(turns.of_chat(chat))


async def test_the_tick_runs_in_one_worker_and_moves_within_two_intervals(pg_url):
    interval = 0.5
    ran: list[tuple[str, float]] = []

    def batch_of(name):
        def batch(conn, now):
            ran.append((name, time.monotonic()))
            return 0

        return batch

    workers = {}
    for name in ("A", "B"):
        database = await Database.open(pg_url)
        supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0)
        lease = tick_lease(interval)
        ticker = Ticker(
            database,
            FixedClock(NOW),
            interval,
            lambda: None,
            batches=[(batch_of(name), 10)],
            lease=lease.hold,
        )
        supervisor.every("lease", lease.seconds / 2, keep_lease(database, lease))
        supervisor.every("tick", interval, ticker.tick)
        workers[name] = (database, supervisor)
        await asyncio.sleep(0.13)  # the two workers' ticks do not line up
    await asyncio.sleep(4 * interval)
    holders = {name for name, _ in ran}
    assert len(holders) == 1, ran
    holder = holders.pop()
    other = "B" if holder == "A" else "A"
    database, supervisor = workers[holder]
    await supervisor.stop_all()  # the holder stops renewing (as if it died: nothing handed back)
    stopped_at = ran[-1][1]
    await asyncio.sleep(4 * interval)
    taken = [at for name, at in ran if name == other]
    assert taken, ran
    assert taken[0] - stopped_at <= 2 * interval + 0.1
    assert all(name == other for name, at in ran if at > stopped_at)
    await workers[other][1].stop_all()
    for database, _ in workers.values():
        await database.close()
