"""Finding a place in an upstream file by an anchor in its source, and inserting text there.

An anchor is a class, a method, an import block or ``__all__``, never a line number, so the same edit
patches the next upstream version or says clearly why it cannot: ``AnchorMissing`` names the version,
the file and the anchor.
"""

from __future__ import annotations

import ast

from .translate import ImportPlan, render_imports


class AnchorMissing(Exception):
    """An upstream file lacks the text an edit is anchored on: the fork cannot be built for that version."""

    def __init__(self, version: str, path: str, anchor: str | None) -> None:
        missing = f"{path} has no {anchor}" if anchor is not None else f"there is no {path}"
        super().__init__(
            f"openai {version}: {missing}; the fork cannot be built for this version (nothing was written to dist/)"
        )
        self.version, self.path, self.anchor = version, path, anchor


def add_imports(text: str, plan: ImportPlan, *, package: str, path: str, version: str) -> str:
    """``plan``'s imports added to a module, skipping names it binds already: runtime ones after its last
    top-level import, typing ones at the end of its ``if TYPE_CHECKING:`` block (made if absent)."""
    plan = plan.without(_bound_names(ast.parse(text)))
    runtime = render_imports(plan.runtime, package)
    typing = render_imports(plan.type_checking, package, indent="    ")
    tree = ast.parse(text)
    guard = _type_checking_block(tree)
    if typing and guard is not None and guard.body[-1].end_lineno is not None:
        text = insert_lines(text, guard.body[-1].end_lineno, "".join(f"{line}\n" for line in typing))
    elif typing:
        if "TYPE_CHECKING" not in _bound_names(tree):
            runtime.insert(0, "from typing import TYPE_CHECKING")
        runtime += ["", "if TYPE_CHECKING:", *typing]
    if runtime:
        last = _last_import(ast.parse(text))
        if last is None:
            raise AnchorMissing(version, path, "top-level import")
        text = insert_lines(text, last, "".join(f"{line}\n" for line in runtime))
    return text


def find_class(tree: ast.Module, name: str, path: str, version: str, *, anchor: str | None = None) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise AnchorMissing(version, path, anchor or f"class {name}(")


def find_method(cls: ast.ClassDef, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for item in cls.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
            return item
    return None


def find_assignment(tree: ast.Module, name: str) -> ast.Assign | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node
    return None


def _type_checking_block(tree: ast.Module) -> ast.If | None:
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return node
    return None


def _last_import(tree: ast.Module) -> int | None:
    """The last line of the module's leading run of imports (``if TYPE_CHECKING:`` blocks included)."""
    last = None
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            last = node.end_lineno
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            break
    return last


def _bound_names(tree: ast.Module) -> set[str]:
    """Names a module binds at top level or under ``if TYPE_CHECKING:``."""
    bound: set[str] = set()
    nodes = list(tree.body)
    guard = _type_checking_block(tree)
    if guard is not None:
        nodes += guard.body
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Assign):
            bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return bound


def insert_lines(text: str, after_line: int, block: str) -> str:
    """``block`` inserted after line ``after_line`` (1-based; 0 inserts at the top)."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[:after_line]) + block + "".join(lines[after_line:])
