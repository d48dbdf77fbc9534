"""`python -m bench.dialogue_rate` at a tiny size: the output's shape, and that the diary
entries it timed were really stored (so the benchmark cannot measure a no-op)."""

import re
import sqlite3

from bench import dialogue_rate


def test_a_tiny_run_prints_the_ratio_last_and_stores_every_entry(tmp_path, capsys):
    patients, rounds = 2, 5
    result = dialogue_rate.main(
        ["--patients", str(patients), "--rounds", str(rounds), "--bare-updates", "8"]
        + ["--folder", str(tmp_path)]
    )

    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"ratio to bare PTB: \d+\.\d\d", lines[-1])
    assert sum(line.startswith("round ") for line in lines) == rounds
    assert any(re.match(r"per update .*transactions.*SQL statements", line) for line in lines)
    assert result["statements_per_update"] > 0 and result["transactions_per_update"] > 0

    # warm-up + timed rounds + the counted round: one morning entry per patient each
    expected = {
        dialogue_rate.activity_text(round_no, dialogue_rate.FIRST_PATIENT_ID + i)
        for round_no in range(rounds + 2)
        for i in range(patients)
    }
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        stored = {
            activity
            for (activity,) in conn.execute(
                "SELECT activity FROM diary_entries WHERE part = ? AND mood = ?",
                (dialogue_rate.PART, dialogue_rate.MOOD),
            )
        }
        days = conn.execute("SELECT COUNT(DISTINCT day) FROM diary_entries").fetchone()[0]
    assert stored == expected
    assert days == rounds + 2
    assert result["entries"] == len(expected)
