"""Where the Bot API reference is, and what its absence means for the conformance checks
(tests/devtools/test_conformance.py, tests/test_scripts.py): in CI (the environment variable
CI is "true") a failure, elsewhere a skip that says why. Never a silent pass."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

API_JSON = Path(__file__).resolve().parents[1].parent / "shared" / "telegram-bot-api" / "api.json"


def require_api_json(path: Path = API_JSON) -> Path:
    """``path`` when it exists; otherwise fails the test in CI and skips it elsewhere."""
    if path.exists():
        return path
    reason = f"the Bot API reference is not at {path}, so requests were not checked"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the conformance check must run)", pytrace=False)
    pytest.skip(reason)
