"""The shape of bot/, kept by tests: no import cycle anywhere in the project's own packages,
no route importing another route (what follows a route is data: `dialogues.types.Next`),
only bot/telegram/ importing python-telegram-bot, at most 15 modules directly in bot/, and
a docstring or README in every folder saying what lives there."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "dialogues", "programs", "storage")
OWN_CODE_OUTSIDE_DEVTOOLS = "bot/devtools"  # the emulator and script runner: tools, not the bot


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[_module_name(path)] = path
    return found


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The project's modules `path` imports, at any level (a function's lazy import too)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(path, name, known) for name, path in modules.items()}
    # A package's __init__ importing nothing is not an edge to all its modules; importing
    # `bot.routes` from `bot.routes.x`'s point of view is only its (empty) __init__.
    return graph


def _cycle_from(graph: dict[str, set[str]]) -> list[str] | None:
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = GREY
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if colour.get(target) == GREY:
                return stack[stack.index(target) :] + [target]
            if colour.get(target) == WHITE:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        colour[node] = BLACK
        return None

    for node in sorted(graph):
        if colour[node] == WHITE:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle():
    assert _cycle_from(_graph()) is None


def test_the_cycle_check_can_find_a_cycle():
    assert _cycle_from({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle_from({"a": {"b"}, "b": set()}) is None


def test_no_route_imports_another_route():
    graph = _graph()
    offenders = {
        module: sorted(target for target in targets if target.startswith("bot.routes."))
        for module, targets in graph.items()
        if module.startswith("bot.routes.")
    }
    assert {module: targets for module, targets in offenders.items() if targets} == {}


def test_only_the_telegram_package_imports_telegram():
    offenders = []
    for name, path in _modules().items():
        if name.startswith(("bot.telegram", "bot.devtools")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            module = (
                node.module
                if isinstance(node, ast.ImportFrom)
                else (node.names[0].name if isinstance(node, ast.Import) else None)
            )
            if module and (module == "telegram" or module.startswith("telegram.")):
                offenders.append(name)
    assert offenders == []


def test_at_most_fifteen_modules_directly_in_bot():
    modules = sorted(path.name for path in (ROOT / "bot").glob("*.py"))
    assert len(modules) <= 15, modules


def test_every_folder_says_what_lives_there():
    silent = []
    for package in PACKAGES:
        for init in (ROOT / package).rglob("__init__.py"):
            folder = init.parent
            has_readme = (folder / "README.md").exists()
            docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            if not has_readme and not (docstring and len(docstring) > 40):
                silent.append(str(folder.relative_to(ROOT)))
    assert silent == []


def test_every_listed_command_has_its_words_in_every_language():
    from bot.i18n import LANGUAGES, Translator
    from bot.router import COMMAND_LISTS

    missing = []
    for language in LANGUAGES:
        t = Translator(language)
        for role, names in COMMAND_LISTS.help.items():
            keys = [f"help.{role}.{key}" for key in ("title", "footer", *names)]
            keys += [f"menu.{name}" for name in COMMAND_LISTS.menu[role]]
            missing += [(language, key) for key in keys if not t.has(key)]
    assert missing == []


def test_a_command_is_named_once_and_every_next_has_an_entry():
    import ast as syntax

    from bot.router import COMMANDS, ENTRIES

    names = [command.name for command in COMMANDS]
    assert len(names) == len(set(names))
    # Every then_open / followed_by in a route names an entry the router knows.
    for path in (ROOT / "bot" / "routes").glob("*.py"):
        for node in syntax.walk(syntax.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, syntax.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("then_open", "followed_by"):
                continue
            dialogue, entry = node.args[0], node.args[1]
            if isinstance(entry, syntax.Constant) and isinstance(dialogue, syntax.Attribute):
                assert any(key[1] == entry.value for key in ENTRIES), (path.name, entry.value)
