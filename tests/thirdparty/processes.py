"""Child processes for the third-party emulator test: telegram-test-api (node), the proxy and
the bot. Each runs in its own process group with its output in a file, and is stopped with
its whole group, so no server outlives the test."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SHARED_EMULATOR = ROOT.parent / "shared" / "third-party-emulator"
START_SECONDS = 20.0
NPM_INSTALL_SECONDS = 300


class Child:
    def __init__(self, name: str, args: list[str], *, cwd: Path, env: dict | None = None):
        self.name = name
        self.log_path = cwd / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def stop(self) -> None:
        for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break  # the group is gone already
            try:
                self.process.wait(grace)
                break
            except subprocess.TimeoutExpired:
                continue
        self._log.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready: Callable[[], bool], child: Child, what: str) -> None:
    """Until `ready()` holds; fails at once if the child ended, or after START_SECONDS."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        if not child.alive():
            raise AssertionError(f"{child.name} ended before {what}:\n{child.tail()}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {START_SECONDS} s:\n{child.tail()}")
        time.sleep(0.2)


# ---- telegram-test-api --------------------------------------------------------------------


def copy_emulator(folder: Path) -> Path:
    """A writable copy of the shared folder (read-only in CI)."""
    if not (SHARED_EMULATOR / "server.js").exists():
        raise AssertionError(f"the third-party emulator is not at {SHARED_EMULATOR}")
    target = folder / "tpe"
    shutil.copytree(SHARED_EMULATOR, target, copy_function=shutil.copyfile)
    for directory, _, _ in os.walk(target):
        os.chmod(directory, 0o755)
    return target


def install_node_modules(emulator: Path, npm: str, cache: Path | None) -> None:
    """`npm install`, or a link to the node_modules an earlier run installed from the same
    package.json (kept in `cache`, e.g. the pytest cache)."""
    key = hashlib.sha256((emulator / "package.json").read_bytes()).hexdigest()[:16]
    # Named node_modules itself: node looks for a package's dependencies beside it there.
    cached = cache / key / "node_modules" if cache else None
    if cached and (cached / "telegram-test-api" / "package.json").exists():
        (emulator / "node_modules").symlink_to(cached, target_is_directory=True)
        return
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=emulator,
            capture_output=True,
            text=True,
            timeout=NPM_INSTALL_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"npm install of telegram-test-api took over {NPM_INSTALL_SECONDS} s"
            " (is the npm registry reachable?)"
        ) from None
    if done.returncode != 0:
        raise AssertionError(
            f"npm install of telegram-test-api failed (exit {done.returncode}; is the npm"
            f" registry reachable?):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    if cached:
        _keep(emulator / "node_modules", cached)


def _keep(node_modules: Path, cached: Path) -> None:
    """Copy beside, then rename: a parallel run sees a whole folder or none."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    shutil.copytree(node_modules, partial, symlinks=True)
    try:
        partial.rename(cached)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)  # another run kept it first


def server_on_port(emulator: Path, port: int) -> Path:
    """server.js with its port from the command line; nothing else changes."""
    source = (emulator / "server.js").read_text(encoding="utf-8")
    if source.count("port: 9077") != 1:
        raise AssertionError("server.js changed: 'port: 9077' is no longer there once")
    script = emulator / "server_on_port.js"
    script.write_text(source.replace("port: 9077", "port: Number(process.argv[2])"), "utf-8")
    return script


def start_test_api(emulator: Path, node: str) -> tuple[Child, str]:
    port = free_port()
    script = server_on_port(emulator, port)
    child = Child("telegram-test-api", [node, script.name, str(port)], cwd=emulator)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        response = httpx.post(url + "/getUpdatesHistory", json={"token": "x"}, timeout=2)
        return response.status_code == 200

    wait_until(ready, child, "telegram-test-api answered")
    return child, url


def start_proxy(emulator: Path, test_api_url: str, token: str, *flags: str) -> tuple[Child, str]:
    port = free_port()
    upstream = test_api_url.rsplit(":", 1)[1]
    name = "proxy" + "".join(flag.replace("--", "_") for flag in flags)
    args = [sys.executable, "proxy.py", upstream, str(port), *flags]
    child = Child(name, args, cwd=emulator)
    base_url = f"http://127.0.0.1:{port}/bot"

    def ready() -> bool:
        response = httpx.get(f"{base_url}{token}/getMe", timeout=2)
        return response.status_code == 200 and response.json()["result"].get("is_bot") is True

    wait_until(ready, child, "the proxy answered getMe")
    return child, base_url


# ---- the bot ------------------------------------------------------------------------------


def bot_environment(token: str, api_base_url: str, database: Path) -> dict[str, str]:
    """The environment without any of the bot's settings a developer may have set, plus ours."""
    ours = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key not in ours}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=api_base_url,
        DATABASE_PATH=str(database),
        TICK_INTERVAL_SECONDS="0.5",
        LOG_LEVEL="INFO",
        METRICS_PORT="",  # no operations endpoint: tests run side by side
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


def add_staff(env: dict, folder: Path, name: str, role: str, unit: str) -> str:
    """`python -m bot staff add`; the one-time link it prints."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "staff", "add", "--name", name, "--role", role,
         "--unit", unit],
        cwd=folder,  # no .env here: only the environment above counts
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, f"staff add failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def start_bot(env: dict, folder: Path) -> Child:
    child = Child("bot", [sys.executable, "-m", "bot", "run"], cwd=folder, env=env)
    wait_until(lambda: "bot started as" in child.log(), child, "the bot started")
    return child
