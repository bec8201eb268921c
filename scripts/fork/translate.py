"""The project's own modules, rewritten to live inside the SDK as ``openai.lib.background``.

Nothing here is a second copy: every file and method placed in the fork is read from
``src/openai_background/`` at build time and changed only where its place in the SDK demands it
(imports become relative, a header says where the file comes from).

The logger keeps the project's name, ``openai_background``: the behaviour tests read log records by that
name (``tests/test_streams.py``), and a user's logging configuration then works for the package and the
fork alike.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LIB_PACKAGE = "openai.lib.background"
"""Where the implementation lives in the SDK."""


class TranslateError(Exception):
    """A project module uses something that cannot be carried into the SDK as it is."""


def header(source_path: str) -> str:
    return (
        f"# File generated from openai-background's {source_path} by scripts/build_fork.py.\n"
        "# Do not edit it here: change the project module and rebuild the fork.\n"
    )


def relative_module(absolute: str, package: str) -> str:
    """``absolute`` (a module under ``openai``) as a relative import written inside ``package``."""
    target, here = absolute.split("."), package.split(".")
    common = 0
    while common < min(len(target), len(here)) and target[common] == here[common]:
        common += 1
    if common == 0:
        raise TranslateError(f"{absolute} is not inside the package {here[0]}")
    return "." * (len(here) - common + 1) + ".".join(target[common:])


_FROM_OPENAI = re.compile(r"^(?P<indent>[ \t]*)from\s+(?P<module>openai(?:\.[\w.]+)?)\s+import\b", re.MULTILINE)
_IMPORT_OPENAI = re.compile(r"^[ \t]*import\s+openai(?:\.[\w.]+)?\s*(?:$|,|\sas\s)", re.MULTILINE)
_FROM_SIBLING = re.compile(r"^[ \t]*from\s+\.(?P<module>\w+)\s+import\b", re.MULTILINE)


def relative_imports(source: str, package: str, *, name: str = "<module>") -> str:
    """``source`` with every ``from openai... import`` made relative to ``package``.

    A bare ``import openai`` cannot be made relative (it would import the SDK's root while the SDK is
    still being imported): it is a ``TranslateError`` naming the module and the line.
    """
    bare = _IMPORT_OPENAI.search(source)
    if bare is not None:
        line = source.count("\n", 0, bare.start()) + 1
        raise TranslateError(f"{name}, line {line}: `{bare.group().strip()}` cannot live inside the SDK")

    def rewrite(match: re.Match[str]) -> str:
        return f"{match['indent']}from {relative_module(match['module'], package)} import"

    return _FROM_OPENAI.sub(rewrite, source)


def lib_module(source: str, *, name: str, source_path: str, carried: Iterable[str]) -> str:
    """One project module as ``openai/lib/background/<name>.py``; ``carried`` are the modules beside it."""
    for sibling in _FROM_SIBLING.finditer(source):
        if sibling["module"] not in carried:
            raise TranslateError(f"{name} imports .{sibling['module']}, which the fork does not carry")
    text = relative_imports(source, LIB_PACKAGE, name=name)
    return header(source_path) + text


def lib_init(names: Mapping[str, str], *, lazy_modules: Iterable[str], source_path: str) -> str:
    """The fork's ``openai/lib/background/__init__.py``: the project's public names (``names``: name ->
    defining module) less the client and resource classes, whose methods the SDK's own classes carry.

    Names from ``lazy_modules`` (those importing the SDK's resources) are loaded on first access, through a
    module ``__getattr__`` as ``openai/__init__.py`` does: ``openai._exceptions`` imports this package while
    ``openai`` itself is still being imported.
    """
    lazy = set(lazy_modules)
    eager: dict[str, list[str]] = {}
    deferred: dict[str, str] = {}
    for name, module in names.items():
        if module in lazy:
            deferred[name] = module
        else:
            eager.setdefault(module, []).append(name)
    lines = [
        header(source_path),
        '"""Background mode for the Responses API: typed errors for failed, incomplete and cancelled responses.\n',
        "``client.responses.poll()`` / ``create_and_poll()`` wait for a background response and raise the SDK's",
        "own exception families when it fails (``openai.InternalServerError`` for ``server_error``,",
        "``openai.RateLimitError`` for ``rate_limit_exceeded``, ...); ``raise_for_status`` does the same for",
        'hand-written loops. ``client.responses.retrieve()`` is unchanged.\n"""\n',
        "from __future__ import annotations\n",
        "from typing import TYPE_CHECKING, Any\n",
    ]
    for module in sorted(eager):
        lines.append(f"from .{module} import (\n" + "".join(f"    {n} as {n},\n" for n in sorted(eager[module])) + ")")
    if deferred:
        lines.append("\nif TYPE_CHECKING:")
        for name, module in sorted(deferred.items()):
            lines.append(f"    from .{module} import {name} as {name}")
        lines.append("\n_LAZY = {\n" + "".join(f'    "{n}": ".{m}",\n' for n, m in sorted(deferred.items())) + "}")
        lines.append(
            "\n\ndef __getattr__(name: str) -> Any:\n"
            "    if name in _LAZY:\n"
            "        from importlib import import_module\n\n"
            "        value = getattr(import_module(_LAZY[name], __name__), name)\n"
            "        globals()[name] = value\n"
            "        return value\n"
            '    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")'
        )
    gap = "\n\n" if deferred else "\n"  # two blank lines after a function
    lines.append(gap + "__all__ = [\n" + "".join(f'    "{n}",\n' for n in sorted(names)) + "]\n")
    return "\n".join(lines)


@dataclass(frozen=True)
class Imported:
    """One name a project module imports: ``from <module> import <original> as <name>``."""

    name: str
    original: str
    module: str
    """Absolute, as the SDK sees it: ``openai._types``, ``openai.lib.background._loop``, ``typing``."""
    type_checking: bool


def import_table(tree: ast.Module, *, own_package: str = LIB_PACKAGE) -> dict[str, Imported]:
    """Every ``from X import Y`` at the top of a project module (and in its ``if TYPE_CHECKING:``)."""
    table: dict[str, Imported] = {}

    def read(nodes: Iterable[ast.stmt], type_checking: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                read(node.body, True)
            elif isinstance(node, ast.ImportFrom) and node.module:
                module = f"{own_package}.{node.module}" if node.level == 1 else node.module
                for alias in node.names:
                    bound = alias.asname or alias.name
                    table[bound] = Imported(bound, alias.name, module, type_checking)

    read(tree.body, False)
    return table


@dataclass
class ImportPlan:
    """The imports a translated method needs in its new module, runtime and type-checking apart."""

    runtime: dict[str, set[Imported]] = field(default_factory=dict)
    type_checking: dict[str, set[Imported]] = field(default_factory=dict)

    def add(self, imported: Imported, *, runtime: bool) -> None:
        groups = self.runtime if runtime else self.type_checking
        groups.setdefault(imported.module, set()).add(imported)

    def merge(self, other: ImportPlan) -> None:
        for module, names in other.runtime.items():
            self.runtime.setdefault(module, set()).update(names)
        for module, names in other.type_checking.items():
            self.type_checking.setdefault(module, set()).update(names)
        for module, names in self.runtime.items():  # a name needed at runtime needs no second import
            self.type_checking.get(module, set()).difference_update(names)

    def without(self, bound: set[str]) -> ImportPlan:
        """The plan less the names the target module binds already."""
        keep = ImportPlan()
        for groups, runtime in ((self.runtime, True), (self.type_checking, False)):
            for names in groups.values():
                for imported in names:
                    if imported.name not in bound:
                        keep.add(imported, runtime=runtime)
        return keep


def render_imports(groups: Mapping[str, set[Imported]], package: str, *, indent: str = "") -> list[str]:
    """``from M import a, b as c`` lines, with modules under ``openai`` relative to ``package``."""
    lines = []
    for module in sorted(groups):
        if not groups[module]:
            continue
        written = relative_module(module, package) if module.split(".")[0] == "openai" else module
        names = [
            i.name if i.name == i.original else f"{i.original} as {i.name}"
            for i in sorted(groups[module], key=lambda i: i.name)
        ]
        line = f"{indent}from {written} import {', '.join(names)}"
        if len(line) > 100:  # the SDK's style: one name a line, in parentheses
            line = f"{indent}from {written} import (\n" + "".join(f"{indent}    {n},\n" for n in names) + f"{indent})"
        lines.append(line)
    return lines


@dataclass
class TranslatedMethod:
    text: str
    """The method, indented for a class body, ending in a newline."""
    imports: ImportPlan


def translate_method(
    source: str,
    class_name: str,
    method_name: str,
    *,
    target_package: str,
    substitutions: Mapping[str, Imported] | None = None,
    lazy_runtime_imports: bool = False,
    lazy_modules: Iterable[str] = (),
    home: str | None = None,
) -> TranslatedMethod:
    """Method ``class_name.method_name`` of a project module, ready to paste into an SDK class.

    Names the method takes from its module's imports come back as an ``ImportPlan``; names used only in
    annotations go under ``TYPE_CHECKING``. With ``lazy_runtime_imports``, runtime names are imported
    inside the method instead (the SDK's ``_client.py`` must not import ``lib`` at import time); so are
    names from ``lazy_modules`` (absolute names, e.g. ``openai.lib.background._stream_resources``).
    ``substitutions`` replace module-level names the SDK spells differently (``_OMIT`` -> ``omit``).
    ``home`` is where the method's own module lives in the SDK (absolute), if it is carried there: its
    module-level names are imported from it.
    """
    tree = ast.parse(source)
    function = _find_method(tree, class_name, method_name)
    table = import_table(tree)
    substitutions = dict(substitutions or {})
    module_names = _module_level_names(tree)

    annotation_names: set[str] = set()
    for annotation in _annotations(function):
        annotation_names.update(_names(annotation))
    runtime_nodes: list[ast.AST] = [*function.args.defaults, *function.args.kw_defaults, *function.body]
    runtime_names = {name for node in runtime_nodes if node is not None for name in _names(node)}

    plan = ImportPlan()
    for name in sorted(annotation_names | runtime_names):
        runtime = name in runtime_names
        if name in substitutions:
            plan.add(substitutions[name], runtime=runtime)
        elif name in table:
            if runtime and table[name].type_checking:
                raise TranslateError(f"{class_name}.{method_name} uses {name} at runtime; it is imported for typing")
            plan.add(table[name], runtime=runtime)
        elif name in module_names and home is not None:
            plan.add(Imported(name, name, home, False), runtime=runtime)
        elif name in module_names:
            raise TranslateError(f"{class_name}.{method_name} uses the module-level name {name}; add a substitution")

    start = _first_line(function)
    text = "".join(source.splitlines(keepends=True)[start - 1 : function.end_lineno])
    for old, new in substitutions.items():
        text = re.sub(rf"\b{re.escape(old)}\b", new.name, text)
    lazy = set(plan.runtime) if lazy_runtime_imports else set(plan.runtime) & set(lazy_modules)
    if lazy:
        local = {module: plan.runtime.pop(module) for module in sorted(lazy)}
        text = _with_local_imports(text, function, render_imports(local, target_package))
        for names in local.values():  # an annotation still needs the name, for type checkers only
            for imported in names:
                if imported.name in annotation_names:
                    plan.add(imported, runtime=False)
    return TranslatedMethod(text=textwrap.indent(textwrap.dedent(text), "    ").rstrip() + "\n", imports=plan)


def _find_method(tree: ast.Module, class_name: str, method_name: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method_name:
                    return item
    raise TranslateError(f"the project has no method {class_name}.{method_name}")


def _first_line(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return function.decorator_list[0].lineno if function.decorator_list else function.lineno


def _annotations(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    args = function.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    found = [arg.annotation for arg in every if arg is not None and arg.annotation is not None]
    return [*found, function.returns] if function.returns is not None else found


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _module_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _with_local_imports(text: str, function: ast.FunctionDef | ast.AsyncFunctionDef, imports: list[str]) -> str:
    """``text`` (the method's source) with ``imports`` placed first in its body, after the docstring."""
    body = function.body
    has_docstring = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    anchor = body[1] if has_docstring and len(body) > 1 else body[0]
    lines = text.splitlines(keepends=True)
    at = anchor.lineno - _first_line(function)
    indent = " " * anchor.col_offset
    block = [f"{indent}{line}\n" for line in imports] + ["\n"]
    return "".join(lines[:at] + block + lines[at:])
