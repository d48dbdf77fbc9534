"""Load and validate questionnaires (docs/questionnaire-format.md), reporting FILE:LINE.

One YAML file per questionnaire, ``<id>.yaml``. ``load_questionnaires(bundled, override)``
loads the bundled folder, then lets every file of the override folder replace the bundled
questionnaire with the same id (a clinic's licensed wording) or add a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .loader import Problem, ProgramError, YamlDoc, parse_yaml, validate_doc
from .models import Loc
from .questionnaire_models import ANSWER_TAGS, Questionnaire

QUESTIONNAIRES_DIR = "questionnaires"
SUFFIX = ".yaml"


def default_questionnaires_dir() -> Path:
    """The bundled questionnaires: ``programs/questionnaires/``."""
    return Path(__file__).resolve().parent / QUESTIONNAIRES_DIR


class QuestionnaireError(ProgramError):
    """One or more questionnaire files are invalid; ``problems`` lists every problem."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        lines = "\n".join(str(p) for p in self.problems)
        self.args = (f"{len(self.problems)} problem(s) in questionnaires:\n{lines}",)


class _Doc(YamlDoc):
    """A YamlDoc that skips the tags pydantic adds for the two shapes of ``answers``."""

    def locate(self, loc: Loc) -> tuple[int, Loc]:
        clean = tuple(
            part
            for i, part in enumerate(loc)
            if not (part in ANSWER_TAGS and i > 0 and loc[i - 1] == "answers")
        )
        return super().locate(clean)


@dataclass
class QuestionnaireCheck:
    """Outcome of checking a folder: the valid questionnaires and every problem found."""

    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


def load_questionnaire_file(path: Path) -> tuple[Questionnaire | None, list[Problem]]:
    """Parse and validate one file; the id must equal the file name."""
    doc, problems = parse_yaml(Path(path))
    if doc is None:
        return None, problems
    doc = _Doc(doc.path, doc.data, doc.node)
    obj, more = validate_doc(doc, Questionnaire)
    problems = problems + more
    if obj is not None and obj.id != doc.path.stem:
        problems.append(
            Problem(
                doc.path,
                doc.line(("id",)),
                f"id '{obj.id}' must equal the file name '{doc.path.stem}'",
            )
        )
    return (None if problems else obj), sorted(problems)


def check_questionnaires(folder: Path) -> QuestionnaireCheck:
    """Check every ``*.yaml`` in ``folder`` (not recursive)."""
    folder = Path(folder)
    result = QuestionnaireCheck()
    if not folder.is_dir():
        result.problems.append(Problem(folder, 0, "questionnaires folder does not exist"))
        return result
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.suffix == ".yml":
            result.problems.append(
                Problem(path, 1, f"name questionnaire files <id>{SUFFIX}, not .yml")
            )
            continue
        if path.suffix != SUFFIX:
            continue
        result.files += 1
        questionnaire, problems = load_questionnaire_file(path)
        result.problems += problems
        if questionnaire is not None:
            result.questionnaires[questionnaire.id] = questionnaire
    return result


def load_questionnaires(
    bundled_dir: Path | None = None, override_dir: Path | None = None
) -> dict[str, Questionnaire]:
    """Questionnaire id -> Questionnaire.

    ``bundled_dir`` defaults to ``programs/questionnaires/``. A file in ``override_dir`` with
    the same id replaces the bundled questionnaire; a new id adds one. Raises
    ``QuestionnaireError`` listing every problem of both folders (an invalid override never
    falls back silently to the bundled file).
    """
    bundled = check_questionnaires(
        Path(bundled_dir) if bundled_dir is not None else default_questionnaires_dir()
    )
    problems = list(bundled.problems)
    questionnaires = dict(bundled.questionnaires)
    if override_dir is not None:
        override = check_questionnaires(Path(override_dir))
        problems += override.problems
        questionnaires.update(override.questionnaires)
    if problems:
        raise QuestionnaireError(problems)
    return dict(sorted(questionnaires.items()))
