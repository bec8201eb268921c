"""Planning one step of the series: every file it adds or changes, computed in memory from upstream's text.

``plan_fork`` lays out the carried modules under ``openai/lib/background``, the methods module behind the
resource hooks, that package's lazy ``__init__``, and where each name a hook or the client hook uses comes
from in the SDK; the edits of upstream's own files are ``edits``'. Every file is computed before anything is
written, so a missing anchor (``AnchorMissing``) never leaves a half-patched tree.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

from . import compat, hooks, native, series, translate
from .anchors import AnchorMissing, add_imports
from .edits import (
    CLIENT,
    EXCEPTIONS,
    HELPERS,
    PACKAGE_INIT,
    RESPONSES,
    add_helpers_section,
    merge_exceptions,
    patch_client,
    patch_package_init,
    patch_responses,
)
from .project import CLIENT_CLASSES, CLIENT_HOOK, RESOURCE_CLASSES, Project, package_only
from .translate import Imported, ImportPlan

LIB_INIT = "src/openai/lib/__init__.py"
LIB_DIR = "src/openai/lib/background"
TYPES = "src/openai/_types.py"
LIB_PUBLIC = "openai.lib.background"


def plan_fork(
    read: Callable[[str], str], project_root: Path, version: str, step: int | None = None, *, test_hooks: bool = False
) -> dict[str, str]:
    """Every file step ``step`` (0-based; default: the last) of the series has added or changed (repository-
    relative path -> new text, cumulative from the pristine tree), computed in memory.

    ``read`` returns an upstream file's text (``FileNotFoundError`` if absent); ``project_root`` is
    ``src/openai_background``. ``test_hooks`` keeps the package's test hooks (the fake clock its behaviour
    tests set): only for the wheel those tests run against, never for the series. Raises ``AnchorMissing`` or
    ``translate.TranslateError``.
    """

    def upstream(path: str) -> str:
        try:
            return read(path)
        except FileNotFoundError:
            raise AnchorMissing(version, path, None) from None

    project = _project(project_root)
    layout = series.plan(project)
    k = len(series.STEPS) - 1 if step is None else step
    carried = layout.modules[k]
    http = compat.sdk_http_library(upstream(TYPES))
    aliases, _ = compat.compat_parts(project, http)
    method_classes = {(m.module, m.class_name) for ms in layout.methods for _, m in ms}
    methods = layout.methods[k]
    files: dict[str, str] = {}
    for module in sorted(carried - {compat.COMPAT, *native.MERGED}):
        drop = [cls for mod, cls in method_classes if mod == module]
        files[lib_path(project, module)] = native.lib_module(
            project, module, carried=carried, http=http, drop_classes=drop, test_hooks=test_hooks
        )

    built = [(cls, hooks.build(project, m, carried=carried, is_async=cls.startswith("Async"))) for cls, m in methods]
    public = {name: module for name, module in project.public_names().items() if module in carried}
    if built:
        functions: list[str] = []
        plan = ImportPlan()
        for (cls, method), (_, source) in zip(built, methods, strict=True):
            functions.append(native.rename(method.function, aliases))
            plan.merge(_imports_for(project, source.module, method.function_names, carried, http, public))
            plan.add(Imported(cls, cls, "openai.resources.responses.responses", True), runtime=False)
        text = (
            '"""``client.responses.poll`` and friends: the logic behind the methods the generated resource\n'
            'declares (as ``_response_resources.py`` is for ``parse`` / ``stream``)."""\n\n'
            "from __future__ import annotations\n\n"
            f"from typing import TYPE_CHECKING\n\nimport {http}\n\n" + "\n\n".join(functions)
        )
        files[f"{LIB_DIR}/{hooks.METHODS_MODULE}.py"] = add_imports(
            text, plan, package=translate.LIB_PACKAGE, path=hooks.METHODS_MODULE, version=version
        )
    files[f"{LIB_DIR}/__init__.py"] = lib_init(public)
    files[EXCEPTIONS] = merge_exceptions(upstream(EXCEPTIONS), project, http=http, version=version)
    exceptions = sorted(name for name, module in public.items() if module in native.MERGED)
    files[PACKAGE_INIT] = patch_package_init(upstream(PACKAGE_INIT), exceptions, version=version)
    client_methods, client_plan = client_hooks(project, aliases, http)
    files[CLIENT] = add_imports(
        patch_client(upstream(CLIENT), client_methods, version=version),
        client_plan,
        package="openai",
        path=CLIENT,
        version=version,
    )
    if built:
        hook_plan = ImportPlan()
        for (_, method), (_, source) in zip(built, methods, strict=True):
            hook_plan.merge(_typing_imports(project, source.module, method, public, carried, http))
        by_class: dict[str, list[str]] = {}
        for cls, method in built:
            by_class.setdefault(cls, []).append(native.rename(method.hook, aliases))
        names = sorted({m.name for _, m in built})
        files[RESPONSES] = patch_responses(upstream(RESPONSES), by_class, names, hook_plan, version=version)
    for index in range(k + 1):
        files.update(series.step_tests(series.STEPS[index].slug))
    if k >= 1:
        files[HELPERS] = add_helpers_section(upstream(HELPERS))
    return files


_PROJECTS: dict[Path, Project] = {}


def _project(root: Path) -> Project:
    """One ``Project`` per source folder in a process: each step of the series reads the same source."""
    key = root.resolve()
    if key not in _PROJECTS:
        _PROJECTS[key] = Project(key)
    return _PROJECTS[key]


def lib_path(project: Project, module: str) -> str:
    parts = module.split(".")
    if project.is_package(module):
        return "/".join([LIB_DIR, *parts, "__init__.py"])
    return "/".join([LIB_DIR, *parts[:-1], f"{parts[-1]}.py"])


def _resolve_name(
    project: Project, module: str, name: str, carried: set[str], http: str, public: dict[str, str]
) -> Imported | None:
    """Where ``name`` (used by a method of ``module``) comes from in the SDK; None: a builtin or local."""
    if name in RESOURCE_CLASSES:
        return Imported(name, name, "openai.resources.responses.responses", True)
    if name in ("omit", "not_given"):
        return Imported(name, name, "openai._types", False)
    relative = project.names_from(module)
    if name in relative:
        target, original = relative[name]
        if target == compat.COMPAT:
            return None  # spelled ``httpx2.Response``: the module imports the library itself
        if package_only(target):
            raise translate.TranslateError(f"{module} uses {name} from .{target}, which the fork does not carry")
        source = LIB_PUBLIC if name in public and target not in native.MERGED else native.home(target)
        return Imported(name, original, source, False)
    table = translate.import_table(project.tree(module), own_package="openai_background")
    if name in table and not table[name].module.startswith("openai_background"):
        return table[name]
    if name in _module_names(project, module):
        if package_only(module):
            raise translate.TranslateError(f"a method of {module} uses its module-level {name}")
        return Imported(name, name, native.home(module), False)
    return None


def _module_names(project: Project, module: str) -> set[str]:
    names: set[str] = set()
    for node in project.tree(module).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _imports_for(
    project: Project, module: str, names: set[str], carried: set[str], http: str, public: dict[str, str]
) -> ImportPlan:
    plan = ImportPlan()
    for name in sorted(names):
        found = _resolve_name(project, module, name, carried, http, public)
        if found is not None:
            plan.add(found, runtime=not found.type_checking)
    return plan


def _typing_imports(
    project: Project, source_module: str, method: hooks.Method, public: dict[str, str], carried: set[str], http: str
) -> ImportPlan:
    """The hook's annotation names, for type checkers only (``from __future__ import annotations``); its
    decorators (``overload``) at runtime."""
    plan = ImportPlan()
    for name in sorted(method.hook_names):
        found = hooks.SDK_NAMES.get(name) or _resolve_name(project, source_module, name, carried, http, public)
        if found is not None and found.module:
            plan.add(found, runtime=name in method.runtime_names)
    return plan


def client_hooks(project: Project, aliases: dict[str, str], http: str) -> tuple[dict[str, str], ImportPlan]:
    """``_make_background_failure_error`` for each client class: signature, docstring, a delegation to the
    public ``make_background_failure_error``, imported on first call; and its annotations' imports (for type
    checkers only)."""
    found = {}
    plan = ImportPlan()
    for cls in CLIENT_CLASSES:
        source = project.find_method("_client", cls, CLIENT_HOOK)
        node = project.method_node(source)
        text = project.source(source.module)
        lines = text.splitlines(keepends=True)
        doc = node.body[0]
        assert doc.end_lineno is not None
        whole = textwrap.dedent("".join(lines[node.lineno - 1 : node.end_lineno])).splitlines(keepends=True)
        cut = doc.end_lineno - node.lineno + 1
        head, body_lines = "".join(whole[:cut]), "".join(whole[cut:])
        used = {n.id for stmt in node.body[1:] for n in ast.walk(stmt) if isinstance(n, ast.Name)}
        public = project.public_names()
        imported = sorted(n for n in used if n in public)
        local = f"    from .lib.background import {', '.join(imported)}\n\n" if imported else ""
        method = native.rename(head, aliases) + local + body_lines
        found[cls] = textwrap.indent(method, "    ")
        annotated = set().union(*(_names(a) for a in hooks.annotations(node)))
        for name in sorted(annotated):
            imported = _resolve_name(project, source.module, name, set(), http, {})
            if imported is not None and imported.module:
                plan.add(imported, runtime=False)
    return found, plan


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def lib_init(public: Mapping[str, str]) -> str:
    """``openai/lib/background/__init__.py``: the exception classes (already loaded with ``openai``), every
    other public name on first access, so importing the package costs nothing until it is used."""
    merged = sorted(n for n, m in public.items() if m in native.MERGED)
    lazy = {n: m for n, m in public.items() if m not in native.MERGED}
    lines = [
        '"""Background mode for the Responses API: typed errors for background responses that end failed,\n'
        "incomplete or cancelled, and the helpers behind ``client.responses.poll()`` and its siblings.\n\n"
        'See helpers.md, "Polling background responses".\n'
        '"""\n',
        "from __future__ import annotations\n",
        "from typing import TYPE_CHECKING, Any\n",
    ]
    if merged:
        lines.append("from ..._exceptions import (\n" + "".join(f"    {n} as {n},\n" for n in merged) + ")\n")
    if lazy:
        lines.append("if TYPE_CHECKING:")
        for name, module in sorted(lazy.items()):
            lines.append(f"    from .{module} import {name} as {name}")
        lines.append("\n_LAZY = {\n" + "".join(f'    "{n}": ".{m}",\n' for n, m in sorted(lazy.items())) + "}")
        lines.append(
            "\n\ndef __getattr__(name: str) -> Any:\n"
            "    if name in _LAZY:\n"
            "        from importlib import import_module\n\n"
            "        value = getattr(import_module(_LAZY[name], __name__), name)\n"
            "        globals()[name] = value\n"
            "        return value\n"
            '    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
        )
    lines.append("\n__all__ = [\n" + "".join(f'    "{n}",\n' for n in sorted(public)) + "]\n")
    return "\n".join(lines)
