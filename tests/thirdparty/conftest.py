from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.thirdparty import processes
from tests.thirdparty.processes import Child


@dataclass
class ThirdPartyServer:
    url: str
    folder: Path  # the copy of ../shared/third-party-emulator, with node_modules
    child: Child


@pytest.fixture(scope="module")
def test_api_server(request, tmp_path_factory):
    """telegram-test-api on a free port, for every test of the module (each test uses its own
    bot token, so their updates and messages do not mix)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run telegram-test-api, and are not installed")
    emulator = processes.copy_emulator(tmp_path_factory.mktemp("third-party-emulator"))
    cache_provider = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    cache = cache_provider.mkdir("telegram-test-api") if cache_provider else None
    processes.install_node_modules(emulator, npm, cache)
    child, url = processes.start_test_api(emulator, node)
    try:
        yield ThirdPartyServer(url, emulator, child)
    finally:
        child.stop()


@pytest.fixture
def children():
    """Every process a test starts; all stopped (with their process groups) at its end."""
    started: list[Child] = []
    yield started
    for child in reversed(started):
        child.stop()
