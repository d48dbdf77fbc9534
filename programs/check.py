"""``python -m bot programs check [DIR]``: validate programs and questionnaires, and hold
programs to the content gate (programs/gate.py); print FILE:LINE: message per problem, then
the readability of every module (LIX) with a warning per step above the program's level.
Questionnaires: the bundled ``programs/questionnaires/`` without DIR, ``DIR/questionnaires/``
when DIR has one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection
from pathlib import Path

from .gate import content_problems, readability_report
from .loader import PROGRAM_FILE, Problem, Program, check_programs, default_programs_dir
from .questionnaire_loader import (
    QUESTIONNAIRES_DIR,
    QuestionnaireCheck,
    check_questionnaires,
    default_questionnaires_dir,
)


def main(
    argv: list[str] | None = None,
    *,
    schedule_kinds: Collection[str] | None = None,
    measure: Callable[[Program], list[Problem]] | None = None,
) -> int:
    """Check DIR (a folder of programs, or one program folder). Returns 0 when clean.
    `schedule_kinds`: the reminder kinds a program may give by default (the bot's registry,
    bot/reminders/kinds/); `measure`: what each step becomes as a Telegram message (the bot's
    bot/cli/message_sizes.py). None: not checked here."""
    parser = argparse.ArgumentParser(
        prog="python -m bot programs check",
        description="Validate program folders (see docs/program-format.md).",
    )
    parser.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=None,
        help="a folder of programs or a single program folder (default: bundled programs)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    root: Path = args.dir if args.dir is not None else default_programs_dir()
    cwd = Path.cwd()

    if not root.is_dir():
        print(Problem(root, 0, "not a folder").format(cwd))
        return 1
    result = check_programs(root)
    q_dir = default_questionnaires_dir() if args.dir is None else root / QUESTIONNAIRES_DIR
    questionnaires = check_questionnaires(q_dir) if q_dir.is_dir() else None
    problems = result.problems + (questionnaires.problems if questionnaires else [])
    known = set(check_questionnaires(default_questionnaires_dir()).questionnaires)
    if questionnaires:
        known |= set(questionnaires.questionnaires)
    problems += _unknown_measures(result.programs, known)
    if schedule_kinds is not None:
        problems += _unknown_schedule_kinds(result.programs, schedule_kinds)
    for program in result.programs.values():
        problems += content_problems(program) + (measure(program) if measure else [])
    for problem in problems:
        print(problem.format(cwd))
    for line in readability_report(result.programs.values(), cwd):
        print(line)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    if not result.programs and not (questionnaires and questionnaires.files):
        print(Problem(root, 0, f"no programs found (no */{PROGRAM_FILE})").format(cwd))
        return 1
    print(f"OK: {_summary(result.programs, result.module_files, questionnaires)}")
    return 0


def _summary(programs: dict, module_files: int, questionnaires: QuestionnaireCheck | None) -> str:
    text = f"{len(programs)} programs, {module_files} modules"
    if questionnaires is not None:
        text += f", {len(questionnaires.questionnaires)} questionnaires"
    return text + " checked"


def _unknown_measures(programs, known: set[str]) -> list[Problem]:
    """A program's measures (and its final measurement) must name questionnaires that exist
    (bundled or beside it)."""
    return [
        _problem(program, "questionnaire", measure.questionnaire, "measures: no questionnaire")
        for program in programs.values()
        for measure in program.meta.measures
        if measure.questionnaire not in known
    ] + [
        _problem(program, "final_measures", questionnaire, "final_measures: no questionnaire")
        for program in programs.values()
        for questionnaire in program.meta.final_measures
        if questionnaire not in known
    ]


def _unknown_schedule_kinds(programs, kinds: Collection[str]) -> list[Problem]:
    """A program's default schedules must name reminder kinds the bot has."""
    known = ", ".join(sorted(kinds))
    return [
        _problem(
            program,
            "kind",
            default.kind,
            "schedules: no reminder kind",
            after=f" (known: {known})",
        )
        for program in programs.values()
        for default in program.meta.schedules
        if default.kind not in kinds
    ]


def _problem(program, key: str, value: str, what: str, *, after: str = "") -> Problem:
    """`what 'value'` at the line of program.yaml that says `key: value`, or `- value` in the
    list under `key:` (0 when not found)."""
    meta_file = program.path / PROGRAM_FILE
    lines = meta_file.read_text(encoding="utf-8").splitlines()
    under = next((i for i, text in enumerate(lines) if text.strip() == f"{key}:"), None)
    line = next(
        (
            number
            for number, text in enumerate(lines, start=1)
            if text.strip().removeprefix("- ").startswith(f"{key}: {value}")
            or (under is not None and number > under and text.strip() == f"- {value}")
        ),
        0,
    )
    return Problem(meta_file, line, f"{what} '{value}'{after}")


if __name__ == "__main__":
    raise SystemExit(main())
