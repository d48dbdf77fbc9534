"""Our content goes under our own names: no other organisation's program name in anything a
patient or therapist sees (the catalogues, every program and questionnaire file, the
examples). The seeds in ../shared/seeds may keep them: they are not ours and not shipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The licensed program names found in the seed material, and the English rendering we once
# used for the first of them. "PLUS" only in capitals: "plus" is an ordinary word.
LICENSED = (
    re.compile(r"depressionshjälp\w*", re.IGNORECASE),
    re.compile(r"internethjälp\w*", re.IGNORECASE),
    re.compile(r"ångesthjälp\w*", re.IGNORECASE),
    re.compile(r"oroshjälp\w*", re.IGNORECASE),
    re.compile(r"stresshjälp\w*", re.IGNORECASE),
    re.compile(r"depression help", re.IGNORECASE),
    re.compile(r"\bPLUS\b"),
)


def seen_files() -> list[Path]:
    """Every file whose words reach a patient or a therapist."""
    return sorted(
        [
            *(ROOT / "bot" / "locales").glob("*/LC_MESSAGES/messages.po"),
            *(ROOT / "programs").rglob("*.yaml"),
            *(ROOT / "programs").rglob("*.yml"),
            *(ROOT / "examples").glob("*.chat"),
        ]
    )


def licensed_names(text: str) -> list[str]:
    return [match.group(0) for pattern in LICENSED for match in pattern.finditer(text)]


def test_the_files_are_found() -> None:
    names = {path.name for path in seen_files()}
    assert "messages.po" in names and "program.yaml" in names and "phq9.yaml" in names


@pytest.mark.parametrize("path", seen_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_licensed_program_name(path: Path) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {name}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for name in licensed_names(line)
    ]
    assert found == []


def test_the_names_are_recognised() -> None:
    assert licensed_names("Välkommen till Depressionshjälpen!") == ["Depressionshjälpen"]
    assert licensed_names("welcome to Depression Help") == ["Depression Help"]
    assert licensed_names("PLUS – stöd för psykisk hälsa") == ["PLUS"]
    assert licensed_names("Ångesthjälpen och Internethjälpen") == [
        "Internethjälpen",
        "Ångesthjälpen",
    ]
    assert licensed_names("två plus två; självhjälp; Steg för steg") == []
