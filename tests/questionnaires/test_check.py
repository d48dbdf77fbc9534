"""``python -m bot programs check [DIR]`` also checks the questionnaires."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from programs import check

from ..programs.conftest import CLEAN
from ..programs.helpers import edit, line_of
from .conftest import DEMO


# Until modules 4-7 land: in this branch they are outlines, which the content gate refuses.
def test_bundled_check_counts_questionnaires(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([]) == 0
    out = capsys.readouterr().out.splitlines()[-1]
    assert out.startswith("OK: ") and out.endswith(", 4 questionnaires checked")


def test_dir_with_questionnaires(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "programs"
    shutil.copytree(CLEAN, root)
    (root / "questionnaires").mkdir()
    (root / "questionnaires" / "demo.yaml").write_text(DEMO, "utf-8")
    assert check.main([str(root)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "OK: 1 programs, 4 modules, 1 questionnaires checked"


def test_dir_questionnaire_problem_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "programs"
    shutil.copytree(CLEAN, root)
    (root / "questionnaires").mkdir()
    path = root / "questionnaires" / "demo.yaml"
    path.write_text(DEMO, "utf-8")
    edit(path, "both: [a, b]", "both: [a, c]")
    monkeypatch.chdir(tmp_path)
    assert check.main(["programs"]) == 1
    out = capsys.readouterr().out.split("\nReadability of")[0]  # the programs' LIX follows
    assert out.splitlines() == [
        f"programs/questionnaires/demo.yaml:{line_of(path, 'both: [a, c]')}: "
        "scoring.subscales.both[1]: subscale 'both': no item 'c'"
    ]


def test_dir_without_questionnaires_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([str(CLEAN)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "OK: 1 programs, 4 modules checked"
