"""The webhook's receiver in process: what waited is handled before the webhook is set, a
post is stored before 200, and what is not a proper post is refused without storing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import aiohttp
import pytest

from bot.clock import FixedClock
from bot.telegram import webhook
from bot.telegram.polling import ALLOWED_UPDATES
from bot.telegram.webhook import SECRET_HEADER, WebhookReceiver
from storage import inbox
from storage.database import Database
from tests.bot.conftest import START as NOW

SECRET = "in-process-secret-0123456789"
URL = "https://bot.example.org/telegram/hook"


class _Telegram:
    """Stands in for python-telegram-bot's application: records setWebhook and which updates
    reached the handlers, in one list, so their order shows."""

    def __init__(self):
        self.events: list = []
        self.webhooks: list[dict] = []
        self.bot = self
        self.bot_data = {}  # no runtime: the handler closes every update itself

    async def set_webhook(self, **kwargs):
        self.webhooks.append(kwargs)
        self.events.append("setWebhook")
        return True

    async def process_update(self, update):
        self.events.append(update.update_id)


def _message(update_id, chat, text="hej"):
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1764576000,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "A"},
            "text": text,
        },
    }


async def _until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.fixture
async def running(tmp_path, monkeypatch):
    monkeypatch.setattr(webhook, "BACKOFF_SECONDS", (0.01,))
    database = await Database.open(tmp_path / "bot.db")
    await database.transaction(lambda conn: inbox.add(conn, [_message(1, 10)], NOW))
    telegram = _Telegram()
    receiver = WebhookReceiver(
        telegram, database, FixedClock(NOW), url=URL, listen="127.0.0.1", port=0, secret=SECRET
    )
    task = asyncio.create_task(receiver.run())
    await _until(lambda: telegram.webhooks)
    async with aiohttp.ClientSession() as client:
        yield (
            telegram,
            database,
            receiver,
            client,
            f"http://127.0.0.1:{receiver.port}{receiver.path}",
        )
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    with contextlib.suppress(RuntimeError):  # one test closes it itself
        await database.close()


async def _stored(database) -> dict:
    return await database.call(
        lambda conn: dict(conn.execute("SELECT update_id, processed_at FROM inbox").fetchall())
    )


async def test_what_waited_is_handled_before_the_webhook_is_set(running):
    telegram, *_ = running
    assert telegram.events == [1, "setWebhook"]
    assert telegram.webhooks == [
        {
            "url": URL,
            "secret_token": SECRET,
            "allowed_updates": ALLOWED_UPDATES,
            "drop_pending_updates": False,
            "max_connections": 1,  # one post at a time: each chat's updates stay in order
        }
    ]


async def test_a_post_is_stored_before_it_is_answered_then_handled(running):
    telegram, database, receiver, client, url = running
    async with client.post(url, json=_message(2, 11), headers={SECRET_HEADER: SECRET}) as answer:
        assert answer.status == 200
        assert 2 in await _stored(database)
    await _until(lambda: 2 in telegram.events)
    assert receiver.path == "/telegram/hook"


async def test_posts_without_the_right_secret_or_not_an_update_store_nothing(running, caplog):
    telegram, database, _, client, url = running
    async with client.post(url, json=_message(3, 11)) as answer:
        assert answer.status == 401
    wrong = {SECRET_HEADER: "in-process-secret-012345678X"}
    async with client.post(url, json=_message(4, 11), headers=wrong) as answer:
        assert answer.status == 403
    right = {SECRET_HEADER: SECRET}
    async with client.post(url, data=b"not json", headers=right) as answer:
        assert answer.status == 400
    async with client.post(url, json=[_message(5, 11)], headers=right) as answer:
        assert answer.status == 400
    # Without a usable id it cannot be stored: set aside (an ERROR line), and Telegram moves on.
    async with client.post(url, json={"update_id": "6", "message": {}}, headers=right) as answer:
        assert answer.status == 200
    assert set(await _stored(database)) == {1}
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("without a usable update_id" in line for line in errors)


async def test_an_update_that_cannot_be_stored_is_answered_500_so_telegram_sends_it_again(
    running,
):
    telegram, database, _, client, url = running
    await database.close()  # the database is gone: nothing can be stored
    async with client.post(url, json=_message(7, 11), headers={SECRET_HEADER: SECRET}) as answer:
        assert answer.status == 500
    assert 7 not in telegram.events


async def test_an_update_that_cannot_be_parsed_is_stored_then_set_aside_alone(running):
    telegram, database, _, client, url = running
    broken = {"update_id": 8, "callback_query": {"id": "q1", "data": "1|next"}}
    right = {SECRET_HEADER: SECRET}
    for update in (broken, _message(9, 12)):
        async with client.post(url, json=update, headers=right) as answer:
            assert answer.status == 200
    await _until(lambda: 9 in telegram.events)
    assert 8 not in telegram.events
    assert await database.call(inbox.set_aside_count) == 1


async def test_json_nested_too_deep_is_refused_400_like_any_body_that_is_not_an_update(running):
    """Python's JSON reader gives up on deep nesting with RecursionError, not ValueError: it
    must be a plain 400, not a 500 with a traceback (Telegram would post it forever)."""
    _, database, _, client, url = running
    right = {SECRET_HEADER: SECRET}
    async with client.post(url, data=b"[" * 200_000, headers=right) as answer:
        assert answer.status == 400
    assert set(await _stored(database)) == {1}


async def test_an_update_id_sqlite_cannot_hold_is_set_aside_not_answered_500_forever(
    running, caplog
):
    """An update_id beyond SQLite's 64-bit integers cannot be stored: like a missing id it is
    set aside with an ERROR line and answered 200, and the next update is stored and handled
    (a 500 would make Telegram post it again and again, and the chat behind it would wait)."""
    telegram, database, _, client, url = running
    right = {SECRET_HEADER: SECRET}
    for update in (_message(2**63, 11), _message(-(2**63) - 1, 11), _message(12, 11)):
        async with client.post(url, json=update, headers=right) as answer:
            assert answer.status == 200
    await _until(lambda: 12 in telegram.events)
    assert set(await _stored(database)) == {1, 12}
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert sum("without a usable update_id" in line for line in errors) == 2


async def test_a_repeated_post_of_an_update_is_stored_and_handled_once(running):
    """Telegram posts an update again when it missed our 200: the repeat changes nothing."""
    telegram, database, _, client, url = running
    right = {SECRET_HEADER: SECRET}
    for _ in range(3):
        async with client.post(url, json=_message(13, 11), headers=right) as answer:
            assert answer.status == 200
        await _until(lambda: 13 in telegram.events)
    async with client.post(url, json=_message(14, 11), headers=right) as answer:
        assert answer.status == 200
    await _until(lambda: 14 in telegram.events)
    assert telegram.events.count(13) == 1


async def test_a_stop_cuts_a_back_off_short(tmp_path, monkeypatch):
    """Telegram unreachable at start (setWebhook failing, a 30 s back-off): a stop (SIGTERM)
    ends the loop at once, not after the back-off (the process has 8 s to exit)."""
    monkeypatch.setattr(webhook, "BACKOFF_SECONDS", (30,))

    class Unreachable(_Telegram):
        async def set_webhook(self, **kwargs):
            self.webhooks.append(kwargs)
            raise ConnectionError("no route")

    database = await Database.open(tmp_path / "bot.db")
    telegram = Unreachable()
    receiver = WebhookReceiver(
        telegram, database, FixedClock(NOW), url=URL, listen="127.0.0.1", port=0, secret=SECRET
    )
    task = asyncio.create_task(receiver.run())
    try:
        await _until(lambda: telegram.webhooks)
        await asyncio.sleep(0.05)  # in the back-off now
        started = time.monotonic()
        receiver.stop()
        await asyncio.wait_for(task, 5)
        assert time.monotonic() - started < 1.0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await database.close()
