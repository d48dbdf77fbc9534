"""The bot under test, as a child process: `python -m bot run`, restarted and killed on cue.

A new instance is ready once it has polled the emulator (getUpdates) since it started.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from storage import postgres

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_COMMAND = (sys.executable, "-m", "bot", "run")
GRACEFUL_STOP_SECONDS = 15.0
_LOG_LEVEL = re.compile(r" (ERROR|CRITICAL) ")


class BotExited(Exception):
    """The bot stopped when nothing asked it to."""


class BotProcess:
    def __init__(
        self,
        *,
        command: tuple[str, ...] | list[str],
        env: dict[str, str],
        log_path: Path,
        polls: Callable[[], int],
        cwd: Path = REPO_ROOT,
    ):
        self.command = list(command)
        self.env = env
        self.log_path = log_path
        self.cwd = cwd
        self._polls = polls
        self._process: asyncio.subprocess.Process | None = None
        self._poll_mark = 0
        self._restart_after_kill = False
        self.starts = 0

    @property
    def started(self) -> bool:
        return self._process is not None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        """The process id of the running (or last) instance; None before the first start."""
        return self._process.pid if self._process is not None else None

    @property
    def ready(self) -> bool:
        return self.alive and self._polls() > self._poll_mark

    async def start(self) -> None:
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- bot instance {self.starts}: {' '.join(self.command)}\n".encode())
            log.flush()
            self._poll_mark = self._polls()
            self._process = await asyncio.create_subprocess_exec(
                *self.command,
                cwd=str(self.cwd),
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill_now(self, *, restart: bool = False) -> None:
        """SIGKILL at once (no shutdown code runs). With restart, `supervise` starts a new one."""
        if self.alive:
            assert self._process is not None
            self._process.send_signal(signal.SIGKILL)
        self._restart_after_kill = restart

    async def kill(self) -> None:
        self.kill_now()
        if self._process is not None:
            await self._process.wait()

    async def stop(self, grace: float = GRACEFUL_STOP_SECONDS) -> None:
        """SIGTERM, then SIGKILL if it has not exited within `grace` seconds."""
        if not self.alive:
            return
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self._process.wait(), grace)
        except TimeoutError:
            await self.kill()

    async def supervise(self) -> None:
        """Start the next instance after a kill that asked for one; BotExited when the bot
        stopped by itself."""
        if self._process is None:
            return
        if self._restart_after_kill:
            await self._process.wait()
            self._restart_after_kill = False
            await self.start()
            return
        if self._process.returncode is not None:
            raise BotExited(
                f"the bot exited by itself with code {self._process.returncode};"
                f" the end of its log ({self.log_path}):\n{self.log_tail()}"
            )

    def first_error(self) -> str | None:
        """The first ERROR or CRITICAL line of its log (our lines name ids and types only),
        without its time: where to start looking when a script failed."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        for line in text.splitlines():
            level = _LOG_LEVEL.search(line)
            if level is not None:
                return line[level.start() + 1 :]
        return None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "    (no log)"
        return "\n".join("    " + line for line in text.rstrip().splitlines()[-lines:])


def bot_environment(
    *,
    token: str,
    api_base_url: str,
    database: Path | str,
    clock_file: Path,
    programs_dir: Path | None,
) -> dict[str, str]:
    """The bot's environment in a script: `database` is the SQLite file, or a PostgreSQL URL
    (then the purge ledger goes beside the clock file, not into the repository's data/)."""
    env = dict(os.environ)
    env.pop("PROGRAMS_DIR", None)
    # A DATABASE_URL of the caller's (a test pass on PostgreSQL) must not redirect the script.
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": api_base_url,
            "FAKE_CLOCK_FILE": str(clock_file),
            "TICK_INTERVAL_SECONDS": "0.05",
            "TELEGRAM_REQUEST_TIMEOUT_SECONDS": "2",
            "LOG_LEVEL": "INFO",
            "METRICS_PORT": "",  # no operations endpoint: scripts run side by side
            # One request in flight, so every reply around an `@crash on-send` is checked to
            # arrive exactly once (with several in flight a crash may lose the others out at
            # that moment: docs/reliability.md). A script tries the pool with
            # `# bot-env: SEND_WORKERS=8`.
            "SEND_WORKERS": "1",
            # Several workers: one killed by `@crash on-send` leaves its row `sending`; the
            # others decide it once it has been silent this long (60 s in production), within
            # the runner's wait for idle.
            "WORKER_TIMEOUT_SECONDS": "5",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if postgres.is_url(database):
        env["DATABASE_URL"] = str(database)
        env["PURGE_LEDGER_PATH"] = str(clock_file.with_name("postgres.purges"))
    else:
        env["DATABASE_PATH"] = str(database)
    if programs_dir is not None:
        env["PROGRAMS_DIR"] = str(programs_dir)
    return env
