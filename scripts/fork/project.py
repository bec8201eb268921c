"""What of the project goes into the fork, read from its source (never imported, never listed by hand).

* the methods the SDK's classes gain: every public method our ``Responses`` / ``AsyncResponses`` define or
  inherit from a project class, and the client hook ``_make_background_failure_error``;
* the modules carried into ``openai/lib/background/``: those that define the public names and that the
  carried methods use, plus everything they import from the project, transitively;
* which of those modules import the SDK's resources at import time: the SDK imports them lazily, from
  inside the methods, so ``resources/responses/responses.py`` and ``lib/background`` never import each
  other while either is half-initialised.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .translate import TranslateError, import_table

PACKAGE_ONLY = ("_client", "_resources", "_install")
"""Modules whose job the SDK's own classes do in the fork: their public names are not carried."""

CLIENT_HOOK = "_make_background_failure_error"
RESOURCE_CLASSES = ("Responses", "AsyncResponses")
CLIENT_CLASSES = ("OpenAI", "AsyncOpenAI")


@dataclass(frozen=True)
class MethodSource:
    """Where a method carried into an SDK class is defined in the project."""

    module: str
    class_name: str
    name: str


class Project:
    """``src/openai_background``, read as text."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._sources: dict[str, str] = {}
        self._trees: dict[str, ast.Module] = {}

    def source(self, module: str) -> str:
        if module not in self._sources:
            path = self.root / f"{module}.py"
            if not path.is_file():
                raise TranslateError(f"the project has no module {module} ({path})")
            self._sources[module] = path.read_text(encoding="utf-8")
        return self._sources[module]

    def tree(self, module: str) -> ast.Module:
        if module not in self._trees:
            self._trees[module] = ast.parse(self.source(module))
        return self._trees[module]

    def siblings(self, module: str, *, runtime_only: bool = False) -> set[str]:
        """The project modules ``module`` imports (``from ._x import ...``), at any depth of its body."""
        found = set()
        guarded = _type_checking_lines(self.tree(module)) if runtime_only else set()
        for node in ast.walk(self.tree(module)):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module and node.lineno not in guarded:
                found.add(node.module.split(".")[0])
        return found

    def class_methods(self, module: str, class_name: str) -> list[MethodSource]:
        """Public methods of a project class, its own first, then those of its project bases (in order)."""
        tree = self.tree(module)
        cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name), None)
        if cls is None:
            raise TranslateError(f"the project has no class {class_name} in {module}")
        methods = [
            MethodSource(module, class_name, item.name)
            for item in cls.body
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_")
        ]
        for base_module, base_class in self._project_bases(module, cls):
            known = {m.name for m in methods}
            methods += [m for m in self.class_methods(base_module, base_class) if m.name not in known]
        return methods

    def find_method(self, module: str, class_name: str, name: str) -> MethodSource:
        """The project class that defines ``class_name.name``: the class itself or a project base."""
        tree = self.tree(module)
        cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name), None)
        if cls is None:
            raise TranslateError(f"the project has no class {class_name} in {module}")
        if any(isinstance(i, (ast.FunctionDef, ast.AsyncFunctionDef)) and i.name == name for i in cls.body):
            return MethodSource(module, class_name, name)
        for base_module, base_class in self._project_bases(module, cls):
            try:
                return self.find_method(base_module, base_class, name)
            except TranslateError:
                continue
        raise TranslateError(f"the project has no method {class_name}.{name} in {module}")

    def _project_bases(self, module: str, cls: ast.ClassDef) -> list[tuple[str, str]]:
        table = import_table(self.tree(module), own_package="openai_background")
        local = {n.name for n in self.tree(module).body if isinstance(n, ast.ClassDef)}
        bases = []
        for base in cls.bases:
            if not isinstance(base, ast.Name):
                continue
            if base.id in local:
                bases.append((module, base.id))
            elif base.id in table and table[base.id].module.startswith("openai_background."):
                bases.append((table[base.id].module.split(".")[1], table[base.id].original))
        return bases

    def public_names(self) -> dict[str, str]:
        """The package's ``__all__`` names the fork carries -> the module that defines each (those imported
        under ``if TYPE_CHECKING:`` too: the package loads them lazily, through its ``__getattr__``)."""
        tree = self.tree("__init__")
        exported = _literal_all(tree)
        names: dict[str, str] = {}
        for node in _with_type_checking_blocks(tree.body):
            if not (isinstance(node, ast.ImportFrom) and node.level == 1 and node.module):
                continue
            if node.module in PACKAGE_ONLY:
                continue
            for alias in node.names:
                if (alias.asname or alias.name) in exported:
                    names[alias.asname or alias.name] = node.module
        return names

    def closure(self, start: set[str]) -> list[str]:
        """``start`` and every project module they import, transitively; a package-only one is an error."""
        seen: set[str] = set()
        todo = sorted(start)
        while todo:
            module = todo.pop()
            if module in seen:
                continue
            if module in PACKAGE_ONLY or module in ("__init__", "__main__", "testing"):
                raise TranslateError(f"the fork would need .{module}, which belongs to the package only")
            seen.add(module)
            todo += sorted(self.siblings(module) - seen)
        return sorted(seen)

    def resource_bound(self, modules: list[str]) -> set[str]:
        """The modules that import ``openai.resources`` when imported, directly or through a sibling."""
        direct = {m for m in modules if _imports_resources_at_runtime(self.tree(m))}
        bound = set(direct)
        changed = True
        while changed:
            changed = False
            for module in modules:
                if module not in bound and self.siblings(module, runtime_only=True) & bound:
                    bound.add(module)
                    changed = True
        return bound


def _literal_all(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {elt.value for elt in getattr(node.value, "elts", []) if isinstance(elt, ast.Constant)}
    raise TranslateError("the package __init__ has no literal __all__")


def _with_type_checking_blocks(body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` with each ``if TYPE_CHECKING:`` block replaced by the statements in it."""
    found: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            found += node.body
        else:
            found.append(node)
    return found


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for inner in ast.walk(node):
                if isinstance(inner, ast.stmt):
                    lines.add(inner.lineno)
    return lines


def _imports_resources_at_runtime(tree: ast.Module) -> bool:
    guarded = _type_checking_lines(tree)
    return any(
        isinstance(node, ast.ImportFrom)
        and node.lineno not in guarded
        and node.level == 0
        and (node.module or "").split(".")[:2] == ["openai", "resources"]
        for node in tree.body
    )
