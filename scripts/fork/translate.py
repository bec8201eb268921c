"""Imports across the move into the SDK: how a project module's imports are read (``import_table``),
gathered for a new home (``Imported``, ``ImportPlan``) and written there (``render_imports``), and
``from openai... import`` made relative to the package a module lives in (``relative_imports``).

``TranslateError``: a project module uses something that cannot be carried into the SDK as it is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LIB_PACKAGE = "openai.lib.background"
"""Where the implementation lives in the SDK."""


class TranslateError(Exception):
    """A project module uses something that cannot be carried into the SDK as it is."""


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


def from_import(indent: str, module: str, aliases: list[ast.alias]) -> str:
    """One ``from module import a, b as c`` line (``aliases`` as the parsed import spelled them)."""
    names = ", ".join(a.name if a.asname is None else f"{a.name} as {a.asname}" for a in aliases)
    return f"{indent}from {module} import {names}\n"
