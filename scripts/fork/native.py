"""The project's modules made native to the SDK: no trace of the package they come from.

* imports: project-relative ones point at the module's new home (``openai.lib.background.<module>``, or
  ``openai._exceptions`` for the exception classes, which join the SDK's own file), SDK ones become relative;
* ``_compat`` (the package's bridge between SDK majors) dissolves (``compat``): its aliases become the names
  of the HTTP library the SDK itself imports (``HttpResponse`` -> ``httpx2.Response``), its functions move
  into the module that uses them;
* the logger is ``openai.lib.background`` (a child of the SDK's ``openai`` logger, which ``OPENAI_LOG`` sets
  up), "this package" reads "the SDK";
* blocks the source marks ``# fork: drop`` ... ``# fork: end`` (or one line ending ``# fork: drop``) and
  classes whose methods move into the SDK's resources are left out.

Everything is text in, text out; upstream's ruff (``--fix``, ``format``) tidies the imports afterwards.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Mapping

from .compat import COMPAT, SDK_FUNCTIONS, compat_parts, compat_support
from .project import Project, is_type_checking
from .translate import TranslateError, from_import, relative_imports, relative_module

LIB_PACKAGE = "openai.lib.background"
MERGED = {"_exceptions": "openai._exceptions"}
"""Project modules whose definitions join an SDK file instead of living under ``lib/background``."""
PROJECT_LOGGER = "openai_background"
LOGGER = LIB_PACKAGE
DROP_START, DROP_END = "# fork: drop", "# fork: end"
TEST_HOOKS = ("_monotonic",)
"""Attributes the package's tests set on a resource (a fake clock); the SDK's tests patch ``_sleep`` only."""


PACKAGE_TRACES = re.compile(
    r"openai[-_]background|\bthis package\b|\bjournal|\bframework modes?\b|\bmodes/|\bCLI\b|\bcommand line\b"
    r"|\bopenai [123]\.x\b|\b[123]\.x\b|\blitellm\b|\bpydantic-ai\b|\binspect_ai\b|FakeResponsesServer"
    r"|api\.openai\.com",
    re.IGNORECASE,
)
"""What must not reach the SDK: the package's name, its package-only parts (framework modes, journal, command
line, test kit), words about other SDK majors, frameworks by name, and hard-coded API hosts."""


def package_traces(text: str, before: str = "") -> list[str]:
    """Lines of ``text`` not in ``before`` (the pristine file) that mention ``PACKAGE_TRACES``: ``n: line``."""
    old = set(before.splitlines())
    return [
        f"{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if line not in old and PACKAGE_TRACES.search(line)
    ]


def home(module: str) -> str:
    """Where a carried project module lives in the SDK (absolute)."""
    return MERGED.get(module, f"{LIB_PACKAGE}.{module}" if module != "__init__" else LIB_PACKAGE)


def package_of_home(project: Project, module: str) -> str:
    parts = home(module).split(".")
    return ".".join(parts) if project.is_package(module) else ".".join(parts[:-1])


def strip_marked(source: str) -> str:
    """``source`` without the lines the project marks as its own (``# fork: drop`` ... ``# fork: end``)."""
    kept, dropping = [], False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped == DROP_START:
            dropping = True
        elif dropping and stripped == DROP_END:
            dropping = False
        elif not dropping and not line.rstrip().endswith(DROP_START):
            kept.append(line)
    if dropping:
        raise TranslateError(f"a `{DROP_START}` block has no `{DROP_END}`")
    return "".join(kept)


def rename(source: str, names: Mapping[str, str]) -> str:
    """Every NAME token in ``names`` replaced (strings, comments and attributes ``x.name`` untouched)."""
    if not names:
        return source
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    edits = []
    for index, token in enumerate(tokens):
        if token.type == tokenize.NAME and token.string in names:
            before = tokens[index - 1] if index else None
            if before is not None and before.string == ".":
                continue
            edits.append((token.start, token.end, names[token.string]))
    for (row, col), (_, end), new in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + new + line[end:]
    return "".join(lines)


_IGNORED_SETATTR = re.compile(
    r"^(?P<indent>[ \t]*)(?P<obj>\w+)\.(?P<attr>\w+) = (?P<value>.+?)\s+# type: ignore\[attr-defined\]$", re.MULTILINE
)


def typed_setattr(source: str) -> str:
    """``error.response_id = rid  # type: ignore[attr-defined]`` (a mypy code, which upstream's ty does not
    read) as ``cast(Any, error).response_id = rid``: the same assignment, typed without a checker-specific comment."""
    if not _IGNORED_SETATTR.search(source):
        return source
    source = _IGNORED_SETATTR.sub(r"\g<indent>cast(Any, \g<obj>).\g<attr> = \g<value>", source)
    return _add_top_imports(source, ["from typing import Any, cast\n"])


def speak_as_sdk(source: str, *, subpackage: bool = False) -> str:
    """The logger under ``openai``, and docstrings that speak of the SDK, not of the package (in a
    subpackage's ``__init__``, "this package" is the subpackage and stays); modules the SDK does not have
    are not named (``_compat`` dissolves, ``_resources``' methods live in ``_response_methods``)."""
    source = source.replace(f'"{PROJECT_LOGGER}"', f'"{LOGGER}"').replace(f"``{PROJECT_LOGGER}``", f"``{LOGGER}``")
    if not subpackage:
        source = re.sub(r"\bthis package\b", "the SDK", source)
    source = re.sub(r"``\.*_compat``,?\s*", "", source)
    source = re.sub(r"``(\.*)_resources``", r"``\1_response_methods``", source)
    return source.replace("openai-background", "the SDK")


def replace_segments(source: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """``edits``: (first line, last line, new text) on whole lines, 1-based, non-overlapping."""
    lines = source.splitlines(keepends=True)
    for first, last, new in sorted(edits, reverse=True):
        lines[first - 1 : last] = [new] if new else []
    return "".join(lines)


def hook_readers(project: Project, modules: Iterable[str]) -> set[str]:
    """Module-level functions ``f(resource, default)`` that return a ``TEST_HOOKS`` attribute of the resource
    if set, else ``default``: without test hooks, ``f(a, b)`` is just ``b``."""
    modules = tuple(sorted(modules))
    cached = project.memo.get(("hook_readers", modules))
    if isinstance(cached, set):
        return cached
    found: set[str] = set()
    for module in modules:
        for node in project.tree(module).body:
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(n, ast.Constant) and n.value in TEST_HOOKS for n in ast.walk(node)
            ):
                if len(node.args.args) != 2:
                    raise TranslateError(f"{module}.{node.name} reads a test hook but is not f(resource, default)")
                found.add(node.name)
    project.memo[("hook_readers", modules)] = found
    return found


def without_test_hooks(source: str, readers: set[str]) -> str:
    """Calls ``reader(a, b)`` become ``b``; the readers' definitions go."""
    if not readers:
        return source
    tree = ast.parse(source)
    edits = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in readers and node.end_lineno is not None:
            edits.append((node.lineno, node.end_lineno, ""))
    source = replace_segments(source, edits)
    for reader in readers:
        source = re.sub(rf"\b{re.escape(reader)}\(\s*[\w.]+,\s*([\w.]+)\s*\)", r"\1", source)
        if re.search(rf"\b{re.escape(reader)}\(", source):
            raise TranslateError(f"a call of {reader} has a shape the translation cannot simplify")
    return source


def lib_module(
    project: Project,
    module: str,
    *,
    carried: Iterable[str],
    http: str,
    drop_classes: Iterable[str] = (),
    test_hooks: bool = False,
) -> str:
    """One carried project module as it lives in the SDK (``home(module)``); ``test_hooks`` keeps the
    package's test hooks (for the wheel this project's own behaviour tests run against, never the patch)."""
    carried = set(carried)
    source = strip_marked(project.source(module))
    if not test_hooks:
        source = without_test_hooks(source, hook_readers(project, carried - {COMPAT, *MERGED}))
    tree = ast.parse(source)
    package = package_of_home(project, module)
    aliases, functions = compat_parts(project, http)
    renames: dict[str, str] = {}
    library_calls: list[str] = []
    inline: list[str] = []
    native_imports: list[str] = []
    edits = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.level):
            continue
        target = project.resolve(module, node)
        assert target is not None and node.end_lineno is not None
        indent = " " * node.col_offset
        if target == COMPAT:
            for alias in node.names:
                bound = alias.asname or alias.name
                if alias.name in aliases:
                    renames[bound] = aliases[alias.name]
                elif alias.name == "http_library":  # the SDK names its HTTP library: ``http_library()`` is it
                    library_calls.append(bound)
                elif alias.name in SDK_FUNCTIONS:
                    where, name = SDK_FUNCTIONS[alias.name]
                    native_imports.append(f"{indent}from {where} import {name} as {bound}\n")
                elif alias.name in functions:
                    inline.append(alias.name)
                else:
                    raise TranslateError(f"{module} imports {alias.name} from _compat, which has no SDK spelling")
            needs_http = renames or library_calls
            http_import = f"{indent}import {http}\n" if needs_http else ""
            edits.append((node.lineno, node.end_lineno, http_import + "".join(native_imports)))
            native_imports.clear()
        elif target in MERGED or target in carried:
            written = relative_module(home(target), package)
            edits.append((node.lineno, node.end_lineno, from_import(indent, written, node.names)))
        else:
            raise TranslateError(f"{module} imports .{target}, which the fork does not carry")
    drop = set(drop_classes)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in drop:
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            assert node.end_lineno is not None
            edits.append((first, node.end_lineno, ""))
    text = replace_segments(source, edits)
    if drop:
        text = _without_all_names(text, drop)
    text = rename(text, renames)
    for bound in library_calls:
        text = re.sub(rf"\b{re.escape(bound)}\(\)", http, text)
        if re.search(rf"\b{re.escape(bound)}\b", text):
            raise TranslateError(f"{module} uses {bound} other than as a call `{bound}()`")
    if inline:
        imports, constants = compat_support(project, set(inline))
        body = "\n\n".join(rename(functions[name], aliases) for name in inline)
        text = _add_top_imports(text, imports) + "\n\n" + "".join(constants) + "\n\n" + body + "\n"
    text = relative_imports(typed_setattr(text), package, name=module)
    return speak_as_sdk(text, subpackage=project.is_package(module))


def _without_all_names(text: str, names: set[str]) -> str:
    for name in names:
        text = re.sub(rf'^\s*"{re.escape(name)}",\n', "", text, flags=re.MULTILINE)
        text = re.sub(rf'"{re.escape(name)}",\s*', "", text)
        text = re.sub(rf',\s*"{re.escape(name)}"', "", text)
    return text


def _add_top_imports(text: str, lines: list[str]) -> str:
    if not lines:
        return text
    tree = ast.parse(text)
    last = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or is_type_checking(node):
            last = node.end_lineno or last
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            break
    return replace_segments(text, [(last + 1, last, "".join(lines))]) if last else "".join(lines) + text
