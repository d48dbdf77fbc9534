from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the valid fixture programs folder (holds program ``demo``)."""
    dest = tmp_path / "programs"
    shutil.copytree(VALID, dest)
    return dest
