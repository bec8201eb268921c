"""What of the project goes into the fork, read from its source (never imported, never listed by hand).

Modules are named by their dotted path under ``src/openai_background`` (``_loop``, ``streams._io``), so a
subpackage is carried as a subpackage of ``openai/lib/background/``.

* the methods the SDK's classes gain: every public method our ``Responses`` / ``AsyncResponses`` define or
  inherit from a project class, and the client hook ``_make_background_failure_error``;
* the modules carried into ``openai/lib/background/``: those that define the public names and that the
  carried methods use, plus everything they import from the project, transitively;
* which of those modules import the SDK's resources at import time (they are loaded on first use only).
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from pathlib import Path

from .translate import TranslateError, import_table

PACKAGE_ONLY = (
    "_client",
    "_resources",
    "_async_resources",
    "_recording",
    "_budget",
    "_install",
    "_cli",
    "_demo",
    "_outcome",
    "_progress",
    "__main__",
)
"""Modules whose job the SDK's own classes (or nothing in the SDK) do in the fork: never carried."""

PACKAGE_ONLY_PACKAGES = ("testing", "modes", "journal", "cli")
"""Subpackages of the package alone (test kit, framework modes, journal, command line): never carried."""

CLIENT_HOOK = "_make_background_failure_error"
RESOURCE_CLASSES = {"Responses": "_resources", "AsyncResponses": "_async_resources"}
"""The resource classes whose methods the SDK's classes gain -> the project module that defines each."""
CLIENT_CLASSES = ("OpenAI", "AsyncOpenAI")


def package_only(module: str) -> bool:
    head = module.split(".")[0]
    return head in PACKAGE_ONLY or head in PACKAGE_ONLY_PACKAGES


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
        self._siblings: dict[tuple[str, bool], set[str]] = {}
        self.memo: dict[object, object] = {}
        """Results other steps derive from the source, computed once per ``Project``."""

    def path(self, module: str) -> Path:
        parts = module.split(".")
        folder = self.root.joinpath(*parts)
        if folder.is_dir():
            return folder / "__init__.py"
        return self.root.joinpath(*parts[:-1], f"{parts[-1]}.py")

    def is_package(self, module: str) -> bool:
        return module == "__init__" or self.root.joinpath(*module.split(".")).is_dir()

    def modules(self) -> list[str]:
        """Every module of the project, dotted (``__init__`` for the package itself)."""
        found = []
        for path in sorted(self.root.rglob("*.py")):
            parts = list(path.relative_to(self.root).with_suffix("").parts)
            if parts[-1] == "__init__" and len(parts) > 1:
                parts = parts[:-1]
            found.append(".".join(parts))
        return found

    def source(self, module: str) -> str:
        if module not in self._sources:
            path = self.path(module)
            if not path.is_file():
                raise TranslateError(f"the project has no module {module} ({path})")
            from .native import strip_marked  # the lines the project marks as its own never reach the fork

            self._sources[module] = strip_marked(path.read_text(encoding="utf-8"))
        return self._sources[module]

    def tree(self, module: str) -> ast.Module:
        if module not in self._trees:
            self._trees[module] = ast.parse(self.source(module))
        return self._trees[module]

    def package_of(self, module: str) -> list[str]:
        """The package parts a module's relative imports start from."""
        if module == "__init__":
            return []
        parts = module.split(".")
        return parts if self.is_package(module) else parts[:-1]

    def resolve(self, module: str, node: ast.ImportFrom) -> str | None:
        """The project module a relative ``from ... import`` of ``module`` names (None: not relative)."""
        if node.level == 0:
            return None
        base = self.package_of(module)
        if node.level - 1 > len(base):
            raise TranslateError(f"{module}: `from {'.' * node.level}{node.module or ''} import` leaves the package")
        base = base[: len(base) - (node.level - 1)]
        target = base + (node.module.split(".") if node.module else [])
        return ".".join(target) if target else "__init__"

    def siblings(self, module: str, *, runtime_only: bool = False) -> set[str]:
        """The project modules ``module`` imports (relative imports), at any depth of its body."""
        key = (module, runtime_only)
        if key in self._siblings:
            return set(self._siblings[key])
        found = set()
        guarded = type_checking_lines(self.tree(module)) if runtime_only else set()
        for node in ast.walk(self.tree(module)):
            if isinstance(node, ast.ImportFrom) and node.level and node.lineno not in guarded:
                target = self.resolve(module, node)
                if target is not None and target != "__init__":
                    found.add(target)
        self._siblings[key] = found
        return set(found)

    def import_table(self, module: str) -> dict[str, object]:
        return dict(import_table(self.tree(module), own_package="openai_background"))

    def names_from(self, module: str) -> dict[str, tuple[str, str]]:
        """Name bound by a relative import at the top of ``module`` -> (project module, original name)."""
        found: dict[str, tuple[str, str]] = {}
        for node in with_type_checking_blocks(self.tree(module).body):
            if isinstance(node, ast.ImportFrom) and node.level:
                target = self.resolve(module, node)
                if target is None:
                    continue
                for alias in node.names:
                    found[alias.asname or alias.name] = (target, alias.name)
        return found

    def class_methods(self, module: str, class_name: str) -> list[MethodSource]:
        """Public methods of a project class, its own first, then those of its project bases (in order)."""
        cls = self._class(module, class_name)
        names = dict.fromkeys(  # a method with ``@overload`` stubs is one method
            item.name
            for item in cls.body
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_")
        )
        methods = [MethodSource(module, class_name, name) for name in names]
        for base_module, base_class in self._project_bases(module, cls):
            known = {m.name for m in methods}
            methods += [m for m in self.class_methods(base_module, base_class) if m.name not in known]
        return methods

    def find_method(self, module: str, class_name: str, name: str) -> MethodSource:
        """The project class that defines ``class_name.name``: the class itself or a project base."""
        cls = self._class(module, class_name)
        if any(isinstance(i, (ast.FunctionDef, ast.AsyncFunctionDef)) and i.name == name for i in cls.body):
            return MethodSource(module, class_name, name)
        for base_module, base_class in self._project_bases(module, cls):
            try:
                return self.find_method(base_module, base_class, name)
            except TranslateError:
                continue
        raise TranslateError(f"the project has no method {class_name}.{name} in {module}")

    def method_node(self, method: MethodSource) -> ast.FunctionDef | ast.AsyncFunctionDef:
        cls = self._class(method.module, method.class_name)
        for item in reversed(cls.body):  # the implementation, after its ``@overload`` stubs
            if (
                isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                and item.name == method.name
                and not any(_is_overload(d) for d in item.decorator_list)
            ):
                return item
        raise TranslateError(f"the project has no method {method.class_name}.{method.name}")

    def _class(self, module: str, class_name: str) -> ast.ClassDef:
        cls = next((n for n in self.tree(module).body if isinstance(n, ast.ClassDef) and n.name == class_name), None)
        if cls is None:
            raise TranslateError(f"the project has no class {class_name} in {module}")
        return cls

    def _project_bases(self, module: str, cls: ast.ClassDef) -> list[tuple[str, str]]:
        imported = self.names_from(module)
        local = {n.name for n in self.tree(module).body if isinstance(n, ast.ClassDef)}
        bases = []
        for base in cls.bases:
            if not isinstance(base, ast.Name):
                continue
            if base.id in local:
                bases.append((module, base.id))
            elif base.id in imported:
                bases.append(imported[base.id])
        return bases

    def public_names(self) -> dict[str, str]:
        """The package's ``__all__`` names the fork carries -> the module that defines each (those imported
        under ``if TYPE_CHECKING:`` and the lazy ``_LAZY`` table too)."""
        tree = self.tree("__init__")
        exported = _literal_all(tree)
        names: dict[str, str] = {}
        for name, (module, _original) in self.names_from("__init__").items():
            if name in exported and not package_only(module):
                names[name] = module
        return names

    def closure(self, start: set[str]) -> list[str]:
        """``start`` and every project module they import, transitively; a package-only one is an error."""
        seen: set[str] = set()
        todo = sorted(start)
        while todo:
            module = todo.pop()
            if module in seen:
                continue
            if package_only(module) or module == "__init__":
                raise TranslateError(f"the fork would need .{module}, which belongs to the package only")
            seen.add(module)
            todo += sorted(self.siblings(module) - seen)
        return sorted(seen)

    def constant(self, module: str, name: str, depth: int = 0) -> object:
        """The literal value of a module-level constant, following names across modules
        (``DEFAULT_RAISE_ON = FAILURE_STATUSES``); ``frozenset({...})`` reads as a sorted tuple."""
        if depth > 10:
            raise TranslateError(f"{module}.{name} is not a literal constant")
        for node in self.tree(module).body:
            target = value = None
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            if isinstance(target, ast.Name) and target.id == name and value is not None:
                return self._evaluate(module, value, depth)
        imported = self.names_from(module)
        if name in imported:
            return self.constant(*imported[name], depth=depth + 1)
        raise TranslateError(f"{module} has no constant {name}")

    def _evaluate(self, module: str, value: ast.expr, depth: int) -> object:
        if isinstance(value, ast.Name):
            return self.constant(module, value.id, depth + 1)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and len(value.args) == 1:
            inner = self._evaluate(module, value.args[0], depth)
            if value.func.id in ("frozenset", "set", "tuple") and isinstance(inner, (tuple, list, set, frozenset)):
                return tuple(sorted(inner, key=repr))
            raise TranslateError(f"{module}: cannot read {ast.unparse(value)} as a literal")
        if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Mult, ast.Add)):
            ops = {ast.Mult: operator.mul, ast.Add: operator.add}
            return ops[type(value.op)](
                self._evaluate(module, value.left, depth), self._evaluate(module, value.right, depth)
            )
        try:
            return ast.literal_eval(value)
        except ValueError:
            raise TranslateError(f"{module}: cannot read {ast.unparse(value)} as a literal") from None

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


def _is_overload(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Name) and decorator.id == "overload") or (
        isinstance(decorator, ast.Attribute) and decorator.attr == "overload"
    )


def _literal_all(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {elt.value for elt in getattr(node.value, "elts", []) if isinstance(elt, ast.Constant)}
    raise TranslateError("the package __init__ has no literal __all__")


def with_type_checking_blocks(body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` with each ``if TYPE_CHECKING:`` block replaced by the statements in it."""
    found: list[ast.stmt] = []
    for node in body:
        if is_type_checking(node):
            assert isinstance(node, ast.If)
            found += node.body
        else:
            found.append(node)
    return found


def is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in tree.body:
        if is_type_checking(node):
            for inner in ast.walk(node):
                if isinstance(inner, ast.stmt):
                    lines.add(inner.lineno)
    return lines


def _imports_resources_at_runtime(tree: ast.Module) -> bool:
    guarded = type_checking_lines(tree)
    return any(
        isinstance(node, ast.ImportFrom)
        and node.lineno not in guarded
        and node.level == 0
        and (node.module or "").split(".")[:2] == ["openai", "resources"]
        for node in tree.body
    )
