"""100 crashes at random points across the dialogues: no answer lost, none duplicated.

Four generated scripts of 25 crashes each (seeds below; `generate.py` says how to reproduce
one). Each runs the real bot through the real runner; the script itself checks that every
reply arrived exactly once, and `checks.tally` that every answer is stored exactly once.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults import checks
from tests.faults.generate import crash_script
from tests.faults.running import Run, run_generated

pytestmark = [pytest.mark.scripts, pytest.mark.slow]

SEEDS = (1601, 1602, 1603, 1604)
CRASHES_PER_SCRIPT = 25
WORKERS = int(os.environ.get("SCRIPT_WORKERS", "2"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[int, Run]:
    folder = tmp_path_factory.mktemp("crashes")

    def one(seed: int) -> Run:
        return run_generated(crash_script(seed, CRASHES_PER_SCRIPT), folder, f"crashes-{seed}")

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(zip(SEEDS, pool.map(one, SEEDS), strict=True))


@pytest.mark.parametrize("seed", SEEDS)
def test_no_answer_lost_or_duplicated_across_crashes(seed: int, runs: dict[int, Run]) -> None:
    run = runs[seed]
    assert run.code == 0, run.explain(seed, "the script did not hold")
    tally = checks.tally(run.db_path)
    assert tally.problems == [], run.explain(seed, "\n".join(tally.problems))
    crashes = run.bot_instances - 1
    assert crashes == CRASHES_PER_SCRIPT, run.explain(seed, f"{crashes} crashes happened")
    print(
        f"crashes seed {seed}: {crashes} crashes, {tally.checked} answers checked,"
        f" 0 lost, 0 duplicated, {run.seconds:.0f} s"
    )


def test_the_tally_sees_a_lost_and_a_duplicated_answer(runs: dict[int, Run], tmp_path) -> None:
    """The check can fail: an answer deleted and a diary row copied are both reported."""
    copy = tmp_path / "doctored.sqlite3"
    shutil.copy(runs[SEEDS[0]].db_path, copy)
    conn = sqlite3.connect(copy)
    conn.execute("DELETE FROM answers WHERE item_key = 'module-1/your-goals'")
    conn.execute(
        "INSERT INTO activities (patient_id, text, activity_type, created_at)"
        " SELECT patient_id, text, activity_type, created_at FROM activities"
    )
    conn.commit()
    conn.close()
    problems = checks.tally(copy).problems
    assert any(p.startswith("lost: module answers") for p in problems)
    assert any(p.startswith("duplicated: activities") for p in problems)


def test_the_same_seed_gives_the_same_script() -> None:
    assert crash_script(SEEDS[0], CRASHES_PER_SCRIPT) == crash_script(SEEDS[0], CRASHES_PER_SCRIPT)
    assert crash_script(SEEDS[0], CRASHES_PER_SCRIPT) != crash_script(SEEDS[1], CRASHES_PER_SCRIPT)
    assert crash_script(SEEDS[0], CRASHES_PER_SCRIPT).count("@crash") == CRASHES_PER_SCRIPT
