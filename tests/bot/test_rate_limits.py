"""The sender's limiter: Telegram's limits with an injected monotonic time (no sleeps)."""

from __future__ import annotations

import pytest

from bot.telegram.rate_limits import Limits, RateLimiter, is_send_call

ALICE = 1001
BOB = 1002
GROUP = -4000000001

BURST = Limits().private_burst


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeTime()


# The exact figures below are for answers that come at once; the reservation's margin for
# requests in flight has tests of its own (the end of this file).
EXACT = Limits(arrival_jitter=0.0)


@pytest.fixture
def limiter(clock):
    return RateLimiter(EXACT, monotonic=clock)


def send(limiter: RateLimiter, chat: int, method: str = "sendMessage") -> None:
    limiter.answered(limiter.reserve(chat, method))


def test_only_send_calls_count():
    for method in (
        "sendMessage",
        "sendChatAction",
        "editMessageText",
        "copyMessage",
        "forwardMessage",
    ):
        assert is_send_call(method)
    for method in ("setMyCommands", "answerCallbackQuery", "getMe", "deleteMessage"):
        assert not is_send_call(method)


def test_set_my_commands_is_never_held_and_never_counted(limiter):
    for _ in range(100):
        assert limiter.wait(ALICE, 1, "setMyCommands") == 0.0
        send(limiter, ALICE, "setMyCommands")
    assert limiter.wait(ALICE, 1, "sendMessage") == 0.0


def test_a_private_chat_allows_a_burst_then_one_per_second(limiter, clock):
    for _ in range(BURST):
        assert limiter.chat_wait(ALICE, 1) == 0.0
        send(limiter, ALICE)
    assert limiter.chat_wait(ALICE, 1) == pytest.approx(1.0)
    assert limiter.chat_wait(BOB, 1) == 0.0  # another chat is not held
    clock.advance(0.4)
    assert limiter.chat_wait(ALICE, 1) == pytest.approx(0.6)
    clock.advance(0.6)
    assert limiter.chat_wait(ALICE, 1) == 0.0
    send(limiter, ALICE)
    assert limiter.chat_wait(ALICE, 1) == pytest.approx(1.0)
    clock.advance(10)  # the bucket refills to the burst, no more
    for _ in range(BURST):
        assert limiter.chat_wait(ALICE, 1) == 0.0
        send(limiter, ALICE)
    assert limiter.chat_wait(ALICE, 1) > 0


def test_a_group_keeps_its_last_three_of_twenty_for_safety(limiter, clock):
    for _ in range(17):
        assert limiter.chat_wait(GROUP, 3) == 0.0
        send(limiter, GROUP)
        clock.advance(1.0)
    # 17 used in the last minute: reminders, staff messages and replies wait...
    for lane in (1, 2, 3):
        assert limiter.chat_wait(GROUP, lane) > 0
    assert limiter.blocked_chats() == (set(), {GROUP})
    # ...and a safety alert still has room, three times
    for _ in range(3):
        assert limiter.chat_wait(GROUP, 0) == 0.0
        send(limiter, GROUP)
    assert limiter.chat_wait(GROUP, 0) > 0
    assert limiter.blocked_chats() == ({GROUP}, set())


def test_a_group_window_slides_over_one_minute(limiter, clock):
    start = clock.now
    for _ in range(20):
        send(limiter, GROUP)
        clock.advance(0.5)
    # the first of the 20 leaves the window 60 s after it was counted
    assert limiter.chat_wait(GROUP, 0) == pytest.approx(start + 60.0 - clock.now)
    # lane 3 needs the group down to 16 in the window: the 4th oldest must leave
    assert limiter.chat_wait(GROUP, 3) == pytest.approx(start + 1.5 + 60.0 - clock.now)
    clock.now = start + 60.0 + 1e-6
    assert limiter.chat_wait(GROUP, 0) == 0.0
    assert limiter.chat_wait(GROUP, 3) > 0
    clock.now = start + 61.5 + 1e-6
    assert limiter.chat_wait(GROUP, 3) == 0.0


def test_overall_sends_are_spread_over_the_second_with_a_small_catch_up(limiter, clock):
    spacing = Limits().overall_spacing
    for chat in range(3):  # a burst of 3 slots: a late start is caught up
        assert limiter.overall_wait() == 0.0
        send(limiter, chat)
    assert limiter.overall_wait() == pytest.approx(spacing)
    clock.advance(spacing)
    assert limiter.overall_wait() == 0.0
    send(limiter, 3)
    assert limiter.overall_wait() == pytest.approx(spacing)
    # one slot per 1/30 s in the long run
    clock.advance(10.0)
    sent = 0
    start = clock.now
    while clock.now < start + 10.0:
        if limiter.overall_wait() == 0.0:
            send(limiter, 100 + sent)
            sent += 1
        clock.advance(0.001)
    assert 299 <= sent <= 303


def test_thirty_sends_in_a_second_close_the_window_until_the_first_leaves(clock):
    limiter = RateLimiter(Limits(overall_burst=30, arrival_jitter=0.0), monotonic=clock)
    first = clock.now
    for chat in range(30):
        send(limiter, 10_000 + chat)
        clock.advance(0.01)
    assert limiter.overall_wait() == pytest.approx(first + 1.0 - clock.now)
    clock.now = first + 1.0
    assert limiter.overall_wait() == 0.0


def test_wait_is_the_larger_of_overall_and_chat(clock):
    limiter = RateLimiter(Limits(private_burst=3, arrival_jitter=0.0), monotonic=clock)
    for _ in range(3):
        send(limiter, ALICE)
    assert limiter.wait(ALICE, 1, "sendMessage") == pytest.approx(1.0)
    assert limiter.wait(BOB, 1, "sendMessage") == pytest.approx(Limits().overall_spacing)


def test_next_release_is_the_soonest_held_chat(limiter, clock):
    assert limiter.next_release() is None
    for _ in range(BURST):
        send(limiter, ALICE)
    clock.advance(0.25)
    assert limiter.next_release() == pytest.approx(0.75)
    clock.advance(1.0)
    assert limiter.next_release() is None
    assert limiter.blocked_chats() == (set(), set())


def test_a_sustained_drain_stays_under_every_limit(clock):
    """Drive the limiter as the sender does, 10 ms per call, over many chats and a group:
    count what a strict judge would see."""
    limiter = RateLimiter(monotonic=clock)
    chats = [GROUP, ALICE, BOB] + list(range(2000, 2040))
    sent: list[tuple[float, int]] = []
    start = clock.now
    while clock.now < start + 65:
        for chat in chats:
            lane = 0 if chat == GROUP and len(sent) % 7 == 0 else 3
            if limiter.wait(chat, lane, "sendMessage") == 0.0:
                reservation = limiter.reserve(chat, "sendMessage")
                clock.advance(0.005)
                sent.append((clock.now, chat))
                clock.advance(0.005)
                limiter.answered(reservation)
                break
        else:  # as the sender does: sleep until the soonest chat may go (lane 0 waits least)
            soonest = min(limiter.wait(chat, 0, "sendMessage") for chat in chats)
            clock.advance(max(soonest, 0.002))
    times = [t for t, _ in sent]
    for i in range(30, len(times)):
        assert times[i] - times[i - 30] > 1.0
    group = [t for t, chat in sent if chat == GROUP]
    for i in range(20, len(group)):
        assert group[i] - group[i - 20] > 60.0
    rate = len(sent) / 65
    assert rate > 0.95 * 30


# ---- several requests in flight: budgets reserved at the start ------------------------------


def test_a_send_in_flight_counts_from_its_start_whatever_its_round_trip(clock):
    limiter = RateLimiter(Limits(overall_burst=30), monotonic=clock)
    in_flight = [limiter.reserve(3000 + n, "sendMessage") for n in range(30)]
    # none answered: the 31st must wait, even long after (an answer may still come late)
    clock.advance(5.0)
    assert limiter.overall_wait() > 0
    for reservation in in_flight:
        limiter.answered(reservation)
    # answered 5 s after the start: counted at start + margin at the latest, long gone now
    assert limiter.overall_wait() == 0.0


def test_a_private_chats_budget_is_taken_at_the_start(clock):
    limiter = RateLimiter(Limits(private_burst=2, arrival_jitter=0.0), monotonic=clock)
    first = limiter.reserve(ALICE, "sendMessage")
    limiter.reserve(ALICE, "sendMessage")  # (the sender never has two in flight to one chat)
    assert limiter.chat_wait(ALICE, 1) > 0  # before any answer
    clock.advance(0.1)
    limiter.answered(first)
    assert limiter.chat_wait(ALICE, 1) > 0


def test_the_margin_follows_the_spread_of_round_trips(clock):
    limiter = RateLimiter(monotonic=clock)
    assert limiter.margin() == Limits().arrival_jitter
    for round_trip in (0.100, 0.105, 0.180, 0.101):
        reservation = limiter.reserve(ALICE + 10 * len(limiter._round_trips), "sendMessage")
        clock.advance(round_trip)
        limiter.answered(reservation)
    assert limiter.margin() == pytest.approx(0.08)
    slow = limiter.reserve(5000, "sendMessage")
    clock.advance(3.0)
    limiter.answered(slow)
    assert limiter.margin() == 1.0  # at most a second


def _simulate(round_trip: float, jitter: float, seconds: float, workers: int = 8):
    """Drive the limiter as the sender's pool does, with fake time: `workers` requests in
    flight at most, one per chat, each reaching the judge `round_trip / 2` after its start
    plus up to `jitter` more, answered `round_trip` (plus that jitter) after it. Returns the
    arrival times per chat (private chats 2000.., a group every 7th send, in lane 0)."""
    import heapq
    import random

    rng = random.Random(16)
    clock = FakeTime()
    limiter = RateLimiter(monotonic=clock)
    arrivals: list[tuple[float, int]] = []
    answers: list[tuple[float, int, object]] = []  # (time, n, reservation)
    busy: set[int] = set()
    next_chat = 2000
    sent = 0
    start = clock.now
    while clock.now < start + seconds:
        while answers and answers[0][0] <= clock.now:
            _, _, (chat, reservation) = heapq.heappop(answers)
            limiter.answered(reservation)
            busy.discard(chat)
        started = False
        if len(busy) < workers:
            # the group when its turn comes and it may go (lane 0), else the next reminder
            chat = next_chat
            if sent % 7 == 0 and GROUP not in busy and limiter.chat_wait(GROUP, 0) == 0.0:
                chat = GROUP
            lane = 0 if chat == GROUP else 3
            if limiter.wait(chat, lane, "sendMessage") == 0.0:
                reservation = limiter.reserve(chat, "sendMessage")
                late = rng.uniform(0, jitter)
                arrivals.append((clock.now + round_trip / 2 + late, chat))
                answer = clock.now + round_trip + late
                heapq.heappush(answers, (answer, sent, (chat, reservation)))
                busy.add(chat)
                sent += 1
                if chat != GROUP:
                    next_chat += 1
                started = True
        if not started:
            clock.advance(0.001)
    return arrivals, seconds


@pytest.mark.parametrize("round_trip", [0.0, 0.05, 0.1, 0.15])
def test_several_in_flight_keep_every_limit_with_any_round_trip(round_trip):
    arrivals, seconds = _simulate(round_trip, jitter=0.02, seconds=70)
    times = sorted(t for t, _ in arrivals)
    for i in range(30, len(times)):
        assert times[i] - times[i - 30] > 1.0  # never 31 arrivals within a second
    group = sorted(t for t, chat in arrivals if chat == GROUP)
    for i in range(20, len(group)):
        assert group[i] - group[i - 20] > 60.0
    rate = len(times) / seconds
    assert rate > 0.95 * 30, rate
