from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from programs.loader import (
    ProgramCatalog,
    ProgramError,
    default_programs_dir,
    load_program,
    load_programs,
)
from programs.models import ChoiceExercise, FreeTextExercise, Module

from .conftest import VALID


def test_valid_fixture_loads() -> None:
    catalog = load_programs(VALID)
    assert isinstance(catalog, ProgramCatalog)
    assert catalog.ids() == ["demo"]
    assert list(catalog) == ["demo"] and len(catalog) == 1
    assert catalog.get("nope") is None
    program = catalog.get("demo")
    assert program is catalog["demo"]
    assert program.id == "demo"
    assert program.module_count == 2
    assert program.languages == ["sv", "en"]
    assert program.default_language == "sv"
    assert program.title("en") == "Demo Program"
    assert program.title("sv") == "Demoprogrammet"


def test_module_lookup_and_language_fallback() -> None:
    program = load_programs(VALID)["demo"]
    assert program.module(1, "en").title == "Welcome"
    assert program.module(1, "sv").title == "Välkommen"
    assert program.module(1, "de").title == "Välkommen"  # first language
    assert program.module(1, None).title == "Välkommen"
    assert program.module(1, "en-GB").title == "Welcome"  # Telegram language_code style
    assert program.title("fr") == "Demoprogrammet"
    assert program.module(2, "en").status == "outline"
    with pytest.raises(KeyError):
        program.module(3, "en")
    with pytest.raises(KeyError):
        program.module(0, "en")


def test_module_content() -> None:
    module = load_programs(VALID)["demo"].module(1, "sv")
    assert module.is_complete and module.number == 1
    assert module.step_ids() == ["welcome", "goals", "pace"]
    welcome = module.step("welcome")
    assert welcome.media is not None and welcome.media.kind == "video"
    assert "Anna" in welcome.media.text_version
    goals = module.step("goals").exercise
    assert isinstance(goals, FreeTextExercise) and goals.required is True
    pace = module.step("pace").exercise
    assert isinstance(pace, ChoiceExercise)
    # YAML 1.1 would read `no` as false; the loader keeps it a string
    assert [o.id for o in pace.options] == ["morning", "evening", "no"]
    assert pace.option("evening").label == "På kvällen"
    outline = load_programs(VALID)["demo"].module(2, "sv")
    assert outline.steps[0].text is None and outline.summary is None


def test_models_are_frozen() -> None:
    module = load_programs(VALID)["demo"].module(1, "sv")
    with pytest.raises(ValidationError):
        module.title = "x"  # type: ignore[misc]


def test_models_enforce_rules_when_built_directly() -> None:
    step = {"id": "a", "title": "A", "text": "t"}
    with pytest.raises(ValidationError, match="duplicate step id 'a'"):
        Module(number=1, title="M", status="complete", summary="s", steps=[step, step])
    with pytest.raises(ValidationError, match="needs a summary"):
        Module(number=1, title="M", status="complete", steps=[step])
    Module(number=1, title="M", status="outline", steps=[{"id": "a", "title": "A"}])


def test_load_program_single_folder() -> None:
    program = load_program(VALID / "demo")
    assert program.id == "demo" and program.path == VALID / "demo"


def test_ignores_folders_without_program_yaml_and_questionnaires(root: Path) -> None:
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "x.pyc").write_bytes(b"\0")
    q = root / "questionnaires"
    q.mkdir()
    (q / "program.yaml").write_text("phq9: [broken", encoding="utf-8")
    (root / "notes.txt").write_text("not a program", encoding="utf-8")
    assert load_programs(root).ids() == ["demo"]


def test_load_programs_lists_every_problem_of_every_program(root: Path) -> None:
    shutil.copytree(root / "demo", root / "other")
    (root / "demo" / "sv" / "module-2.yaml").unlink()
    with pytest.raises(ProgramError) as info:
        load_programs(root)
    messages = [str(p) for p in info.value.problems]
    assert any("sv/module-2.yaml is missing" in m for m in messages)
    assert any("id 'demo' must equal the folder name 'other'" in m for m in messages)
    assert "sv/module-2.yaml is missing" in str(info.value)


def test_missing_root_raises(tmp_path: Path) -> None:
    with pytest.raises(ProgramError):
        load_programs(tmp_path / "nope")


def test_default_programs_dir() -> None:
    import programs

    assert default_programs_dir() == Path(programs.__file__).resolve().parent
    assert (default_programs_dir() / "__init__.py").is_file()
