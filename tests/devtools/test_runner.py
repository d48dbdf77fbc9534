"""The script runner end to end, against a stand-in bot (tests/devtools/standin_bot.py) in a
child process, over real HTTP. The real bot is exercised by test_conformance.py."""

from __future__ import annotations

import io
import sys
import textwrap

import pytest

from bot.devtools.demo import run_interactive, run_script
from bot.devtools.script.parser import ScriptLine
from bot.devtools.script.runner import LineFailed, ScriptSession, SessionOptions
from bot.devtools.script.transcript import Transcript

STAND_IN = (sys.executable, "-m", "tests.devtools.standin_bot")

pytestmark = pytest.mark.scripts


def play(tmp_path, script: str) -> tuple[int, str]:
    path = tmp_path / "test.chat"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    out = io.StringIO()
    code = run_script(path, db_path=tmp_path / "bot.sqlite3", out=out, bot_command=STAND_IN)
    return code, out.getvalue()


def test_a_script_that_holds_exits_0_with_its_transcript(tmp_path):
    code, out = play(
        tmp_path,
        """\
        # people, buttons and edits
        alice> hello
        expect alice: ECHO: hello
        alice> /buttons
        expect alice: [Banana]
        alice> [Banana]
        expect alice: pressed b
        expect alice: chose b
        alice> /buttons
        alice> [~APP]
        alice> /buttons
        alice> [#4]
        expect alice: /chose c/
        expect-silence alice
        alice> <sticker>
        alice> <photo>
        @capture WORD alice /(\\w+) photo/
        alice> /files
        @edit alice changed my mind
        expect alice: nice sticker
        expect alice: [document] answers.json
        expect alice: edited: changed my mind
        alice> ${WORD}
        expect alice: echo: nice
        expect-no alice: /echo: nice/
        alice> one more
        @flush alice
        expect-silence alice
        """,
    )
    assert code == 0, out
    assert out.startswith("alice> hello\nbot → alice: echo: hello\nexpect alice: ECHO: hello\n")
    assert (
        "alice> /buttons\nbot → alice: Choose one\n   [Apple] [Banana]\n   [Site]\n   [Cherry]\n"
    ) in out
    assert "alice> [Banana]\nbot ⚑ alice: pressed b\nbot ✎ alice: chose b\n" in out
    assert "bot → alice: [photo] a chart\nbot → alice: [document] answers.json\n" in out
    assert "alice> nice\nbot → alice: echo: nice\n" in out


def test_a_failed_expect_exits_1_and_shows_the_unconsumed_messages(tmp_path):
    code, out = play(
        tmp_path,
        """\
        alice> first
        alice> second
        expect alice: first
        expect alice: third
        alice> never runs
        """,
    )
    assert code == 1
    assert "FAILED line 4: expect alice: third\n" in out
    assert "unconsumed messages in alice's chat:\n    bot → alice: echo: second\n" in out
    assert "bot log: " in out
    assert "never runs" not in out


def test_a_url_button_cannot_be_pressed_and_a_missing_button_fails(tmp_path):
    code, out = play(tmp_path, "alice> /buttons\nalice> [Site]\n")
    assert code == 1
    assert "FAILED line 2: alice> [Site]" in out
    code, out = play(tmp_path, "alice> /buttons\nalice> [#9]\n")
    assert code == 1 and "FAILED line 2" in out


def test_groups_hear_commands_only_and_migrate(tmp_path):
    code, out = play(
        tmp_path,
        """\
        @group team anna bo
        expect-silence #team
        anna@team> just talking
        anna@team> /ping
        expect #team: pong
        expect-silence #team
        @migrate #team
        bo@team> /ping
        expect #team: pong
        @block #team
        bo@team> /ping
        expect-silence #team
        """,
    )
    assert code == 0, out
    assert "anna@team> just talking\nanna@team> /ping\nbot → #team: pong\n" in out
    assert "hello group" not in out  # the group set-up's answers are consumed unprinted


def test_advance_stops_where_something_falls_due(tmp_path):
    code, out = play(
        tmp_path,
        """\
        alice> /remind
        @advance 4h
        expect alice: reminder after 1h
        expect alice: reminder after 3h
        @at 2026-12-02 07:30
        alice> /time
        expect alice: it is 2026-12-02 06:30 UTC
        """,
    )
    assert code == 0, out
    assert (
        "@advance 4h\n"
        "… 2026-12-01 09:00\n"
        "bot → alice: reminder after 1h\n"
        "… 2026-12-01 11:00\n"
        "bot → alice: reminder after 3h\n"
        "… 2026-12-01 12:00\n"
    ) in out


def test_clock_directive_sets_the_start(tmp_path):
    code, out = play(
        tmp_path,
        "@clock 2027-06-10 09:15 Europe/Stockholm\nalice> /time\nexpect alice: 2027-06-10 07:15\n",
    )
    assert code == 0, out


def test_lines_that_make_no_sense_at_run_time_exit_2(tmp_path):
    code, out = play(tmp_path, "alice> hi\n@at 2026-11-30 08:00\n")
    assert code == 2
    assert "ERROR line 2: @at 2026-11-30 08:00" in out and "in the past" in out
    code, out = play(tmp_path, "@clock 2027-03-27 12:00\nalice> hi\n@at 2027-03-28 02:30\n")
    assert code == 2 and "does not exist" in out
    code, out = play(tmp_path, "alice> hi\n@clock 2027-01-01 08:00\n")
    assert code == 2 and "before the first message" in out
    code, out = play(tmp_path, "anna@nowhere> /ping\n")
    assert code == 2 and "no group #nowhere" in out


def test_an_unparseable_script_exits_2_before_anything_runs(tmp_path):
    code, out = play(tmp_path, "alice> hi\n@teleport alice\n")
    assert code == 2
    assert out.startswith("ERROR line 2: @teleport alice")
    assert "alice> hi" not in out


def test_faults_crashes_restarts_and_downtime(tmp_path):
    code, out = play(
        tmp_path,
        """\
        @fault 429 1
        @fault 500 1
        alice> through faults
        expect alice: echo: through faults
        @fault timeout 1
        alice> through a timeout
        expect alice: echo: through a timeout
        @crash on-send
        alice> crash me
        expect alice: echo: crash me
        expect alice: echo: crash me
        @crash
        alice> after crash
        expect alice: echo: after crash
        @restart
        alice> after restart
        expect alice: echo: after restart
        @down 3h
        alice> /time
        expect alice: it is 2026-12-01 10:00 UTC
        expect-silence alice
        """,
    )
    assert code == 0, out
    assert "@down 3h\n… 2026-12-01 11:00\n" in out
    log = (tmp_path / "bot.sqlite3.bot.log").read_text()
    # the first instance, then one each after the crash on send, @crash, @restart and @down
    assert log.count("--- bot instance") == 5


def test_blocked_person_gets_nothing(tmp_path):
    code, out = play(
        tmp_path,
        """\
        @block alice
        alice> hello?
        expect-silence alice
        @unblock alice
        alice> hello!
        expect alice: echo: hello!
        """,
    )
    assert code == 0, out


def test_a_bot_that_dies_fails_the_script(tmp_path):
    code, out = play(tmp_path, "alice> /die\nalice> hi\n")
    assert code == 1
    assert "FAILED line 1: alice> /die" in out
    assert "exited by itself with code 3" in out


async def test_a_bot_that_never_gets_idle_fails_with_why(tmp_path):
    out = io.StringIO()
    options = SessionOptions(db_path=tmp_path / "bot.sqlite3", bot_command=STAND_IN)
    session = ScriptSession(options, Transcript(out))
    await session.open()
    try:
        await session.execute(ScriptLine(1, "alice> hi"))  # the start may be slow on a busy box
        session._idle.timeout = 1
        try:
            await session.execute(ScriptLine(2, "alice> /slow"))
        except LineFailed as failure:
            assert "not idle within 1 s" in failure.reason
            assert "update(s) not yet confirmed" in failure.reason
        else:
            raise AssertionError("a bot stuck on an update must fail the line")
    finally:
        await session.close()


def test_interactive_mode_runs_lines_and_survives_failures(tmp_path):
    stdin = io.StringIO("alice> hej\nexpect alice: nope\n@teleport\nalice> again\n")
    out = io.StringIO()
    code = run_interactive(
        db_path=tmp_path / "bot.sqlite3", stdin=stdin, out=out, bot_command=STAND_IN
    )
    text = out.getvalue()
    assert code == 0
    assert "anna> /invite depression P1" in text  # the intro explains the syntax
    assert "bot → alice: echo: hej" in text
    assert "FAILED line 2: expect alice: nope" in text
    assert "ERROR line 3: @teleport" in text
    assert "bot → alice: echo: again" in text
