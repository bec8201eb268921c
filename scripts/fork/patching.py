"""The edits to upstream files, as pure functions of their text.

Every edit finds its place by an anchor in the source (a class, a method, an import block, ``__all__``),
never by a line number, so the same code patches the next upstream version or says clearly why it
cannot: ``AnchorMissing`` names the version, the file and the anchor. ``plan_fork`` computes every file
before anything is written, so a missing anchor never leaves a half-patched tree.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

from . import hooks, native, series, translate
from .project import CLIENT_CLASSES, CLIENT_HOOK, RESOURCE_CLASSES, Project, package_only
from .translate import Imported, ImportPlan, render_imports

CLIENT = "src/openai/_client.py"
RESPONSES = "src/openai/resources/responses/responses.py"
EXCEPTIONS = "src/openai/_exceptions.py"
PACKAGE_INIT = "src/openai/__init__.py"
LIB_INIT = "src/openai/lib/__init__.py"
LIB_DIR = "src/openai/lib/background"
PYPROJECT = "pyproject.toml"
VERSION_FILE = "src/openai/_version.py"
TYPES = "src/openai/_types.py"
HELPERS = "helpers.md"
LIB_PUBLIC = "openai.lib.background"


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
    http = native.sdk_http_library(upstream(TYPES))
    aliases, _ = native.compat_parts(project, http)
    method_classes = {(m.module, m.class_name) for ms in layout.methods for _, m in ms}
    methods = layout.methods[k]
    files: dict[str, str] = {}
    for module in sorted(carried - {native.COMPAT, *native.MERGED}):
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
        files[HELPERS] = upstream(HELPERS).rstrip("\n") + "\n\n" + series.helpers_section()
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
        if target == native.COMPAT:
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


def merge_exceptions(text: str, project: Project, *, http: str, version: str) -> str:
    """The project's exception classes appended to the SDK's hand-written ``_exceptions.py`` (they subclass
    its classes), their names added to its ``__all__``, their imports merged into its own."""
    tree = ast.parse(text)
    exported = _assignment(tree, "__all__")
    if exported is None or exported.end_lineno is None or not isinstance(exported.value, ast.List):
        raise AnchorMissing(version, EXCEPTIONS, "__all__ = [ ... ] list")
    module = next(iter(native.MERGED))
    source = native.strip_marked(project.source(module))
    ours = ast.parse(source)
    aliases, _ = native.compat_parts(project, http)
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
    text = _insert_lines(text, exported.end_lineno - 1, "".join(f'    "{n}",\n' for n in names))
    text = add_imports(text, plan, package="openai", path=EXCEPTIONS, version=version)
    return text.rstrip("\n") + f"\n\n\n# Background responses. {native.speak_as_sdk(summary)}\n\n\n" + block + "\n"


def patch_client(text: str, methods: Mapping[str, str], *, version: str) -> str:
    """The client hook on ``OpenAI`` and ``AsyncOpenAI`` (``methods``: class -> method text), each placed
    right after ``_make_status_error``; it imports ``lib.background`` on first call."""
    for class_name, method in methods.items():
        cls = _class(ast.parse(text), class_name, CLIENT, version)
        if _method(cls, CLIENT_HOOK) is not None:
            raise AnchorMissing(version, CLIENT, f"class {class_name} without {CLIENT_HOOK} (already patched?)")
        status_error = _method(cls, "_make_status_error")
        if status_error is None or status_error.end_lineno is None:
            raise AnchorMissing(version, CLIENT, f"def _make_status_error( in class {class_name}")
        text = _insert_lines(text, status_error.end_lineno, "\n" + method)
    return text


def patch_responses(
    text: str, methods: Mapping[str, list[str]], names: list[str], plan: ImportPlan, *, version: str
) -> str:
    """The hooks (``methods``: class -> method texts; ``names``: the method names) at the end of
    ``Responses`` and ``AsyncResponses``: signatures that delegate to ``lib.background``."""
    for class_name, translated in methods.items():
        base = "SyncAPIResource" if class_name == "Responses" else "AsyncAPIResource"
        cls = _class(ast.parse(text), class_name, RESPONSES, version, anchor=f"class {class_name}({base}):")
        for name in names:
            if _method(cls, name) is not None:
                raise AnchorMissing(version, RESPONSES, f"class {class_name} without a {name} method of its own")
        assert cls.end_lineno is not None
        text = _insert_lines(text, cls.end_lineno, "".join("\n" + m for m in translated))
    return add_imports(text, plan, package="openai.resources.responses", path=RESPONSES, version=version)


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
