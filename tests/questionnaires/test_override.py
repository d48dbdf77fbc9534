"""load_questionnaires(bundled, override): a dropped-in file replaces or adds by id."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from programs.loader import ProgramError
from programs.questionnaire_loader import (
    QuestionnaireError,
    default_questionnaires_dir,
    load_questionnaires,
)

from ..programs.helpers import edit, line_of
from .conftest import DEMO

BUNDLED_IDS = ["depression-registration", "gad7", "madrs-s", "phq9"]


def licensed_phq9(folder: Path) -> Path:
    """A clinic's PHQ-9: the bundled file with other wording, Swedish only."""
    folder.mkdir(exist_ok=True)
    path = folder / "phq9.yaml"
    shutil.copy(default_questionnaires_dir() / "phq9.yaml", path)
    edit(path, "wording: own\n", "wording: licensed\nlanguages: [sv]\n")
    text = re.sub(r", en: [^}]*\}", "}", path.read_text("utf-8"))  # {sv: .., en: ..}
    text = re.sub(r"(?m)^ +en: .*\n", "", text)  # en: on a line of its own
    text = text.replace("title: {sv: PHQ-9}", "title: {sv: PHQ-9 (licens)}")
    path.write_text(text, "utf-8")
    return path


def test_default_is_the_bundled_folder() -> None:
    assert list(load_questionnaires()) == BUNDLED_IDS
    assert list(load_questionnaires(default_questionnaires_dir(), None)) == BUNDLED_IDS


def test_a_file_with_the_same_id_replaces_the_bundled_one(tmp_path: Path) -> None:
    licensed_phq9(tmp_path / "clinic")
    loaded = load_questionnaires(default_questionnaires_dir(), tmp_path / "clinic")
    assert list(loaded) == BUNDLED_IDS
    phq9 = loaded["phq9"]
    assert phq9.wording == "licensed" and phq9.languages == ["sv"]
    assert phq9.title == {"sv": "PHQ-9 (licens)"}
    assert phq9.text(phq9.title, "en") == "PHQ-9 (licens)"  # falls back to the first language
    assert loaded["gad7"].wording == "own"  # the others stay bundled


def test_a_new_id_adds_a_questionnaire(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "demo.yaml").write_text(DEMO, "utf-8")
    loaded = load_questionnaires(default_questionnaires_dir(), clinic)
    assert sorted(loaded) == sorted(BUNDLED_IDS + ["demo"])


def test_an_invalid_override_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    path = licensed_phq9(tmp_path / "clinic")
    edit(path, "max: 27", "max: 26")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaires(default_questionnaires_dir(), tmp_path / "clinic")
    line = line_of(path, "max: 26")
    band = line_of(path, "{min: 20, max: 27")
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}: scoring.max: max is 26 but the items' highest values add up to 27",
        f"{path}:{band}: scoring.bands[4].max: the last band ends at 27 but scoring.max is 26",
    ]
    assert isinstance(caught.value, ProgramError)  # caught where program errors are


def test_an_override_file_named_unlike_its_id(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "phq-9.yaml").write_text(DEMO, "utf-8")
    with pytest.raises(QuestionnaireError, match="must equal the file name 'phq-9'"):
        load_questionnaires(default_questionnaires_dir(), clinic)


def test_a_missing_override_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="questionnaires folder does not exist"):
        load_questionnaires(default_questionnaires_dir(), tmp_path / "nope")


def test_other_files_are_ignored(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "README.md").write_text("licensed texts\n", "utf-8")
    assert list(load_questionnaires(default_questionnaires_dir(), clinic)) == BUNDLED_IDS
