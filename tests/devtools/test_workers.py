"""A script against two real bot workers behind the emulator's webhook (on SQLite here; the
suite runs every script on PostgreSQL with two workers when SCRIPTS_DATABASE_URL is set):
updates reach both workers, and `@crash on-send` kills the worker that sent, alone."""

from __future__ import annotations

import asyncio
from io import StringIO

import pytest

from bot.devtools.bot_workers import WorkerPlan
from bot.devtools.script.parser import parse_script
from bot.devtools.script.runner import ScriptSession, SessionOptions
from bot.devtools.script.transcript import Transcript
from tests.harness.script_env import SCRIPT_BOT_ENV

pytestmark = pytest.mark.scripts

CHATTER = """\
@staff anna therapist
anna> /help
expect anna: /invite
anna> /help
expect anna: /invite
anna> /help
expect anna: /invite
anna> /help
expect anna: /invite
"""

CRASH_ON_SEND = """\
@crash on-send
anna> /help
expect anna: /invite
anna> /help
expect anna: /invite
"""


async def _play(session: ScriptSession, source: str) -> None:
    for line in parse_script(source):
        await session.execute(line)


def test_two_workers_share_the_updates_and_a_crash_on_send_kills_one(tmp_path):
    out = StringIO()
    options = SessionOptions(
        db_path=tmp_path / "bot.sqlite3",
        bot_env=dict(SCRIPT_BOT_ENV),
        workers=WorkerPlan(count=2),
    )
    session = ScriptSession(options, Transcript(out))

    async def run() -> tuple[list[int], list[int]]:
        await session.open()
        try:
            await _play(session, CHATTER)
            await _play(session, CRASH_ON_SEND)
            return (
                list(session.server.webhook.deliveries_by_worker),
                [process.starts for process in session.bot.processes],
            )
        finally:
            await session.close()

    deliveries, starts = asyncio.run(run())
    assert all(count > 0 for count in deliveries), (deliveries, out.getvalue())
    assert sorted(starts) == [1, 2], out.getvalue()  # one worker died and came back
    assert [path.name for path in session.log_paths] == [
        "bot.sqlite3.bot.log",
        "bot.sqlite3.bot-2.log",
    ]
