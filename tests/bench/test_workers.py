"""`python -m bench.workers` at a tiny size (one and two workers, ten patients): the output's
shape, and that what it timed really happened (every reply and reminder arrived once, the
lease moved after the kill). Real worker processes on PostgreSQL: skipped without a server
(TEST_POSTGRES_SERVER, else TEST_POSTGRES_URL, else the development server)."""

from __future__ import annotations

import os
import re

import pytest

from bench import workers
from bot.devtools.worker_rig import server_answers

pytestmark = [pytest.mark.scripts, pytest.mark.slow]


def _server() -> str:
    env = os.environ
    return env.get("TEST_POSTGRES_SERVER") or env.get("TEST_POSTGRES_URL") or workers.DEFAULT_SERVER


def test_a_tiny_run_prints_ratios_last_and_times_a_takeover(capsys):
    server = _server()
    problem = server_answers(server)
    if problem is not None:
        pytest.skip(f"no PostgreSQL server at {server} ({problem})")
    tick = 1.0
    rounds = workers.main(
        ["--db", server, "--workers", "1,2", "--patients", "10", "--texts", "2"]
        + ["--tick", str(tick)]
    )

    lines = capsys.readouterr().out.strip().splitlines()
    number = r"\d+\.\d"
    ratios = r"x\d+\.\d\d/x\d+\.\d\d"
    assert re.fullmatch(
        rf"workers 1/2: updates/s {number}/{number} \({ratios}\);"
        rf" replies/s {number}/{number} \({ratios}\); sends/s {number}/{number} \({ratios}\);"
        rf" takeover s -/\d+\.\d\d; \d+ x 429",
        lines[-1],
    ), lines[-1]
    one, two = rounds
    assert (one.updates, two.updates) == (20, 20)
    assert (one.reminders, two.reminders) == (10, 10)  # each arrived once (checked inside)
    assert one.takeovers == [] and len(two.takeovers) == 1
    assert two.takeovers[0] <= 2 * tick
