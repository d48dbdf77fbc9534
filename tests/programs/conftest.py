from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# VALID loads (its module 2 is an outline, as the bot allows while content is written);
# CLEAN also passes the content gate of `python -m bot programs check` (every step written).
VALID = FIXTURES / "valid"
CLEAN = FIXTURES / "clean"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the valid fixture programs folder (holds program ``demo``)."""
    dest = tmp_path / "programs"
    shutil.copytree(VALID, dest)
    return dest


@pytest.fixture
def clean_root(tmp_path: Path) -> Path:
    """A writable copy of the clean fixture programs folder (holds program ``demo``)."""
    dest = tmp_path / "programs"
    shutil.copytree(CLEAN, dest)
    return dest
