"""Every conversation script in tests/scripts/ and examples/ runs against the real bot and holds."""

from io import StringIO
from pathlib import Path

import pytest

from bot.devtools.demo import run_script

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "tests" / "scripts").glob("*.chat")) + sorted(
    (ROOT / "examples").glob("*.chat")
)


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_script_holds(script: Path, tmp_path: Path) -> None:
    out = StringIO()
    code = run_script(script, db_path=tmp_path / "bot.sqlite3", out=out)
    assert code == 0, out.getvalue()[-6000:]


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) >= 4
