"""Every diagram a file names (`see forms.mmd`, `dialogues/*.mmd`) exists beside the dialogues."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIALOGUES = ROOT / "dialogues"
SOURCES = ("bot", "dialogues", "programs", "storage", "docs")


def _named_diagrams() -> set[str]:
    files = [ROOT / "README.md"]
    for folder in SOURCES:
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md")]
    names = set()
    for path in files:
        names |= set(re.findall(r"\b([a-z_]+)\.mmd\b", path.read_text(encoding="utf-8")))
    return names


def test_every_named_diagram_exists() -> None:
    named = _named_diagrams()
    assert "forms" in named  # the search finds the references
    missing = sorted(name for name in named if not (DIALOGUES / f"{name}.mmd").exists())
    assert missing == []


def test_every_diagram_says_what_it_shows_then_is_mermaid() -> None:
    for diagram in DIALOGUES.glob("*.mmd"):
        lines = diagram.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("%% "), diagram.name
        kind = next(line for line in lines if not line.startswith("%%"))
        assert kind in ("stateDiagram-v2", "flowchart LR", "flowchart TD"), diagram.name
