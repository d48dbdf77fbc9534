"""Every conversation script in tests/scripts/ and examples/ runs against the real bot and holds."""

import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from io import StringIO
from pathlib import Path

import pytest

from bot.devtools.demo import run_script
from bot.devtools.emulator.conformance import check_request, load_api
from tests.bot_api_reference import require_api_json
from tests.harness.script_env import SCRIPT_BOT_ENV

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "tests" / "scripts").glob("*.chat")) + sorted(
    (ROOT / "examples").glob("*.chat")
)


pytestmark = pytest.mark.scripts

# Each script runs the bot in a child process; they run side by side (the bot's start and the
# idle waits leave a core free), and each still gets its own test and result.
WORKERS = int(os.environ.get("SCRIPT_WORKERS", "3"))


@dataclass
class ScriptRun:
    code: int
    transcript: str
    db_path: Path
    recorded: list


def _run(script: Path, folder: Path) -> ScriptRun:
    out = StringIO()
    recorded: list = []
    db_path = folder / "bot.sqlite3"
    code = run_script(
        script, db_path=db_path, out=out, recorded_requests=recorded, bot_env=SCRIPT_BOT_ENV
    )
    return ScriptRun(code, out.getvalue(), db_path, recorded)


@pytest.fixture(scope="session")
def script_runs(request, tmp_path_factory) -> dict[Path, ScriptRun]:
    """Runs the scripts this session selected (all of them, or those picked with -k)."""
    selected = [
        item.callspec.params["script"]
        for item in request.session.items
        if hasattr(item, "callspec") and "script" in item.callspec.params
    ]
    folders = {script: tmp_path_factory.mktemp(script.stem) for script in selected}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {script: pool.submit(_run, script, folders[script]) for script in selected}
        return {script: future.result() for script, future in futures.items()}


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_script_holds(script: Path, script_runs: dict[Path, ScriptRun]) -> None:
    run = script_runs[script]
    assert run.code == 0, run.transcript[-6000:]
    assert_every_risk_answer_raised_a_flag(run.db_path)
    assert_requests_conform(run.recorded)


def assert_requests_conform(recorded) -> None:
    """Every request the bot made conforms to the Bot API reference. Without the reference:
    a failure in CI, else a skip with the reason (checked last, after the script held)."""
    api = _api(require_api_json())
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
def _api(path: Path):
    return load_api(path)


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) >= 4
