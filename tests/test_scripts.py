"""Every conversation script in tests/scripts/ and examples/ runs against the real bot and holds.

On SQLite with one polling bot by default. With SCRIPTS_DATABASE_URL set to a PostgreSQL
server's URL (any database of it: the maintenance connection), every script runs on a fresh
database of its own on that server, made for it and dropped afterwards, with two bot workers
behind the emulator's webhook (bot/devtools/README.md).
"""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from io import StringIO
from pathlib import Path

import pytest

from bot.devtools import scratch_postgres
from bot.devtools.bot_workers import WorkerPlan
from bot.devtools.demo import run_script
from bot.devtools.emulator.conformance import check_request, load_api
from storage.database import Target, connect_sync
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
# A PostgreSQL server: each script on a database of its own there, with two bot workers.
# SCRIPTS_DATABASE_URL, or the server of the suite's second pass (.ci/run's DATABASE_URL,
# which tests/conftest.py moves to TEST_POSTGRES_SERVER).
SERVER_URL = os.environ.get("SCRIPTS_DATABASE_URL") or os.environ.get("TEST_POSTGRES_SERVER")
BOT_WORKERS_ON_POSTGRES = WorkerPlan(count=2, webhook=True)
# Our databases on a shared server: this prefix, this run, the script's name.
DATABASE_PREFIX = f"ikbt_script_{uuid.uuid4().hex[:8]}"


@dataclass
class ScriptRun:
    code: int
    transcript: str
    recorded: list
    risk_answers: int  # events of type risk_answer, read from the database after the run
    risk_flags: int  # flag triggers of kind risk_answer


def _run(script: Path, folder: Path) -> ScriptRun:
    if SERVER_URL:
        return _run_on_postgres(script, SERVER_URL)
    return _play(script, folder / "bot.sqlite3", db_path=folder / "bot.sqlite3")


def _run_on_postgres(script: Path, server_url: str) -> ScriptRun:
    """On a database made for this script, dropped afterwards, whatever happened."""
    name = scratch_postgres.scratch_name(DATABASE_PREFIX, script.stem)
    url = scratch_postgres.create(server_url, name)
    try:
        return _play(script, url, database_url=url, workers=BOT_WORKERS_ON_POSTGRES)
    finally:
        scratch_postgres.drop(server_url, name)


def _play(script: Path, target: Target, **where) -> ScriptRun:
    out = StringIO()
    recorded: list = []
    code = run_script(script, out=out, recorded_requests=recorded, bot_env=SCRIPT_BOT_ENV, **where)
    # Counted while the database exists (a PostgreSQL one is dropped next); a script that
    # failed is reported by its transcript.
    answers, flags = _risk_counts(target) if code == 0 else (0, 0)
    return ScriptRun(code, out.getvalue(), recorded, answers, flags)


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
    # The safety guarantee, across the whole suite: no risk answer without a flag.
    assert run.risk_answers == run.risk_flags
    assert_requests_conform(run.recorded)


def assert_requests_conform(recorded) -> None:
    """Every request the bot made conforms to the Bot API reference. Without the reference:
    a failure in CI, else a skip with the reason (checked last, after the script held)."""
    api = _api(require_api_json())
    problems = [p for r in recorded for p in check_request(api, r.method, r.params)]
    assert problems == []


def _risk_counts(target: Target) -> tuple[int, int]:
    """Risk answers recorded, and flags raised for them (SQLite or PostgreSQL)."""
    conn = connect_sync(target)
    try:
        answers = conn.execute("SELECT COUNT(*) FROM events WHERE type = 'risk_answer'")
        flagged = conn.execute("SELECT COUNT(*) FROM flag_triggers WHERE kind = 'risk_answer'")
        return answers.fetchone()[0], flagged.fetchone()[0]
    finally:
        conn.close()


@cache
def _api(path: Path):
    return load_api(path)


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) >= 4
