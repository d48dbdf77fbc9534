"""The container files: the Dockerfile, .dockerignore and compose.yaml hold what running it
for real needs (a slim Python, a non-root user, the database on a volume, a health check on
/healthz, `python -m bot run`), and `docker build .` succeeds where a Docker daemon is
available (skipped, with the reason, where not)."""

from __future__ import annotations

import fnmatch
import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD_SECONDS = 1200


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    found: list[tuple[str, str]] = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = (pending + stripped).strip()
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        found.append((keyword.upper(), arguments.strip()))
    return found


def _all(keyword: str) -> list[str]:
    return [arguments for name, arguments in _instructions() if name == keyword]


def _exec_form(arguments: str) -> list[str]:
    return json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)


def test_slim_python_3_11_base():
    (base,) = _all("FROM")
    assert base.startswith("python:3.11-slim")


def test_it_runs_as_a_non_root_user():
    names = [name for name, _ in _instructions()]
    users = _all("USER")
    assert users, "no USER: the bot would run as root"
    assert users[-1] not in ("root", "0", "0:0")
    last_user = len(names) - 1 - names[::-1].index("USER")
    assert last_user < names.index("ENTRYPOINT")
    assert any("useradd" in run and "ikbt" in run for run in _all("RUN"))


def test_the_database_is_on_the_volume_data():
    assert any("/data" in _exec_form(volume) for volume in _all("VOLUME"))
    env = " ".join(_all("ENV"))
    assert "DATABASE_PATH=/data/" in env
    assert any("chown ikbt:ikbt /data" in run for run in _all("RUN"))


def test_the_health_check_asks_healthz_where_the_endpoint_listens():
    (check,) = _all("HEALTHCHECK")
    assert "/healthz" in check and "127.0.0.1" in check
    assert "METRICS_HOST=0.0.0.0" in " ".join(_all("ENV"))  # reachable inside the container


def test_the_entry_point_runs_python_m_bot_run():
    (entrypoint,) = _all("ENTRYPOINT")
    (command,) = _all("CMD")
    assert _exec_form(entrypoint) + _exec_form(command) == ["python", "-m", "bot", "run"]
    assert _all("STOPSIGNAL") == ["SIGTERM"]


def _ignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").removeprefix("**/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern):
            ignored = not negate
    return ignored


def test_what_the_dockerfile_copies_exists_and_secrets_stay_out():
    for copy in _all("COPY"):
        *sources, _target = copy.split()
        for source in sources:
            assert (ROOT / source).exists(), source
            assert not _ignored(source), f"{source} is excluded by .dockerignore"
    for secret in (".env", ".venv", ".git", "data", "bot.sqlite3", "x.sqlite3-wal"):
        assert _ignored(secret), f"{secret} would be sent to the Docker daemon"


def test_compose_runs_two_workers_on_postgresql_behind_one_proxy():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    workers = [services["worker-1"], services["worker-2"]]
    for worker in workers:
        assert worker["command"] == ["run", "--webhook"]
        assert worker["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert worker["environment"]["DATABASE_URL"].endswith("@postgres:5432/ikbt")
        assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert all(port.startswith("127.0.0.1:") for port in worker["ports"])
    assert services["postgres"]["image"].startswith("postgres:")
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "worker-1:8080 worker-2:8080" in caddyfile


def test_compose_runs_the_bot_with_its_volume_and_env_file():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert bot["build"] == "."
    assert bot["env_file"] == ".env"
    volume, _, mount = bot["volumes"][0].partition(":")
    assert mount == "/data" and volume in compose["volumes"]
    assert bot["environment"]["DATABASE_PATH"].startswith("/data/")
    assert bot["restart"] in ("unless-stopped", "always")
    assert all(port.startswith("127.0.0.1:") for port in bot["ports"])  # not on the network


def _docker_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "docker is not installed"
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "docker info did not answer in 30 s"
    if info.returncode != 0:
        return "no Docker daemon answers (docker info failed)"
    return None


@pytest.mark.slow
@pytest.mark.docker
def test_docker_build_succeeds_and_the_image_runs_the_bot():
    reason = _docker_unavailable()
    if reason:
        pytest.skip(reason)
    tag = "ikbt-bot:test"
    built = subprocess.run(
        ["docker", "build", "--tag", tag, "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_SECONDS,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    inspected = subprocess.run(
        ["docker", "image", "inspect", tag], capture_output=True, text=True, check=True
    )
    config = json.loads(inspected.stdout)[0]["Config"]
    assert config["Entrypoint"] + config["Cmd"] == ["python", "-m", "bot", "run"]
    assert config["User"] == "ikbt"
    assert "/data" in config["Volumes"]
    assert "/healthz" in " ".join(config["Healthcheck"]["Test"])
    # The installed package has its content: the programs check passes inside the image.
    checked = subprocess.run(
        ["docker", "run", "--rm", tag, "programs", "check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
