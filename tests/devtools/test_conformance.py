"""Every request the bot makes while scripts run conforms to the Bot API reference.

The reference is `<repo>/../shared/telegram-bot-api/api.json`; without it these tests fail in
CI (`CI=true`) and are skipped, with the reason, elsewhere (tests/bot_api_reference.py).
Here: a tour of the real bot (tests/devtools/scripts/real_bot_tour.chat) against
`python -m bot run`, and a tour of the stand-in bot. The project's `tests/scripts/*.chat` and
`examples/*.chat` are checked the same way by tests/test_scripts.py as they run (once). A
script that fails part-way still has its requests checked; whether the script holds is the
business of the tests that run the scripts.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from bot.devtools.demo import run_script
from bot.devtools.emulator.conformance import check_request, load_api
from tests.bot_api_reference import require_api_json
from tests.harness.script_env import SCRIPT_BOT_ENV

pytestmark = pytest.mark.scripts

HERE = Path(__file__).parent / "scripts"
STAND_IN = (sys.executable, "-m", "tests.devtools.standin_bot")

REAL_BOT_SCRIPTS = [HERE / "real_bot_tour.chat"]


@pytest.fixture(scope="module")
def api():
    return load_api(require_api_json())


def problems_of(script: Path, tmp_path: Path, api, **options) -> tuple[list[str], int, str]:
    recorded = []
    out = io.StringIO()
    run_script(
        script, db_path=tmp_path / "bot.sqlite3", out=out, recorded_requests=recorded, **options
    )
    problems = [
        problem
        for request in recorded
        for problem in check_request(api, request.method, request.params)
    ]
    return problems, len(recorded), out.getvalue()


@pytest.mark.parametrize("script", REAL_BOT_SCRIPTS, ids=lambda path: path.name)
def test_the_real_bot_makes_only_conforming_requests(script, tmp_path, api):
    problems, count, transcript = problems_of(script, tmp_path, api, bot_env=SCRIPT_BOT_ENV)
    assert count > 0, transcript
    assert problems == [], transcript


def test_the_stand_in_bot_makes_only_conforming_requests(tmp_path, api):
    problems, count, transcript = problems_of(
        HERE / "standin_tour.chat", tmp_path, api, bot_command=STAND_IN
    )
    assert count > 0
    assert problems == [], transcript


def test_the_check_finds_what_is_wrong(api):
    assert check_request(api, "sendMessage", {"chat_id": "5", "text": "hi"}) == []
    assert (
        check_request(api, "sendMessage", {"chat_id": 5, "text": "hi", "reply_markup": "{}"}) == []
    )
    problems = check_request(
        api, "sendMessage", {"chat_id": "x", "colour": "red", "disable_notification": "maybe"}
    )
    assert "sendMessage: required field text is missing" in problems
    assert "sendMessage: unknown field colour" in problems
    assert any("disable_notification should be Boolean" in p for p in problems)
    assert check_request(api, "sendMessage", {"chat_id": 5, "text": "x", "reply_markup": "[1"})
    assert check_request(api, "getUpdates", {"offset": "1.5"})
    assert check_request(api, "sendTelepathy", {}) == ["sendTelepathy: no such Bot API method"]


def test_a_missing_reference_fails_in_ci_and_skips_elsewhere(tmp_path, monkeypatch):
    missing = tmp_path / "api.json"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_api_json(missing)
    for elsewhere in ("", "false", "1"):
        monkeypatch.setenv("CI", elsewhere)
        with pytest.raises(pytest.skip.Exception, match="not at"):
            require_api_json(missing)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="not at"):
        require_api_json(missing)
    missing.write_text("{}")
    assert require_api_json(missing) == missing
