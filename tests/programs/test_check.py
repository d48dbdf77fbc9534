from __future__ import annotations

import os
from pathlib import Path

import pytest

from programs import check
from programs.loader import check_programs, default_programs_dir, program_dirs

from .conftest import CLEAN
from .helpers import edit, line_of


def test_check_valid_folder_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([str(CLEAN)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "OK: 1 programs, 4 modules checked"


def test_check_single_program_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([str(CLEAN / "demo")]) == 0
    assert "OK: 1 programs, 4 modules checked" in capsys.readouterr().out


def test_check_invalid_exit_1_paths_relative_to_cwd(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = root / "demo" / "en" / "module-1.yaml"
    edit(path, "label: In the evening", "label: " + "y" * 50)
    edit(root / "demo" / "sv" / "module-2.yaml", "  - id: plan\n", "  - id: plan\n    oops: 1\n")
    monkeypatch.chdir(root.parent)
    assert check.main(["programs"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"programs/demo/en/module-1.yaml:{line_of(path, 'y' * 50)}: "
        "steps[2].exercise.options[0].label: String should have at most 40 characters (has 50)",
        "programs/demo/sv/module-2.yaml:8: unknown key 'oops'",
    ]
    assert not any(line.startswith("OK") for line in out)


def test_check_yaml_syntax_error(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "demo" / "program.yaml").write_text("id: demo\nlanguages: [sv, en\n", "utf-8")
    assert check.main([str(root)]) == 1
    out = capsys.readouterr().out
    assert "program.yaml:" in out and "YAML syntax error" in out


def test_check_missing_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([str(tmp_path / "nope")]) == 1
    assert "not a folder" in capsys.readouterr().out


def test_check_empty_dir_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([str(tmp_path)]) == 1
    assert "no programs found" in capsys.readouterr().out


def test_bundled_programs_are_valid() -> None:
    root = default_programs_dir()
    if not program_dirs(root):
        pytest.skip("no bundled programs yet")
    result = check_programs(root)
    cwd = Path(os.getcwd())
    assert result.problems == [], "\n" + "\n".join(p.format(cwd) for p in result.problems)
    assert result.programs


def test_check_final_measures_name_questionnaires_that_exist(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = root / "demo" / "program.yaml"
    meta.write_text(
        meta.read_text("utf-8") + "final_measures:\n  - phq9\n  - no-such-form\n", "utf-8"
    )
    assert check.main([str(root)]) == 1
    out = capsys.readouterr().out
    assert (
        f"program.yaml:{line_of(meta, '- no-such-form')}: final_measures: no questionnaire" in out
    )
    assert "'phq9'" not in out
