"""The edits to upstream files, as pure functions of their text.

Every edit finds its place by an anchor in the source (a class, a method, an import block, ``__all__``),
never by a line number, so the same code patches the next upstream version or says clearly why it
cannot: ``AnchorMissing`` names the version, the file and the anchor. ``plan_fork`` computes every file
before anything is written, so a missing anchor never leaves a half-patched tree.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from . import translate
from .project import CLIENT_CLASSES, CLIENT_HOOK, PACKAGE_ONLY, RESOURCE_CLASSES, Project
from .translate import Imported, ImportPlan, TranslatedMethod, render_imports

CLIENT = "src/openai/_client.py"
RESPONSES = "src/openai/resources/responses/responses.py"
EXCEPTIONS = "src/openai/_exceptions.py"
PACKAGE_INIT = "src/openai/__init__.py"
LIB_INIT = "src/openai/lib/__init__.py"
LIB_DIR = "src/openai/lib/background"
PYPROJECT = "pyproject.toml"
VERSION_FILE = "src/openai/_version.py"


OMIT = Imported(name="omit", original="omit", module="openai._types", type_checking=False)
"""Our modules spell the omitted-argument default ``_OMIT`` (typed ``Any`` for mypy); the SDK, ``omit``."""


class AnchorMissing(Exception):
    """An upstream file lacks the text an edit is anchored on: the fork cannot be built for that version."""

    def __init__(self, version: str, path: str, anchor: str | None) -> None:
        missing = f"{path} has no {anchor}" if anchor is not None else f"there is no {path}"
        super().__init__(
            f"openai {version}: {missing}; the fork cannot be built for this version (nothing was written to dist/)"
        )
        self.version, self.path, self.anchor = version, path, anchor


def plan_fork(read: Callable[[str], str], project_root: Path, version: str) -> dict[str, str]:
    """Every file the fork adds or changes (repository-relative path -> new text), computed in memory.

    ``read`` returns an upstream file's text (``FileNotFoundError`` if absent); ``project_root`` is
    ``src/openai_background``. Raises ``AnchorMissing`` or ``translate.TranslateError``.
    """

    def upstream(path: str) -> str:
        try:
            return read(path)
        except FileNotFoundError:
            raise AnchorMissing(version, path, None) from None

    project = Project(project_root)
    hooks = {cls: project.find_method("_client", cls, CLIENT_HOOK) for cls in CLIENT_CLASSES}
    methods = {cls: project.class_methods("_resources", cls) for cls in RESOURCE_CLASSES}
    public = project.public_names()
    used = {m.module for found in methods.values() for m in found} | {m.module for m in hooks.values()}
    needed: set[str] = set(public.values())
    for module in used:
        needed |= project.siblings(module)
    carried = project.closure(needed - set(PACKAGE_ONLY))
    lazy = project.resource_bound(carried)
    lazy_absolute = {f"{translate.LIB_PACKAGE}.{m}" for m in lazy}

    client_methods = {
        cls: translate.translate_method(
            project.source(m.module), m.class_name, m.name, target_package="openai", lazy_runtime_imports=True
        )
        for cls, m in hooks.items()
    }
    resource_methods = {
        cls: [
            translate.translate_method(
                project.source(m.module),
                m.class_name,
                m.name,
                target_package="openai.resources.responses",
                substitutions={"_OMIT": OMIT},
                lazy_modules=lazy_absolute,
                home=f"{translate.LIB_PACKAGE}.{m.module}" if m.module in carried else None,
            )
            for m in found
        ]
        for cls, found in methods.items()
    }
    files = {
        f"{LIB_DIR}/{name}.py": translate.lib_module(
            project.source(name), name=name, source_path=f"src/openai_background/{name}.py", carried=carried
        )
        for name in carried
    }
    files[f"{LIB_DIR}/__init__.py"] = translate.lib_init(
        public, lazy_modules=lazy, source_path="src/openai_background/__init__.py"
    )
    exceptions = sorted(name for name, module in public.items() if module == "_exceptions")
    files[CLIENT] = patch_client(upstream(CLIENT), client_methods, version=version)
    files[RESPONSES] = patch_responses(
        upstream(RESPONSES), resource_methods, [m.name for m in methods["Responses"]], version=version
    )
    files[EXCEPTIONS] = patch_exceptions(upstream(EXCEPTIONS), exceptions, version=version)
    files[PACKAGE_INIT] = patch_package_init(upstream(PACKAGE_INIT), exceptions, version=version)
    files[LIB_INIT] = patch_lib_init(upstream(LIB_INIT), version=version)
    return files


def patch_client(text: str, methods: Mapping[str, TranslatedMethod], *, version: str) -> str:
    """The client hook on ``OpenAI`` and ``AsyncOpenAI`` (``methods``: class -> method), each placed right
    after ``_make_status_error``, importing ``lib`` inside the method (``_client.py`` loads before ``lib``)."""
    plan = ImportPlan()
    for class_name, method in methods.items():
        cls = _class(ast.parse(text), class_name, CLIENT, version)
        if _method(cls, CLIENT_HOOK) is not None:
            raise AnchorMissing(version, CLIENT, f"class {class_name} without {CLIENT_HOOK} (already patched?)")
        status_error = _method(cls, "_make_status_error")
        if status_error is None or status_error.end_lineno is None:
            raise AnchorMissing(version, CLIENT, f"def _make_status_error( in class {class_name}")
        plan.merge(method.imports)
        text = _insert_lines(text, status_error.end_lineno, "\n" + method.text)
    return add_imports(text, plan, package="openai", path=CLIENT, version=version)


def patch_responses(text: str, methods: Mapping[str, list[TranslatedMethod]], names: list[str], *, version: str) -> str:
    """The project's resource methods (``methods``: class -> methods; ``names``: their names) at the end of
    ``Responses`` and ``AsyncResponses``: same signatures, delegating to ``lib.background``."""
    plan = ImportPlan()
    for class_name, translated in methods.items():
        base = "SyncAPIResource" if class_name == "Responses" else "AsyncAPIResource"
        cls = _class(ast.parse(text), class_name, RESPONSES, version, anchor=f"class {class_name}({base}):")
        for name in names:
            if _method(cls, name) is not None:
                raise AnchorMissing(version, RESPONSES, f"class {class_name} without a {name} method of its own")
        for method in translated:
            plan.merge(method.imports)
        assert cls.end_lineno is not None
        text = _insert_lines(text, cls.end_lineno, "".join("\n" + m.text for m in translated))
    return add_imports(text, plan, package="openai.resources.responses", path=RESPONSES, version=version)


def patch_exceptions(text: str, names: list[str], *, version: str) -> str:
    """Re-export our exception classes from ``openai._exceptions``, at its end: they subclass its classes,
    so importing them any earlier would be a cycle."""
    if _assignment(ast.parse(text), "__all__") is None:
        raise AnchorMissing(version, EXCEPTIONS, "__all__ = [")
    imports = "".join(f"    {name} as {name},\n" for name in names)
    listed = "".join(f'    "{name}",\n' for name in names)
    block = (
        "\n\n# Background mode: a background response that ends failed, incomplete or cancelled raises these\n"
        "# (see lib/background). They subclass the classes above, so they are imported last.\n"
        f"from .lib.background._exceptions import (\n{imports})\n\n__all__ += [\n{listed}]\n"
    )
    return text.rstrip("\n") + "\n" + block


def patch_package_init(text: str, names: list[str], *, version: str) -> str:
    """Our exception classes in ``openai``'s ``from ._exceptions import (...)`` block and its ``__all__``."""
    tree = ast.parse(text)
    block = next(
        (n for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module == "_exceptions"), None
    )
    if block is None or block.end_lineno is None or not text.splitlines()[block.end_lineno - 1].strip() == ")":
        raise AnchorMissing(version, PACKAGE_INIT, "from ._exceptions import ( ... ) block")
    exported = _assignment(tree, "__all__")
    if exported is None or exported.end_lineno is None or not isinstance(exported.value, ast.List):
        raise AnchorMissing(version, PACKAGE_INIT, "__all__ = [ ... ] list")
    # The later edit first, so the earlier line number still holds.
    text = _insert_lines(text, exported.end_lineno - 1, "".join(f'    "{name}",\n' for name in names))
    return _insert_lines(text, block.end_lineno - 1, "".join(f"    {name},\n" for name in names))


def patch_lib_init(text: str, *, version: str) -> str:
    """``raise_for_status`` from ``openai.lib``, beside the other helpers exported there."""
    return text.rstrip("\n") + "\nfrom .background import raise_for_status as raise_for_status\n"


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


def add_imports(text: str, plan: ImportPlan, *, package: str, path: str, version: str) -> str:
    """``plan``'s imports added to a module, skipping names it binds already: runtime ones after its last
    top-level import, typing ones at the end of its ``if TYPE_CHECKING:`` block (made if absent)."""
    plan = plan.without(_bound_names(ast.parse(text)))
    runtime = render_imports(plan.runtime, package)
    typing = render_imports(plan.type_checking, package, indent="    ")
    tree = ast.parse(text)
    guard = _type_checking_block(tree)
    if typing and guard is not None and guard.body[-1].end_lineno is not None:
        text = _insert_lines(text, guard.body[-1].end_lineno, "".join(f"{line}\n" for line in typing))
    elif typing:
        if "TYPE_CHECKING" not in _bound_names(tree):
            runtime.insert(0, "from typing import TYPE_CHECKING")
        runtime += ["", "if TYPE_CHECKING:", *typing]
    if runtime:
        last = _last_import(ast.parse(text))
        if last is None:
            raise AnchorMissing(version, path, "top-level import")
        text = _insert_lines(text, last, "".join(f"{line}\n" for line in runtime))
    return text


def _class(tree: ast.Module, name: str, path: str, version: str, *, anchor: str | None = None) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise AnchorMissing(version, path, anchor or f"class {name}(")


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for item in cls.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
            return item
    return None


def _assignment(tree: ast.Module, name: str) -> ast.Assign | None:
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


def _insert_lines(text: str, after_line: int, block: str) -> str:
    """``block`` inserted after line ``after_line`` (1-based; 0 inserts at the top)."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[:after_line]) + block + "".join(lines[after_line:])
