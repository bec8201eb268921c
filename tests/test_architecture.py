"""The package's layers, pinned: every import in ``src/openai_background`` goes down the stack, never up,
and no module imports itself back through another (docs/architecture.md draws the stack)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "openai_background"
SOURCE = Path(__file__).resolve().parent.parent / "src" / PACKAGE

# What each top-level part of the package may import (besides itself): the stated direction.
LAYER = {
    "_compat": 0,
    "_errors": 1,
    "_waits": 2,
    "_many": 3,
    "streams": 3,
    "modes": 3,
    "journal": 3,
    "webhooks": 3,
    "_surface": 4,
    "testing": 5,
    "_command": 6,
    "__main__": 7,
}
# Sideways edges between capabilities of the same layer (each one-way).
SIDEWAYS = {("modes", "streams"), ("journal", "_many"), ("webhooks", "journal")}
# The root facade may import anything; it may be imported by the outermost parts only.
ROOT_IMPORTERS = {"_command", "testing", "__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in SOURCE.rglob("*.py")}


def _imports(module: str) -> set[str]:
    """Every package module ``module`` imports: at the top, in functions and under ``TYPE_CHECKING``."""
    path = MODULES[module]
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)]
                target = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _allowed(source: str, target: str) -> bool:
    if source == target or source == "":
        return True
    if target == "":
        return source in ROOT_IMPORTERS
    return LAYER[target] < LAYER[source] or (source, target) in SIDEWAYS


def test_every_part_has_a_layer() -> None:
    parts = {_part(module) for module in MODULES} - {""}
    missing = parts - set(LAYER)
    assert not missing, f"give these a layer here and in docs/architecture.md: {missing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_stack(module: str) -> None:
    wrong = sorted(target for target in GRAPH[module] if not _allowed(_part(module), _part(target)))
    assert not wrong, f"{module} imports against the stated direction: {wrong}"


def test_the_core_imports_neither_journal_nor_webhooks() -> None:
    core = [module for module in MODULES if _part(module) in {"_errors", "_waits"}]
    assert core
    for module in core:
        assert not {_part(target) for target in GRAPH[module]} & {"journal", "webhooks", "_surface", "_command"}, module


def test_no_import_circle() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(MODULES):
        if module not in index:
            visit(module)
    assert not circles


def test_the_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    """The rule itself can fail: an upward import is refused."""
    assert not _allowed("_waits", "journal")
    assert not _allowed("_errors", "_waits")
    assert not _allowed("streams", "_surface")
    assert _allowed("_surface", "journal")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 330, f"{module} has {lines} lines: split it by what it owns"
