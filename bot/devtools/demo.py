"""`python -m bot demo`: run a conversation script, or chat with the bot in the terminal.

    python -m bot demo --script FILE.chat [--db PATH|URL] [--programs DIR] [--workers N]
    python -m bot demo [--db PATH|URL] [--programs DIR] [--workers N]     (interactive)

`--db postgresql://...` runs the bot on that PostgreSQL database, EMPTIED first (its public
schema dropped and made again); `--db PATH` uses (and keeps) a SQLite file. `--workers N`
starts N bot processes behind the emulator's webhook (`--webhook`: the webhook with one).

Exit codes: 0 every line held; 1 a line did not (or the bot failed); 2 the script cannot be
parsed or a line makes no sense.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.devtools.bot_process import DEFAULT_COMMAND
from bot.devtools.bot_workers import WorkerPlan
from bot.devtools.emulator import random_faults
from bot.devtools.emulator.server import RecordedRequest
from bot.devtools.script.parser import ScriptError, ScriptLine, is_directive_line, parse_script
from bot.devtools.script.runner import LineFailed, ScriptSession, SessionOptions
from bot.devtools.script.transcript import Transcript
from storage import postgres

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2

INTRO = """\
iKBT demo: you play everyone; the real bot answers through an emulated Telegram.
Type lines in the conversation-script syntax, for example:
  @staff anna therapist            anna becomes a therapist (bound to her Telegram account)
  anna> /invite depression P1      anna sends a command in her private chat
  alice> hej                       alice writes to the bot
  alice> [Jag godkänner]           alice presses a button ([~part] or [#2] work too)
  @group therapists anna           a therapist group; anna@therapists> /help speaks there
  @advance 1d                      move the fake clock (stops where something falls due)
  expect alice: välkommen          check what the bot said (expect-no, expect-silence, @flush)
  @crash  @restart  @down 3h       kill, restart, or take the bot down for a while
The full syntax: shared/specs/conversation-scripts.md. Ctrl-D quits.
"""
PROMPT = "» "


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot demo",
        description="Run the bot against the built-in Telegram emulator with a fake clock.",
    )
    parser.add_argument("--script", type=Path, help="a .chat conversation script to run")
    parser.add_argument(
        "--db",
        help="a SQLite file (kept), or a postgresql:// URL: that database is EMPTIED first"
        " (default: a fresh SQLite file)",
    )
    parser.add_argument("--programs", type=Path, help="load program content from this folder")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="bot processes on the one database, behind the emulator's webhook (default 1)",
    )
    parser.add_argument(
        "--webhook", action="store_true", help="updates by webhook, also with one worker"
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    database = _database(args.db)
    workers = WorkerPlan(args.workers, args.webhook)
    if args.script is not None:
        return run_script(args.script, **database, programs_dir=args.programs, workers=workers)
    return run_interactive(**database, programs_dir=args.programs, workers=workers)


def _database(db: str | None) -> dict[str, str | None]:
    """`--db` as run_script's keyword: a PostgreSQL URL, or a SQLite path."""
    if db is not None and postgres.is_url(db):
        return {"database_url": db}
    return {"db_path": db}


def run_script(
    path: str | Path,
    *,
    db_path: str | Path | None = None,
    database_url: str | None = None,
    programs_dir: str | Path | None = None,
    out: TextIO = sys.stdout,
    bot_command: Sequence[str] = DEFAULT_COMMAND,
    recorded_requests: list[RecordedRequest] | None = None,
    bot_env: dict[str, str] | None = None,
    workers: WorkerPlan | None = None,
) -> int:
    """Run a script file and print its transcript to `out`; returns the exit code.

    `db_path` a SQLite file (kept), or `database_url` a PostgreSQL database (emptied first);
    neither: a fresh SQLite file. `workers`: how many bot processes, and whether on the
    webhook (default: one, polling).
    `bot_command` replaces `python -m bot run` (tests use a stand-in); `recorded_requests`,
    when given, receives every request the bot made (for the conformance check); `bot_env`
    adds settings for the bot's process (the test suite's TRANSPORT_SPEEDUP; the script's own
    `# bot-env:` lines win)."""
    transcript = Transcript(out)
    try:
        source = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        transcript.note(f"ERROR: cannot read the script {path}: {error.strerror}")
        return EXIT_INVALID
    try:
        lines = parse_script(source)
    except ScriptError as error:
        transcript.error(error.number, error.line, error.reason)
        return EXIT_INVALID
    env = (bot_env or {}) | script_bot_env(source)
    options = _options(db_path, programs_dir, bot_command, bot_env=env)
    options.database_url = database_url
    options.workers = workers or WorkerPlan()
    try:
        options.random_faults = random_faults.from_script(source)
    except random_faults.BadFaultsLine as error:
        transcript.note(f"ERROR: {error}")
        return EXIT_INVALID
    return asyncio.run(_play(lines, options, transcript, recorded_requests))


async def _play(
    lines: list[ScriptLine],
    options: SessionOptions,
    transcript: Transcript,
    recorded_requests: list[RecordedRequest] | None,
) -> int:
    session = ScriptSession(options, transcript)
    code = EXIT_OK
    try:
        await session.open()
        for line in lines:
            try:
                await session.execute(line)
            except LineFailed as failure:
                _report_failure(session, transcript, line, failure)
                code = EXIT_FAILED
                break
            except ScriptError as error:
                transcript.error(error.number, error.line, error.reason)
                code = EXIT_INVALID
                break
    finally:
        await session.close(keep_files=code != EXIT_OK)
        if recorded_requests is not None:
            recorded_requests.extend(session.server.requests)
    return code


def _report_failure(
    session: ScriptSession, transcript: Transcript, line: ScriptLine, failure: LineFailed
) -> None:
    chat = failure.chat
    transcript.failure(
        line.number,
        line.text,
        failure.reason,
        chat,
        session.unconsumed(chat) if chat else [],
        ", ".join(map(str, session.log_paths))
        if session.bot is not None and session.bot.starts
        else None,
    )
    if session.bot is not None:
        for log, line in session.bot.first_errors():
            transcript.note(f"  first error in {log.name}: {line}")


def run_interactive(
    *,
    db_path: str | Path | None = None,
    database_url: str | None = None,
    programs_dir: str | Path | None = None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    bot_command: Sequence[str] = DEFAULT_COMMAND,
    workers: WorkerPlan | None = None,
) -> int:
    out.write(INTRO)
    options = _options(db_path, programs_dir, bot_command)
    options.database_url = database_url
    options.workers = workers or WorkerPlan()
    return asyncio.run(_interactive(options, Transcript(out, echo=False), stdin, out))


async def _interactive(
    options: SessionOptions, transcript: Transcript, stdin: TextIO, out: TextIO
) -> int:
    loop = asyncio.get_running_loop()
    session = ScriptSession(options, transcript)
    try:
        await session.open()
        number = 0
        while True:
            out.write(PROMPT)
            out.flush()
            text = await loop.run_in_executor(None, stdin.readline)
            if not text:
                out.write("\n")
                break
            number += 1
            if not is_directive_line(text):
                continue
            line = ScriptLine(number, text.strip())
            try:
                await session.execute(line)
            except LineFailed as failure:
                _report_failure(session, transcript, line, failure)
            except ScriptError as error:
                transcript.error(error.number, error.line, error.reason)
    finally:
        await session.close()
    return EXIT_OK


def _options(
    db_path: str | Path | None,
    programs_dir: str | Path | None,
    bot_command: Sequence[str],
    bot_env: dict[str, str] | None = None,
) -> SessionOptions:
    return SessionOptions(
        db_path=Path(db_path).resolve() if db_path else None,
        programs_dir=Path(programs_dir).resolve() if programs_dir else None,
        bot_command=tuple(bot_command),
        bot_env=bot_env or {},
    )


BOT_ENV_COMMENT = re.compile(r"^#\s*bot-env:\s*([A-Z][A-Z0-9_]*)=(.*)$")


def script_bot_env(source: str) -> dict[str, str]:
    """Settings a script gives the bot in comments, `# bot-env: NAME=value` (comments to the
    script format, so a script stays valid everywhere): e.g. BREAK_ROUTES."""
    found = (BOT_ENV_COMMENT.match(line.strip()) for line in source.splitlines())
    return {match[1]: match[2].strip() for match in found if match}


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
