"""The content gate: what a program must meet before a patient sees it, beyond what loading
it needs, and how readable each step is (`python -m bot programs check`).

Loading (programs/loader.py) lets an outline module through, so the bot runs while content
is being written; the gate does not:

- every module has text, and so does every step of it; a module marked `status: outline`
  cannot be opened by a patient, so it fails too;
- the module numbers program.yaml names exist: `measures[].with_modules`,
  `balance_after_modules`, `diary.types_from_module`;
- the readability index LIX of every step (programs/readability.py), a warning above
  `readability.max_lix` in program.yaml, never a failure.

Found elsewhere in the same check: a step in one language and not the other (the loader), a
measure naming a missing questionnaire (check.py), and what a step becomes as a Telegram
message, its length and buttons (bot/cli/message_sizes.py: rendering is the bot's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from .loader import PROGRAM_FILE, Problem, Program, YamlDoc, parse_yaml
from .models import Loc, Module, Step
from .readability import lix


def module_path(program: Program, lang: str, number: int) -> Path:
    return program.path / lang / f"module-{number}.yaml"


def content_problems(program: Program) -> list[Problem]:
    """Every module has text; every module number program.yaml gives exists."""
    problems: list[Problem] = []
    for lang in program.languages:
        for module in program.modules(lang):
            problems += _text_problems(module, module_path(program, lang, module.number))
    return problems + _module_numbers(program)


def _has_text(step: Step) -> bool:
    return bool(step.text and step.text.strip())


def _text_problems(module: Module, path: Path) -> list[Problem]:
    doc, _ = parse_yaml(path)
    if doc is None:  # the loader read it a moment ago; nothing to place problems in
        return []
    if not any(_has_text(step) for step in module.steps):
        return [
            Problem(
                path,
                doc.line(("status",)),
                f"module {module.number} has no text: its steps have titles only",
            )
        ]
    problems = [
        Problem(path, doc.line(("steps", i)), f"step '{step.id}' has no text")
        for i, step in enumerate(module.steps)
        if not _has_text(step)
    ]
    if not module.is_complete:
        problems.append(
            Problem(
                path,
                doc.line(("status",)),
                f"module {module.number} is marked 'status: {module.status}': "
                "a patient cannot open it",
            )
        )
    return problems


def _module_numbers(program: Program) -> list[Problem]:
    meta = program.meta
    path = program.path / PROGRAM_FILE
    doc, _ = parse_yaml(path)
    if doc is None:
        return []
    named: list[tuple[Loc, int]] = [
        (("measures", i, "with_modules", j), number)
        for i, measure in enumerate(meta.measures)
        for j, number in enumerate(measure.with_modules or ())
    ]
    named += [(("balance_after_modules", j), n) for j, n in enumerate(meta.balance_after_modules)]
    if meta.diary is not None and meta.diary.types_from_module is not None:
        named.append((("diary", "types_from_module"), meta.diary.types_from_module))
    return [
        _no_module(doc, loc, number, meta.total_modules)
        for loc, number in named
        if not 1 <= number <= meta.total_modules
    ]


def _no_module(doc: YamlDoc, loc: Loc, number: int, total: int) -> Problem:
    line, clean = doc.locate(loc)
    key = ".".join(str(part) for part in clean if isinstance(part, str))
    return Problem(doc.path, line, f"{key}: no module {number} (the program has 1-{total})")


# --------------------------------------------------------------------------- readability


@dataclass(frozen=True)
class StepReading:
    """The LIX of one step in one language, and where the step is written."""

    program: str
    lang: str
    module: int
    step: str
    path: Path
    line: int
    lix: float


def step_prose(step: Step) -> str:
    """What the patient reads of a step: its text, its film or audio as text, its question."""
    parts = [step.text or ""]
    if step.media is not None:
        parts.append(step.media.text_version)
    if step.exercise is not None:
        parts.append(step.exercise.prompt)
    return "\n".join(parts)


def readings(program: Program) -> list[StepReading]:
    """The LIX of every step that has words, in every language."""
    found: list[StepReading] = []
    for lang in program.languages:
        for module in program.modules(lang):
            path = module_path(program, lang, module.number)
            doc, _ = parse_yaml(path)
            for i, step in enumerate(module.steps):
                counts = lix(step_prose(step))
                if counts.words:
                    line = doc.line(("steps", i)) if doc is not None else 0
                    found.append(
                        StepReading(
                            program.id, lang, module.number, step.id, path, line, counts.value
                        )
                    )
    return found


def readability_report(programs: Iterable[Program], cwd: Path) -> list[str]:
    """A line per program and module (mean and max LIX per language), then a warning per
    step above the program's level."""
    lines: list[str] = []
    warnings: list[str] = []
    for program in programs:
        found = readings(program)
        lines.append(f"Readability of {program.id} (LIX per step, {_level_text(program)}):")
        for number in range(1, program.meta.total_modules + 1):
            parts = [
                f"{lang} {_module_text(program, lang, _of_module(found, lang, number))}"
                for lang in program.languages
            ]
            lines.append(f"  module {number}: " + "  ·  ".join(parts))
        warnings += [
            f"warning: {Problem(r.path, r.line, _warning(r, level)).format(cwd)}"
            for r in found
            if (level := _level(program, r.lang)) is not None and r.lix > level
        ]
    return lines + warnings


def _level(program: Program, lang: str) -> int | None:
    readability = program.meta.readability
    return readability.level(lang) if readability is not None else None


def _level_text(program: Program) -> str:
    levels = {lang: _level(program, lang) for lang in program.languages}
    if all(level is None for level in levels.values()):
        return "no readability.max_lix in program.yaml"
    if len(set(levels.values())) == 1:
        return f"warns above {next(iter(levels.values()))}"
    return "warns above " + ", ".join(f"{lang} {lvl}" for lang, lvl in levels.items() if lvl)


def _of_module(found: list[StepReading], lang: str, number: int) -> list[StepReading]:
    return [r for r in found if r.lang == lang and r.module == number]


def _module_text(program: Program, lang: str, group: list[StepReading]) -> str:
    if not group:
        return "no text"
    top = max(group, key=lambda r: r.lix)
    text = f"mean {mean(r.lix for r in group):.0f}, max {top.lix:.0f} ({top.step})"
    level = _level(program, lang)
    over = sum(1 for r in group if level is not None and r.lix > level)
    return text + (f", {over} over" if over else "")


def _warning(reading: StepReading, level: int) -> str:
    return f"step '{reading.step}': LIX {reading.lix:.0f}, above {level}"
