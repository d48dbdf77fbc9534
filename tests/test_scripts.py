"""Every conversation script in tests/scripts/ and examples/ runs against the real bot and holds."""

import sqlite3
from io import StringIO
from pathlib import Path

import pytest

from bot.devtools.demo import run_script

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "tests" / "scripts").glob("*.chat")) + sorted(
    (ROOT / "examples").glob("*.chat")
)


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_script_holds(script: Path, tmp_path: Path) -> None:
    out = StringIO()
    code = run_script(script, db_path=tmp_path / "bot.sqlite3", out=out)
    assert code == 0, out.getvalue()[-6000:]
    assert_every_risk_answer_raised_a_flag(tmp_path / "bot.sqlite3")


def assert_every_risk_answer_raised_a_flag(db_path: Path) -> None:
    """The safety guarantee, across the whole suite: no risk answer without a flag."""
    conn = sqlite3.connect(db_path)
    try:
        answers = conn.execute("SELECT COUNT(*) FROM events WHERE type = 'risk_answer'")
        flagged = conn.execute("SELECT COUNT(*) FROM flag_triggers WHERE kind = 'risk_answer'")
        assert answers.fetchone()[0] == flagged.fetchone()[0]
    finally:
        conn.close()


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) >= 4
