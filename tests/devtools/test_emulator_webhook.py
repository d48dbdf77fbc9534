"""The emulator's webhook, as Telegram's: set, pushed with the secret header, refused
getUpdates, kept updates on delete; driven by a bare python-telegram-bot `Bot`."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from telegram.error import BadRequest, Conflict

from bot.devtools.emulator import webhook as emulator_webhook


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what it was posted; answers `status`."""

    def __init__(self):
        self.posts: list[tuple[str | None, dict]] = []
        self.status = 200
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._post)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def _post(self, request: web.Request) -> web.Response:
        self.posts.append(
            (request.headers.get(emulator_webhook.SECRET_HEADER), await request.json())
        )
        return web.Response(status=self.status)

    async def stop(self) -> None:
        await self._runner.cleanup()


@pytest.fixture
async def receiver(monkeypatch):
    monkeypatch.setattr(emulator_webhook, "RETRY_SECONDS", (0.05,))
    receiver = Receiver()
    await receiver.start()
    yield receiver
    await receiver.stop()


async def _until(condition, seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_a_set_webhook_gets_the_updates_with_the_secret_and_get_updates_is_refused(
    emulator, receiver
):
    alice = emulator.world.user("alice")
    emulator.world.send_text(alice, emulator.world.private_chat(alice), "waiting before")
    assert await emulator.bot.set_webhook(
        receiver.url, secret_token="s3cret_-token", allowed_updates=["message"]
    )
    emulator.world.send_text(alice, emulator.world.private_chat(alice), "after")
    await _until(lambda: len(receiver.posts) == 2)
    assert [header for header, _ in receiver.posts] == ["s3cret_-token"] * 2
    assert [body["message"]["text"] for _, body in receiver.posts] == ["waiting before", "after"]
    assert [body["update_id"] for _, body in receiver.posts] == [1, 2]
    await _until(lambda: not emulator.world.updates)  # answered 200: received
    with pytest.raises(Conflict, match="webhook is active"):
        await emulator.bot.get_updates()
    info = await emulator.bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    assert info.allowed_updates == ("message",)


async def test_an_update_the_webhook_refuses_is_kept_and_posted_again(emulator, receiver):
    receiver.status = 500
    alice = emulator.world.user("alice")
    await emulator.bot.set_webhook(receiver.url)
    emulator.world.send_text(alice, emulator.world.private_chat(alice), "hej")
    await _until(lambda: len(receiver.posts) >= 2)
    info = await emulator.bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    receiver.status = 200
    await _until(lambda: not emulator.world.updates)
    assert {body["update_id"] for _, body in receiver.posts} == {1}  # the same one, again


async def test_delete_webhook_keeps_what_waits_for_get_updates_unless_dropped(emulator):
    alice = emulator.world.user("alice")
    chat = emulator.world.private_chat(alice)
    await emulator.bot.set_webhook("http://127.0.0.1:9/nobody-listens")
    emulator.world.send_text(alice, chat, "kept")
    assert await emulator.bot.delete_webhook(drop_pending_updates=False)
    [update] = await emulator.bot.get_updates(timeout=0)
    assert update.message.text == "kept"
    await emulator.bot.set_webhook("http://127.0.0.1:9/nobody-listens", drop_pending_updates=True)
    assert await emulator.bot.delete_webhook()
    emulator.world.send_text(alice, chat, "new")
    await emulator.bot.set_webhook("http://127.0.0.1:9/nobody-listens")
    await emulator.bot.delete_webhook(drop_pending_updates=True)
    assert await emulator.bot.get_updates(timeout=0) == ()


async def test_set_webhook_refuses_what_telegram_refuses(emulator):
    with pytest.raises(BadRequest, match="(?i)https url"):
        await emulator.bot.set_webhook("ftp://example.org/hook")
    with pytest.raises(BadRequest, match="(?i)unallowed characters"):
        await emulator.bot.set_webhook("https://example.org/hook", secret_token="no spaces")
    assert (await emulator.bot.get_webhook_info()).url == ""


@pytest.fixture
async def two_workers(monkeypatch):
    monkeypatch.setattr(emulator_webhook, "RETRY_SECONDS", (0.05,))
    workers = [Receiver(), Receiver()]
    for worker in workers:
        await worker.start()
    yield workers
    for worker in workers:
        await worker.stop()


def _texts(receiver: Receiver) -> list[str]:
    return [body["message"]["text"] for _, body in receiver.posts]


async def test_updates_go_to_the_workers_behind_the_url_in_turn(emulator, two_workers):
    first, second = two_workers
    emulator.server.webhook.set_workers([first.url, second.url])
    await emulator.bot.set_webhook("https://bot.example.org/hook", secret_token="s3cret_-token")
    alice = emulator.world.user("alice")
    for text in ("one", "two", "three", "four"):
        emulator.world.send_text(alice, emulator.world.private_chat(alice), text)
    await _until(lambda: not emulator.world.updates)
    assert _texts(first) == ["one", "three"]
    assert _texts(second) == ["two", "four"]
    assert [header for header, _ in first.posts + second.posts] == ["s3cret_-token"] * 4
    assert emulator.server.webhook.deliveries_by_worker == [2, 2]


async def test_a_post_a_worker_fails_goes_to_the_next_worker_at_once(emulator, two_workers):
    first, second = two_workers
    down = "http://127.0.0.1:9/hook"  # nobody listens: connection refused
    emulator.server.webhook.set_workers([down, first.url])
    first.status = 200
    await emulator.bot.set_webhook("https://bot.example.org/hook")
    alice = emulator.world.user("alice")
    for text in ("one", "two", "three"):
        emulator.world.send_text(alice, emulator.world.private_chat(alice), text)
    await _until(lambda: not emulator.world.updates)
    assert _texts(first) == ["one", "two", "three"]  # in order, none lost
    assert emulator.server.webhook.deliveries_by_worker == [0, 3]

    # Every worker failing: the update waits (and is posted again) until one takes it.
    second.status = 500
    emulator.server.webhook.set_workers([down, second.url])
    emulator.world.send_text(alice, emulator.world.private_chat(alice), "four")
    await _until(lambda: len(second.posts) >= 2)
    assert len(emulator.world.updates) == 1
    second.status = 200
    await _until(lambda: not emulator.world.updates)
    assert set(_texts(second)) == {"four"}
