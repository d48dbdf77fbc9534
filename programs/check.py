"""``python -m bot programs check [DIR]``: validate programs, print FILE:LINE: message."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .loader import PROGRAM_FILE, Problem, check_programs, default_programs_dir


def main(argv: list[str] | None = None) -> int:
    """Check DIR (a folder of programs, or one program folder). Returns 0 when clean."""
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
    for problem in result.problems:
        print(problem.format(cwd))
    if result.problems:
        print(f"{len(result.problems)} problem(s) found", file=sys.stderr)
        return 1
    if not result.programs:
        print(Problem(root, 0, f"no programs found (no */{PROGRAM_FILE})").format(cwd))
        return 1
    print(f"OK: {len(result.programs)} programs, {result.module_files} modules checked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
