"""Faults at a seeded rate: the same seed fails the same requests, whatever order they come in."""

import pytest

from bot.devtools.emulator.random_faults import BadFaultsLine, RandomFaults, from_script


def _requests(n: int) -> list[tuple[str, dict]]:
    return [("sendMessage", {"chat_id": i % 7, "text": f"message {i}"}) for i in range(n)]


def test_about_the_rate_of_send_calls_fail_with_each_kind() -> None:
    faults = RandomFaults(rate=0.2, seed=7)
    picked = [faults.pick(method, params) for method, params in _requests(2000)]
    failed = [kind for kind in picked if kind is not None]
    assert 0.17 < len(failed) / 2000 < 0.23
    assert set(failed) == {"429", "500", "timeout"}
    assert faults.calls == 2000 and sum(faults.injected.values()) == len(failed)


def test_the_order_of_arrival_does_not_change_which_requests_fail() -> None:
    requests = _requests(300)
    forward = RandomFaults(rate=0.2, seed=7)
    backward = RandomFaults(rate=0.2, seed=7)
    first = {p["text"]: forward.pick(m, p) for m, p in requests}
    second = {p["text"]: backward.pick(m, p) for m, p in reversed(requests)}
    assert first == second
    other_seed = RandomFaults(rate=0.2, seed=8)
    assert first != {p["text"]: other_seed.pick(m, p) for m, p in requests}


def test_a_repeated_request_is_judged_again() -> None:
    """A retry of a failed call is a new draw, so a retry can succeed."""
    faults = RandomFaults(rate=0.5, seed=1)
    draws = [faults.pick("sendMessage", {"chat_id": 1, "text": "same"}) for _ in range(40)]
    assert None in draws and any(kind is not None for kind in draws)


def test_the_script_comment() -> None:
    assert from_script("@staff anna therapist\n") is None
    faults = from_script("# emulator-faults: rate=0.2 seed=7 kinds=429,500\nalice> hej\n")
    assert (faults.rate, faults.seed, faults.kinds) == (0.2, 7, ("429", "500"))
    for bad in ("rate=2", "seed=7", "rate=0.2 kinds=503", "rate=x"):
        with pytest.raises(BadFaultsLine):
            from_script(f"# emulator-faults: {bad}\n")
