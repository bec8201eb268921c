"""``_compat`` (the package's bridge between SDK majors) dissolved into the one SDK the fork is built for.

Its aliases become the names of the HTTP library the SDK itself imports (``HttpResponse`` ->
``httpx2.Response``); its functions that look for an SDK helper import it from where the SDK keeps it; the
others move, with the imports and constants they need, into the module that uses them (``native``).
"""

from __future__ import annotations

import ast
import re

from .project import Project
from .translate import TranslateError, from_import

COMPAT = "_compat"


HTTP_ALIASES = {"HttpResponse": "Response", "Timeout": "Timeout"}
"""``_compat`` aliases -> the name in the SDK's HTTP library (``httpx2.Response``)."""


SDK_FUNCTIONS = {"make_tools": ("openai.lib._response_resources", "_make_tools")}
"""``_compat`` functions that look for an SDK helper across SDK majors -> where the SDK keeps it: the fork
imports it from there (no search, no fallback for other majors)."""


def sdk_http_library(types_source: str) -> str:
    """The HTTP library the SDK speaks, read from its ``_types.py`` (``import httpx2`` / ``import httpx``)."""
    match = re.search(r"^import (httpx2?)\b", types_source, re.MULTILINE)
    if match is None:
        raise TranslateError("openai/_types.py imports neither httpx2 nor httpx")
    return match.group(1)


def compat_parts(project: Project, http: str) -> tuple[dict[str, str], dict[str, str]]:
    """``_compat``'s aliases (name -> SDK spelling) and functions (name -> source, the HTTP library
    spelled as the SDK spells it)."""
    tree = project.tree(COMPAT)
    source = project.source(COMPAT)
    aliases = {name: f"{http}.{sdk}" for name, sdk in HTTP_ALIASES.items()}
    functions = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name != "http_library":
            text = ast.get_source_segment(source, node) or ""
            text = re.sub(r"\bhttp_library\(\)", http, text)
            functions[node.name] = text
    return aliases, functions


def compat_support(project: Project, names: set[str]) -> tuple[list[str], list[str]]:
    """What inlined ``_compat`` functions need: its imports (as lines) and its module-level constants."""
    tree, source = project.tree(COMPAT), project.source(COMPAT)
    used = {
        n.id
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name in names
        for n in ast.walk(node)
        if isinstance(n, ast.Name)
    }
    imports, constants = [], []
    for node in tree.body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module not in ("__future__", "openai._types", "types")
        ):
            chosen = [a for a in node.names if (a.asname or a.name) in used]
            if chosen:
                imports.append(from_import("", node.module or "", chosen))
        elif isinstance(node, ast.Import):  # ``import importlib`` for ``make_tools``
            imports += [f"import {a.name}\n" for a in node.names if a.asname is None and a.name in used]
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in used and t.id not in HTTP_ALIASES for t in node.targets
        ):
            constants.append((ast.get_source_segment(source, node) or "") + "\n")
    return imports, constants
