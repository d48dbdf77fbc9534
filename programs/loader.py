"""Load and validate programs (docs/program-format.md), reporting problems as FILE:LINE.

YAML is composed into a node tree first, so every pydantic error location
(``("steps", 2, "exercise", "options", 0, "label")``) can be walked back to the line of
that key or item in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .models import (
    DEFER_RULES,
    ChoiceExercise,
    Loc,
    Module,
    ProgramMeta,
    format_loc,
    rule_problems,
)

PROGRAM_FILE = "program.yaml"
#: Folders inside a programs root that are never programs.
IGNORED_DIRS = frozenset({"questionnaires"})
MODULE_FILE_RE = re.compile(r"^module-(\d+)\.ya?ml$")

M = TypeVar("M", bound=BaseModel)


def default_programs_dir() -> Path:
    """The bundled programs: the folder containing ``programs/__init__.py``."""
    return Path(__file__).resolve().parent


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str

    def format(self, relative_to: Path | None = None) -> str:
        path = self.path
        if relative_to is not None:
            try:
                path = path.resolve().relative_to(relative_to.resolve())
            except ValueError:
                pass
        return f"{path}:{self.line}: {self.message}"

    def __str__(self) -> str:
        return self.format()


class ProgramError(Exception):
    """A program (or several) is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in programs:\n{lines}")


# --------------------------------------------------------------------------- YAML


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false are booleans, so ``no``, ``on``,
    ``yes`` (e.g. the language code ``no`` or an option id ``yes``) stay strings."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class YamlDoc:
    """A parsed YAML file: the constructed data plus the node tree for line lookups."""

    path: Path
    data: Any
    node: Node | None

    def locate(self, loc: Loc) -> tuple[int, Loc]:
        """Line (1-based) of the deepest key/item of ``loc`` present in the file, and
        ``loc`` without pydantic's discriminator tags (for messages)."""
        if self.node is None:
            return 1, tuple(loc)
        node = self.node
        line = node.start_mark.line + 1
        clean: list[str | int] = []
        parts = list(loc)
        i = 0
        while i < len(parts):
            part = parts[i]
            if isinstance(node, MappingNode):
                found = _mapping_get(node, str(part))
                if found is None:
                    kind = _mapping_get(node, "kind")
                    if (
                        kind is not None
                        and isinstance(kind[1], ScalarNode)
                        and (kind[1].value == part)
                    ):
                        i += 1  # discriminator tag inserted by pydantic, not a key
                        continue
                    clean.extend(parts[i:])
                    break
                key, node = found
                line = key.start_mark.line + 1
            elif (
                isinstance(node, SequenceNode)
                and isinstance(part, int)
                and (0 <= part < len(node.value))
            ):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                clean.extend(parts[i:])
                break
            clean.append(part)
            i += 1
        return line, tuple(clean)

    def line(self, loc: Loc) -> int:
        return self.locate(loc)[0]


def _mapping_get(node: MappingNode, key: str) -> tuple[Node, Node] | None:
    found = None
    for k, v in node.value:  # the last one wins, as in the constructed data
        if isinstance(k, ScalarNode) and k.value == key:
            found = (k, v)
    return found


def _duplicate_keys(path: Path, node: Node | None) -> list[Problem]:
    problems: list[Problem] = []
    stack = [node] if node is not None else []
    seen_nodes: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen_nodes:
            continue
        seen_nodes.add(id(n))
        if isinstance(n, MappingNode):
            keys: set[str] = set()
            for k, v in n.value:
                if isinstance(k, ScalarNode):
                    if k.value in keys:
                        problems.append(
                            Problem(path, k.start_mark.line + 1, f"duplicate key '{k.value}'")
                        )
                    keys.add(k.value)
                stack.append(v)
        elif isinstance(n, SequenceNode):
            stack.extend(n.value)
    return problems


def parse_yaml(path: Path) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse a YAML file; on a syntax error return ``None`` and the problem with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return None, [Problem(path, 1, f"cannot read file: {e}")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        detail = e.problem or "invalid YAML"
        if e.context:
            detail = f"{detail} ({e.context})"
        return None, [Problem(path, line, f"YAML syntax error: {detail}")]
    except yaml.YAMLError as e:
        return None, [Problem(path, 1, f"YAML error: {e}")]
    finally:
        loader.dispose()
    doc = YamlDoc(path, data, node)
    problems = _duplicate_keys(path, node)
    if node is None:
        problems.append(Problem(path, 1, "file is empty"))
    return doc, problems


# --------------------------------------------------------------------------- validation


def _error_message(err: dict[str, Any], loc: Loc) -> str:
    typ = err["type"]
    where = format_loc(loc)
    if typ == "missing":
        parent = format_loc(tuple(loc[:-1]))
        place = "" if parent == "<root>" else f" in {parent}"
        return f"missing key '{loc[-1]}'{place}"
    if typ == "extra_forbidden":
        return f"unknown key '{loc[-1]}'"
    msg = err["msg"]
    if typ in ("string_too_long", "string_too_short") and isinstance(err.get("input"), str):
        msg = f"{msg} (has {len(err['input'])})"
    elif typ == "string_pattern_mismatch":
        msg = f"'{err.get('input')}' should match {err.get('ctx', {}).get('pattern')}"
    elif typ in ("model_type", "dict_type", "model_attributes_type"):
        msg = "should be a mapping (key: value lines)"
    if not loc:
        return f"the file {msg}" if msg.startswith("should") else msg
    return f"{where}: {msg}"


def validate_doc(doc: YamlDoc, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate a parsed file against ``model``: shape errors and rule problems, each
    located at the line of the offending key or item."""
    if doc.node is None:
        return None, []
    try:
        obj = model.model_validate(doc.data, context={DEFER_RULES: True})
    except ValidationError as e:
        problems = []
        for err in e.errors(include_url=False):
            line, clean = doc.locate(tuple(err["loc"]))
            problems.append(Problem(doc.path, line, _error_message(err, clean)))
        return None, problems
    problems = [
        Problem(doc.path, doc.line(loc), msg if not loc else f"{format_loc(loc)}: {msg}")
        for loc, msg in rule_problems(obj)
    ]
    return obj, problems


def load_file(path: Path, model: type[M]) -> tuple[M | None, YamlDoc | None, list[Problem]]:
    doc, problems = parse_yaml(path)
    if doc is None:
        return None, None, problems
    obj, more = validate_doc(doc, model)
    return obj, doc, problems + more


# --------------------------------------------------------------------------- Program


@dataclass(frozen=True)
class Program:
    """A validated program: metadata plus every module in every language."""

    meta: ProgramMeta
    path: Path
    modules_by_lang: Mapping[str, tuple[Module, ...]] = field(repr=False)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def languages(self) -> list[str]:
        return list(self.meta.languages)

    @property
    def default_language(self) -> str:
        return self.meta.languages[0]

    @property
    def module_count(self) -> int:
        return self.meta.modules

    def resolve_language(self, lang: str | None) -> str:
        """``lang`` if the program has it (``en-US`` matches ``en``), else the default."""
        if lang:
            if lang in self.modules_by_lang:
                return lang
            base = lang.split("-")[0].split("_")[0].lower()
            if base in self.modules_by_lang:
                return base
        return self.default_language

    def title(self, lang: str | None = None) -> str:
        return self.meta.title[self.resolve_language(lang)]

    def modules(self, lang: str | None = None) -> tuple[Module, ...]:
        return self.modules_by_lang[self.resolve_language(lang)]

    def module(self, number: int, lang: str | None = None) -> Module:
        """Module ``number`` (1-based) in ``lang``, falling back to the first language.
        Raises ``KeyError`` for a number outside the core and add-on modules."""
        if not 1 <= number <= self.meta.total_modules:
            raise KeyError(f"program '{self.id}' has no module {number}")
        return self.modules(lang)[number - 1]


class ProgramCatalog(Mapping[str, Program]):
    """Program id -> Program (read-only, dict-like)."""

    def __init__(self, programs: Mapping[str, Program] | None = None):
        self._programs = dict(programs or {})

    def __getitem__(self, program_id: str) -> Program:
        return self._programs[program_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._programs)

    def __len__(self) -> int:
        return len(self._programs)

    def ids(self) -> list[str]:
        return sorted(self._programs)

    def __repr__(self) -> str:
        return f"ProgramCatalog({self.ids()!r})"


# --------------------------------------------------------------------------- loading


@dataclass
class CheckResult:
    """Outcome of checking a folder: the valid programs and every problem found."""

    programs: dict[str, Program] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    module_files: int = 0


def _rel(folder: Path, path: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def _check_program(folder: Path, result: CheckResult) -> None:
    problems: list[Problem] = []
    meta_path = folder / PROGRAM_FILE
    meta, meta_doc, more = load_file(meta_path, ProgramMeta)
    problems += more
    if meta is None or meta_doc is None:
        result.problems += sorted(problems)
        return
    if meta.id != folder.name:
        problems.append(
            Problem(
                meta_path,
                meta_doc.line(("id",)),
                f"id '{meta.id}' must equal the folder name '{folder.name}'",
            )
        )

    languages = list(dict.fromkeys(meta.languages))
    modules: dict[str, list[Module | None]] = {}
    docs: dict[str, list[YamlDoc | None]] = {}
    for li, lang in enumerate(meta.languages):
        if lang in modules:
            continue
        modules[lang], docs[lang] = [], []
        for n in range(1, meta.total_modules + 1):
            path = folder / lang / f"module-{n}.yaml"
            if not path.is_file():
                problems.append(
                    Problem(
                        meta_path,
                        meta_doc.line(("languages", li)),
                        f"{lang}/module-{n}.yaml is missing "
                        f"(modules: {meta.modules}, languages include '{lang}')",
                    )
                )
                modules[lang].append(None)
                docs[lang].append(None)
                continue
            result.module_files += 1
            module, doc, more = load_file(path, Module)
            problems += more
            if module is not None and doc is not None and module.number != n:
                problems.append(
                    Problem(
                        path,
                        doc.line(("number",)),
                        f"number is {module.number} but the file is module-{n}.yaml",
                    )
                )
            modules[lang].append(module)
            docs[lang].append(doc)

    problems += _unexpected_files(folder, meta, meta_path, meta_doc)

    ref_lang = languages[0]
    for lang in languages[1:]:
        for i in range(meta.total_modules):
            ref, other = modules[ref_lang][i], modules[lang][i]
            ref_doc, other_doc = docs[ref_lang][i], docs[lang][i]
            if ref and other and ref_doc and other_doc:
                problems += _compare_modules(folder, ref, ref_doc, other, other_doc)

    result.problems += sorted(problems)
    if problems:
        return
    if meta.id in result.programs:  # only possible with a wrong id, already reported
        return
    result.programs[meta.id] = Program(
        meta=meta,
        path=folder,
        modules_by_lang={lang: tuple(m for m in modules[lang] if m) for lang in languages},
    )


def _unexpected_files(
    folder: Path, meta: ProgramMeta, meta_path: Path, meta_doc: YamlDoc
) -> list[Problem]:
    """Module files the program does not list would be silently ignored: report them."""
    problems: list[Problem] = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        yamls = sorted(p for p in sub.iterdir() if p.suffix in (".yaml", ".yml"))
        if sub.name not in meta.languages:
            if yamls:
                problems.append(
                    Problem(
                        meta_path,
                        meta_doc.line(("languages",)),
                        f"folder '{sub.name}' has YAML files but '{sub.name}' is not in languages",
                    )
                )
            continue
        for path in yamls:
            m = MODULE_FILE_RE.match(path.name)
            if m and path.suffix == ".yaml" and 1 <= int(m.group(1)) <= meta.total_modules:
                if path.name == f"module-{int(m.group(1))}.yaml":
                    continue
            problems.append(
                Problem(
                    path,
                    1,
                    f"unexpected file: {PROGRAM_FILE} has modules: {meta.modules}, so "
                    f"{sub.name}/ holds only module-1.yaml .. module-{meta.total_modules}.yaml",
                )
            )
    return problems


def _compare_modules(
    folder: Path, ref: Module, ref_doc: YamlDoc, other: Module, doc: YamlDoc
) -> list[Problem]:
    """Cross-language rules; problems are reported in ``other``'s file."""
    problems: list[Problem] = []
    ref_name = _rel(folder, ref_doc.path)

    def add(loc: Loc, message: str) -> None:
        problems.append(Problem(doc.path, doc.line(loc), message))

    if other.status != ref.status:
        add(
            ("status",),
            f"status is '{other.status}' but {ref_name} has '{ref.status}' "
            f"(line {ref_doc.line(('status',))})",
        )

    ref_ids, ids = ref.step_ids(), other.step_ids()
    ref_index = {s: i for i, s in enumerate(ref_ids)}
    index = {s: i for i, s in enumerate(ids)}
    for i, sid in enumerate(ids):
        if sid not in ref_index:
            add(("steps", i, "id"), f"step '{sid}' is not in {ref_name}")
    for i, sid in enumerate(ref_ids):
        if sid not in index:
            add(
                ("steps",),
                f"step '{sid}' of {ref_name} (line {ref_doc.line(('steps', i, 'id'))}) is missing",
            )
    common = [s for s in ids if s in ref_index]
    ref_common = [s for s in ref_ids if s in index]
    if common != ref_common:
        for s, r in zip(common, ref_common, strict=True):
            if s != r:
                add(
                    ("steps", index[s], "id"),
                    f"steps are in a different order than in {ref_name}: "
                    f"expected '{r}' here, found '{s}'",
                )
                break

    for sid in common:
        i, ri = index[sid], ref_index[sid]
        step, ref_step = other.steps[i], ref.steps[ri]
        kind = step.exercise.kind if step.exercise else None
        ref_kind = ref_step.exercise.kind if ref_step.exercise else None
        if kind != ref_kind:
            loc: Loc = ("steps", i, "exercise") if step.exercise else ("steps", i)
            add(
                loc,
                f"step '{sid}': exercise kind is {_kind(kind)} but {ref_name} has "
                f"{_kind(ref_kind)}",
            )
        elif isinstance(step.exercise, ChoiceExercise) and isinstance(
            ref_step.exercise, ChoiceExercise
        ):
            opts = [o.id for o in step.exercise.options]
            ref_opts = [o.id for o in ref_step.exercise.options]
            if set(opts) != set(ref_opts):
                add(
                    ("steps", i, "exercise", "options"),
                    f"step '{sid}': option ids {opts} differ from {ref_opts} in {ref_name}",
                )
        if (step.media is None) != (ref_step.media is None):
            if step.media is not None:
                add(("steps", i, "media"), f"step '{sid}' has media but not in {ref_name}")
            else:
                add(("steps", i), f"step '{sid}' has no media but has in {ref_name}")
    return problems


def _kind(kind: str | None) -> str:
    return f"'{kind}'" if kind else "none"


def program_dirs(root: Path) -> list[Path]:
    """The program folders in ``root``: sub-folders with a program.yaml, except ignored."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and p.name not in IGNORED_DIRS and (p / PROGRAM_FILE).is_file()
    )


def check_programs(root: Path) -> CheckResult:
    """Check every program in ``root`` (or ``root`` itself if it holds a program.yaml)."""
    result = CheckResult()
    folders = [root] if (root / PROGRAM_FILE).is_file() else program_dirs(root)
    for folder in folders:
        _check_program(folder, result)
    return result


def load_program(folder: Path) -> Program:
    """Load one program folder; raises ``ProgramError`` listing every problem."""
    result = CheckResult()
    _check_program(Path(folder), result)
    if result.problems:
        raise ProgramError(result.problems)
    (program,) = result.programs.values()
    return program


def load_programs(root: Path | None = None) -> ProgramCatalog:
    """Load every program under ``root`` (default: the bundled programs).

    Sub-folders without a program.yaml (``__pycache__``) and ``questionnaires`` are ignored.
    Raises ``ProgramError`` listing every problem of every invalid program.
    """
    root = Path(root) if root is not None else default_programs_dir()
    if not root.is_dir():
        raise ProgramError([Problem(root, 0, "programs folder does not exist")])
    result = CheckResult()
    for folder in program_dirs(root):
        _check_program(folder, result)
    if result.problems:
        raise ProgramError(result.problems)
    return ProgramCatalog(result.programs)
