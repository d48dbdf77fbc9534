"""The bot a script talks to: one or several `python -m bot run` processes on one database.

One worker polls (`python -m bot run`), as before. Several workers, or one when asked, run
`python -m bot run --webhook`, each listening on a port of its own; the emulator posts the
updates to them in turn (emulator/webhook.py), as a load balancer in front of the one public
URL would. Each worker talks to the emulator through a base URL of its own
(`/worker<n>/bot`), so the emulator knows whose request it is: a worker is ready once it has
polled or set the webhook since its start, and `@crash on-send` kills the worker that sent.

To the runner the workers are one bot: ready and idle when every worker is; `@restart`,
`@crash` and `@down` stop and start them all (the whole service goes down, as when its one
machine does); only `@crash on-send` kills one worker, the one whose send it was, while the
others go on (one machine of several dying).
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.devtools.bot_process import BotProcess

# The public URL the workers give setWebhook. Nothing listens there: the emulator posts to
# the workers' own addresses behind it.
PUBLIC_WEBHOOK_URL = "https://ikbt-workers.invalid/telegram/updates"
WEBHOOK_PATH = "/telegram/updates"


@dataclass(frozen=True)
class WorkerPlan:
    """How many workers, and whether they take updates on the webhook."""

    count: int = 1
    webhook: bool = False

    @property
    def uses_webhook(self) -> bool:
        return self.webhook or self.count > 1


def free_port() -> int:
    """A port free now on 127.0.0.1 (the worker binds it a moment later; it keeps it across
    restarts, since aiohttp reuses the address)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log_path(base: Path, number: int) -> Path:
    """Worker 1 logs to `<base>.bot.log` (as a single bot always has); worker n to
    `<base>.bot-<n>.log`."""
    suffix = ".bot.log" if number == 1 else f".bot-{number}.log"
    return base.with_name(base.name + suffix)


class BotWorkers:
    """Started, stopped and killed together, with BotProcess's face; one killed alone on
    `@crash on-send`."""

    def __init__(
        self,
        plan: WorkerPlan,
        *,
        command: Sequence[str],
        environment: Callable[[int], dict[str, str]],
        log_base: Path,
        reachable_calls: Callable[[int], int],
    ):
        """`environment(n)`: worker n's environment (its own emulator URL);
        `reachable_calls(n)`: how often worker n has polled or set the webhook."""
        self.plan = plan
        self.secret = secrets.token_hex(16)
        self.webhook_urls: list[str] = []
        self.processes: list[BotProcess] = []
        for number in range(1, plan.count + 1):
            env = environment(number)
            worker_command = list(command)
            if plan.uses_webhook:
                port = free_port()
                self.webhook_urls.append(f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
                env |= self._webhook_env(port)
                worker_command.append("--webhook")
            self.processes.append(
                BotProcess(
                    command=worker_command,
                    env=env,
                    log_path=log_path(log_base, number),
                    polls=lambda number=number: reachable_calls(number),
                )
            )

    def _webhook_env(self, port: int) -> dict[str, str]:
        return {
            "WEBHOOK_URL": PUBLIC_WEBHOOK_URL,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": self.secret,
        }

    @property
    def log_paths(self) -> list[Path]:
        return [process.log_path for process in self.processes]

    @property
    def started(self) -> bool:
        return any(process.started for process in self.processes)

    @property
    def alive(self) -> bool:
        return all(process.alive for process in self.processes)

    @property
    def ready(self) -> bool:
        return all(process.ready for process in self.processes)

    @property
    def starts(self) -> int:
        return sum(process.starts for process in self.processes)

    async def start(self) -> None:
        for process in self.processes:
            await process.start()

    def kill_now(self, *, restart: bool = False) -> None:
        for process in self.processes:
            process.kill_now(restart=restart)

    def kill_worker_now(self, number: int, *, restart: bool = False) -> None:
        """SIGKILL worker `number` (1-based) alone; 0 or an unknown number: every worker."""
        if 1 <= number <= len(self.processes):
            self.processes[number - 1].kill_now(restart=restart)
        else:
            self.kill_now(restart=restart)

    async def kill(self) -> None:
        self.kill_now()
        await asyncio.gather(*(process.kill() for process in self.processes))

    async def stop(self) -> None:
        await asyncio.gather(*(process.stop() for process in self.processes))

    async def supervise(self) -> None:
        for process in self.processes:
            await process.supervise()

    def first_errors(self) -> list[tuple[Path, str]]:
        """(log, its first ERROR or CRITICAL line) of each worker that logged one."""
        found = ((process.log_path, process.first_error()) for process in self.processes)
        return [(path, line) for path, line in found if line is not None]

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(process.log_tail(lines) for process in self.processes)
