"""The edits of specific upstream files, as pure functions of their text: ``_exceptions.py`` (our classes
merged in), ``openai/__init__.py`` (their names exported), the client hook on ``OpenAI`` / ``AsyncOpenAI``,
the method hooks on ``Responses`` / ``AsyncResponses``, ``helpers.md``, and the version.

Each edit finds its place by an anchor (``anchors``), never a line number.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from . import compat, native, series, translate
from .anchors import AnchorMissing, add_imports, find_assignment, find_class, find_method, insert_lines
from .project import CLIENT_HOOK, Project
from .translate import ImportPlan

CLIENT = "src/openai/_client.py"
RESPONSES = "src/openai/resources/responses/responses.py"
EXCEPTIONS = "src/openai/_exceptions.py"
PACKAGE_INIT = "src/openai/__init__.py"
PYPROJECT = "pyproject.toml"
VERSION_FILE = "src/openai/_version.py"
HELPERS = "helpers.md"


def merge_exceptions(text: str, project: Project, *, http: str, version: str) -> str:
    """The project's exception classes appended to the SDK's hand-written ``_exceptions.py`` (they subclass
    its classes), their names added to its ``__all__``, their imports merged into its own."""
    tree = ast.parse(text)
    exported = find_assignment(tree, "__all__")
    if exported is None or exported.end_lineno is None or not isinstance(exported.value, ast.List):
        raise AnchorMissing(version, EXCEPTIONS, "__all__ = [ ... ] list")
    module = next(iter(native.MERGED))
    source = native.strip_marked(project.source(module))
    ours = ast.parse(source)
    aliases, _ = compat.compat_parts(project, http)
    plan = ImportPlan()
    for imported in translate.import_table(ours, own_package="openai_background").values():
        if imported.module in ("__future__", "openai._exceptions") or imported.module.startswith("openai_background"):
            continue
        plan.add(imported, runtime=not imported.type_checking)
    kept = []
    names = []
    for node in ours.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            kept.append("".join(source.splitlines(keepends=True)[first - 1 : node.end_lineno]))
            if not node.name.startswith("_"):
                names.append(node.name)
    doc = ast.get_docstring(ours) or ""
    summary = doc.split("\n\n")[0].replace("\n", " ")
    block = native.speak_as_sdk(native.rename("\n\n".join(kept), aliases))
    text = insert_lines(text, exported.end_lineno - 1, "".join(f'    "{n}",\n' for n in names))
    text = add_imports(text, plan, package="openai", path=EXCEPTIONS, version=version)
    return text.rstrip("\n") + f"\n\n\n# Background responses. {native.speak_as_sdk(summary)}\n\n\n" + block + "\n"


def patch_client(text: str, methods: Mapping[str, str], *, version: str) -> str:
    """The client hook on ``OpenAI`` and ``AsyncOpenAI`` (``methods``: class -> method text), each placed
    right after ``_make_status_error``; it imports ``lib.background`` on first call."""
    for class_name, method in methods.items():
        cls = find_class(ast.parse(text), class_name, CLIENT, version)
        if find_method(cls, CLIENT_HOOK) is not None:
            raise AnchorMissing(version, CLIENT, f"class {class_name} without {CLIENT_HOOK} (already patched?)")
        status_error = find_method(cls, "_make_status_error")
        if status_error is None or status_error.end_lineno is None:
            raise AnchorMissing(version, CLIENT, f"def _make_status_error( in class {class_name}")
        text = insert_lines(text, status_error.end_lineno, "\n" + method)
    return text


def patch_responses(
    text: str, methods: Mapping[str, list[str]], names: list[str], plan: ImportPlan, *, version: str
) -> str:
    """The hooks (``methods``: class -> method texts; ``names``: the method names) at the end of
    ``Responses`` and ``AsyncResponses``: signatures that delegate to ``lib.background``."""
    for class_name, translated in methods.items():
        base = "SyncAPIResource" if class_name == "Responses" else "AsyncAPIResource"
        cls = find_class(ast.parse(text), class_name, RESPONSES, version, anchor=f"class {class_name}({base}):")
        for name in names:
            if find_method(cls, name) is not None:
                raise AnchorMissing(version, RESPONSES, f"class {class_name} without a {name} method of its own")
        assert cls.end_lineno is not None
        text = insert_lines(text, cls.end_lineno, "".join("\n" + m for m in translated))
    return add_imports(text, plan, package="openai.resources.responses", path=RESPONSES, version=version)


def patch_package_init(text: str, names: list[str], *, version: str) -> str:
    """Our exception classes in ``openai``'s ``from ._exceptions import (...)`` block and its ``__all__``."""
    tree = ast.parse(text)
    block = next(
        (n for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module == "_exceptions"), None
    )
    if block is None or block.end_lineno is None or not text.splitlines()[block.end_lineno - 1].strip() == ")":
        raise AnchorMissing(version, PACKAGE_INIT, "from ._exceptions import ( ... ) block")
    exported = find_assignment(tree, "__all__")
    if exported is None or exported.end_lineno is None or not isinstance(exported.value, ast.List):
        raise AnchorMissing(version, PACKAGE_INIT, "__all__ = [ ... ] list")
    # The later edit first, so the earlier line number still holds.
    text = insert_lines(text, exported.end_lineno - 1, "".join(f'    "{name}",\n' for name in names))
    return insert_lines(text, block.end_lineno - 1, "".join(f"    {name},\n" for name in names))


def set_version(files: Mapping[str, str], upstream: str, revision: int) -> dict[str, str]:
    """``pyproject.toml`` and ``_version.py`` declaring ``<upstream>+background.<revision>``."""
    fork = fork_version(upstream, revision)
    changed = {}
    for path, pattern in (
        (PYPROJECT, rf'^version = "{re.escape(upstream)}"$'),
        (VERSION_FILE, rf'^__version__ = "{re.escape(upstream)}"'),
    ):
        new, count = re.subn(pattern, lambda m: m.group().replace(upstream, fork), files[path], flags=re.MULTILINE)
        if count != 1:
            raise AnchorMissing(upstream, path, pattern.strip("^$"))
        changed[path] = new
    return changed


def fork_version(upstream: str, revision: int) -> str:
    if revision < 1:
        raise ValueError(f"--fork-revision must be >= 1, not {revision}")
    return f"{upstream}+background.{revision}"


def add_helpers_section(text: str) -> str:
    """``helpers.md`` with the section on polling background responses at its end."""
    return text.rstrip("\n") + "\n\n" + series.helpers_section()
