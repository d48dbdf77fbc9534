"""Every conversation script in tests/scripts/ and examples/ runs against the real bot and holds."""

import sqlite3
from functools import cache
from io import StringIO
from pathlib import Path

import pytest

from bot.devtools.demo import run_script
from bot.devtools.emulator.conformance import check_request, load_api

ROOT = Path(__file__).resolve().parent.parent
API_JSON = ROOT.parent / "shared" / "telegram-bot-api" / "api.json"
SCRIPTS = sorted((ROOT / "tests" / "scripts").glob("*.chat")) + sorted(
    (ROOT / "examples").glob("*.chat")
)


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_script_holds(script: Path, tmp_path: Path) -> None:
    out = StringIO()
    recorded = []
    code = run_script(script, db_path=tmp_path / "bot.sqlite3", out=out, recorded_requests=recorded)
    assert code == 0, out.getvalue()[-6000:]
    assert_every_risk_answer_raised_a_flag(tmp_path / "bot.sqlite3")
    assert_requests_conform(recorded)


def assert_requests_conform(recorded) -> None:
    """Every request the bot made conforms to the Bot API reference (when it is beside us)."""
    if not API_JSON.exists():
        return  # tests/devtools/test_conformance.py reports the reference as missing
    api = _api()
    problems = [p for r in recorded for p in check_request(api, r.method, r.params)]
    assert problems == []


def assert_every_risk_answer_raised_a_flag(db_path: Path) -> None:
    """The safety guarantee, across the whole suite: no risk answer without a flag."""
    conn = sqlite3.connect(db_path)
    try:
        answers = conn.execute("SELECT COUNT(*) FROM events WHERE type = 'risk_answer'")
        flagged = conn.execute("SELECT COUNT(*) FROM flag_triggers WHERE kind = 'risk_answer'")
        assert answers.fetchone()[0] == flagged.fetchone()[0]
    finally:
        conn.close()


@cache
def _api():
    return load_api(API_JSON)


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) >= 4
