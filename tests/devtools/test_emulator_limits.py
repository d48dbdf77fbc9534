"""The emulator's Telegram limits: off by default; when on, 429 with retry_after as Telegram."""

from __future__ import annotations

import pytest
from telegram.error import RetryAfter

from bot.devtools.emulator.errors import ApiError
from bot.devtools.emulator.limits import PRIVATE_BURST, TelegramLimits
from bot.devtools.emulator.server import EmulatorServer

GROUP = -4000000001


class FakeTime:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def test_more_than_thirty_in_one_second_overall_is_refused():
    time = FakeTime()
    limits = TelegramLimits(monotonic=time)
    for chat in range(30):
        limits.admit(1000 + chat)
        time.now += 0.03
    with pytest.raises(ApiError) as refused:
        limits.admit(2000)
    assert refused.value.code == 429
    assert refused.value.parameters == {"retry_after": 1}
    assert limits.refused == 1
    time.now = 500.0 + 1.0 + 1e-6  # the first call has left the window
    limits.admit(2000)
    assert limits.accepted == 31


def test_a_private_chat_gets_a_burst_then_one_per_second():
    time = FakeTime()
    limits = TelegramLimits(monotonic=time)
    for _ in range(PRIVATE_BURST):
        limits.admit(1001)
    with pytest.raises(ApiError, match="retry after 1"):
        limits.admit(1001)
    limits.admit(1002)  # another chat is fine
    time.now += 1.0
    limits.admit(1001)
    with pytest.raises(ApiError):
        limits.admit(1001)
    for _ in range(20):  # sustained 1/s is fine
        time.now += 1.0
        limits.admit(1001)


def test_more_than_twenty_per_minute_in_a_group_is_refused():
    time = FakeTime()
    limits = TelegramLimits(monotonic=time)
    for _ in range(20):
        limits.admit(GROUP)
        time.now += 2.0
    with pytest.raises(ApiError) as refused:
        limits.admit(GROUP)
    # the first call leaves the 60 s window 20 s from now
    assert refused.value.parameters == {"retry_after": 20}
    time.now = 500.0 + 60.0 + 1e-6
    limits.admit(GROUP)
    with pytest.raises(ApiError):
        limits.admit(GROUP)


def test_a_refused_call_does_not_count():
    time = FakeTime()
    limits = TelegramLimits(monotonic=time)
    for _ in range(PRIVATE_BURST):
        limits.admit(1001)
    for _ in range(5):
        with pytest.raises(ApiError):
            limits.admit(1001)
    time.now += 1.0
    limits.admit(1001)


async def test_the_server_enforces_limits_only_when_asked(emulator):
    alice = emulator.world.user("alice")
    assert emulator.server.limits is None  # off by default: scripts are not affected
    for n in range(PRIVATE_BURST + 3):
        await emulator.bot.send_message(alice.id, f"fast {n}")

    emulator.server.limits = TelegramLimits()
    for n in range(PRIVATE_BURST):
        await emulator.bot.send_message(alice.id, f"burst {n}")
    with pytest.raises(RetryAfter) as refused:
        await emulator.bot.send_message(alice.id, "one too many")
    retry_after = refused.value.retry_after
    assert getattr(retry_after, "total_seconds", lambda: retry_after)() == 1
    last = f"burst {PRIVATE_BURST - 1}"
    assert [e.body for e in emulator.world.entries][-1] == last  # not carried out
    # setMyCommands is not a send call
    for _ in range(5):
        await emulator.bot.set_my_commands([("start", "Start")])
    assert emulator.server.limits.refused == 1


def test_the_option_is_a_constructor_flag():
    from bot.devtools.emulator.world import World

    world = World(bot_id=1, now=lambda: None)
    assert EmulatorServer(world, "t").limits is None
    assert isinstance(EmulatorServer(world, "t", telegram_limits=True).limits, TelegramLimits)
