"""The resource methods, split as upstream splits its own ``parse`` / ``stream``.

* ``lib/background/_response_methods.py`` holds the logic: each project method becomes a function taking
  the resource first (``poll(responses, response_id, ...)``; the async class's ``async_poll``);
* the generated ``resources/responses/responses.py`` gains only the signature (with its ``@overload`` stubs)
  and a delegation, importing the function on first call (so ``import openai`` loads nothing new). Defaults
  that are project constants are written as their literal values; annotation names are imported for type
  checkers only, the ``overload`` decorator (already imported by upstream's module) at runtime.

A method the project overloads on ``text_format`` (``@overload`` stubs taking ``**options: Unpack[...]``) gets
the same overloads in the SDK, written as the generated code writes ``parse``'s: every parameter spelled out
(the implementation's, pruned as it is), the stub's own parameters (``text_format: type[T]``) in their place,
the project's type variable renamed to upstream's ``TextFormatT``. So ``poll(id, text_format=Model)`` is a
``ParsedResponse[Model]`` for upstream's type checkers as for ours, and a plain ``Response`` without it.

A step of the series that does not carry a feature yet prunes it from a method first (``pruning``): a
parameter no longer used (``wait``) leaves the signature, the docstring and every overload stub.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field

from .native import home, rename
from .project import MethodSource, Project
from .pruning import SDK_SPELLING, prune, uncarried_names
from .translate import Imported, TranslateError

METHODS_MODULE = "_response_methods"
TEXT_FORMAT_T = "TextFormatT"
SDK_NAMES = {TEXT_FORMAT_T: Imported(TEXT_FORMAT_T, TEXT_FORMAT_T, "openai.lib._parsing._responses", True)}
"""Names the hooks take from the SDK itself, not from the project: upstream's type variable of ``parse``."""


@dataclass
class Method:
    """One carried method, in both of its forms."""

    name: str
    function_name: str
    hook: str
    """The method for the SDK class: signature, short docstring, delegation; indented for a class body."""
    function: str
    """The module-level function holding the logic (top level)."""
    hook_names: set[str] = field(default_factory=set)
    """Names the hook's annotations (and its overload stubs') use."""
    runtime_names: set[str] = field(default_factory=set)
    """Of ``hook_names``, those the class body needs when the module runs (the ``overload`` decorator)."""
    function_names: set[str] = field(default_factory=set)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _signature_end(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The line of the signature's closing ``:`` (the line before the body starts)."""
    return func.body[0].lineno - 1


def _docstring(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    first = func.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.value.value
    return None


def build(project: Project, method: MethodSource, *, carried: set[str], is_async: bool) -> Method:
    text, dropped = prune(project, method, carried)
    func = ast.parse(text).body[0]
    assert isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
    resource = "AsyncResponses" if is_async else "Responses"
    function_name = f"async_{method.name}" if is_async else method.name

    # The function: the method's text with ``self`` as the resource, named as upstream names its helpers.
    body = rename(text, {"self": "responses", **SDK_SPELLING})
    body = re.sub(rf"\bdef {method.name}\(", f"def {function_name}(", body, count=1)
    body = re.sub(r"\(\s*responses,", f"(\n    responses: {resource},", body, count=1)
    function_tree = ast.parse(body).body[0]

    # The hook: its overload stubs, the signature (defaults as literals), the docstring's first paragraph,
    # the delegation.
    lines = text.splitlines(keepends=True)
    signature = "".join(lines[: _signature_end(func)])
    signature = _as_sdk(project, method.module, signature, list(_defaults(func.args).values()))
    doc = _docstring(func)
    summary = doc.strip().split("\n\n")[0].strip() if doc else ""
    summary = re.sub(r"\n\s*", " ", summary)
    positional = [a.arg for a in func.args.args[1:]]
    keywords = [a.arg for a in func.args.kwonlyargs]
    call = ", ".join(["self", *positional, *(f"{k}={k}" for k in keywords)])
    if func.args.kwarg is not None:
        call += f", **{func.args.kwarg.arg}"
    awaited = "await " if isinstance(func, ast.AsyncFunctionDef) else ""
    module = home(METHODS_MODULE)
    relative = "..." + module.removeprefix("openai.")
    hook_body = (
        (f'    """{summary}"""\n' if summary else "")
        + f"    from {relative} import {function_name}\n\n"
        + f"    return {awaited}{function_name}({call})\n"
    )
    hook_names = set().union(*(_names(a) for a in annotations(func)))
    stubs = [_stub(project, method, stub, func, text, dropped) for stub in overload_stubs(project, method)]
    runtime_names = set()
    for stub in stubs:
        tree = ast.parse(stub).body[0]
        assert isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef))
        decorators = set().union(*(_names(d) for d in tree.decorator_list))
        hook_names |= decorators | set().union(*(_names(a) for a in annotations(tree)))
        runtime_names |= decorators
    missing = hook_names & uncarried_names(project, method.module, carried)
    if missing:
        raise TranslateError(f"{method.class_name}.{method.name}: an overload needs {sorted(missing)}, not carried")
    hook = textwrap.indent("".join(stub + "\n" for stub in stubs) + signature + hook_body, "    ")
    return Method(
        name=method.name,
        function_name=function_name,
        hook=hook,
        function=body,
        hook_names=hook_names,
        runtime_names=runtime_names,
        function_names=_names(function_tree),
    )


def _as_sdk(project: Project, module: str, text: str, defaults: list[ast.expr]) -> str:
    """Signature text with the SDK's sentinels (``omit``) and the project constants among ``defaults`` as
    their literal values."""
    text = rename(text, SDK_SPELLING)
    for default in defaults:
        if isinstance(default, ast.Name) and default.id not in SDK_SPELLING:
            value = project.constant(module, default.id)
            text = re.sub(rf"= {default.id}\b", f"= {value!r}", text)
    return text


def overload_stubs(project: Project, method: MethodSource) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The method's ``@overload`` stubs in its project class, in order (none: a method without overloads)."""
    cls = next(
        n for n in project.tree(method.module).body if isinstance(n, ast.ClassDef) and n.name == method.class_name
    )
    return [
        item
        for item in cls.body
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
        and item.name == method.name
        and any(ast.unparse(d).split(".")[-1] == "overload" for d in item.decorator_list)
    ]


def _defaults(args: ast.arguments) -> dict[str, ast.expr]:
    positional = [*args.posonlyargs, *args.args]
    found = {a.arg: d for a, d in zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)}
    found.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None})
    return found


def _stub(
    project: Project,
    method: MethodSource,
    stub: ast.FunctionDef | ast.AsyncFunctionDef,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    text: str,
    dropped: set[str],
) -> str:
    """One ``@overload`` stub as the SDK writes them: the (pruned) implementation's parameters, one a line,
    with those the project's stub names itself (``text_format: type[T]``) as the stub has them; the
    stub's ``**options: Unpack[...]`` stands for the rest, so it is left out. ``...`` defaults are the
    implementation's."""
    name = f"{method.class_name}.{method.name}"
    if func.args.posonlyargs or func.args.vararg or stub.args.posonlyargs or stub.args.vararg:
        raise TranslateError(f"{name}: overloads with positional-only or *args parameters are not carried")
    source = project.source(method.module)
    own = {a.arg: a for a in [*stub.args.args[1:], *stub.args.kwonlyargs]}
    known = {a.arg for a in [*func.args.args, *func.args.kwonlyargs]} | dropped
    if set(own) - known:
        raise TranslateError(f"{name}: an overload names {sorted(set(own) - known)}, the method has no such parameter")
    own_defaults, defaults = _defaults(stub.args), _defaults(func.args)

    def segment(node: ast.AST, where: str) -> str:
        return ast.get_source_segment(where, node) or ast.unparse(node)

    def parameter(arg: ast.arg) -> str:
        written, default = segment(arg, text), defaults.get(arg.arg)
        if arg.arg in own:  # the stub's annotation; its default unless ``...``
            written, given = segment(own[arg.arg], source), own_defaults.get(arg.arg)
            if not (isinstance(given, ast.Constant) and given.value is Ellipsis):
                return written if given is None else f"{written} = {segment(given, source)}"
        return written if default is None else f"{written} = {segment(default, text)}"

    parameters = ["self", *(parameter(a) for a in func.args.args[1:])]
    if func.args.kwonlyargs:
        parameters += ["*", *(parameter(a) for a in func.args.kwonlyargs)]
    if func.args.kwarg is not None:
        parameters.append(f"**{segment(func.args.kwarg, text)}")
    assert stub.returns is not None, f"{name}: an overload without a return annotation"
    keyword = "async def" if isinstance(stub, ast.AsyncFunctionDef) else "def"
    written = (
        f"@overload\n{keyword} {method.name}(\n"
        + "".join(f"    {p},\n" for p in parameters)
        + f") -> {segment(stub.returns, source)}: ...\n"
    )
    variables = _type_variables(project, method.module) & set().union(*(_names(a) for a in annotations(stub)))
    if len(variables) > 1:
        raise TranslateError(f"{name}: an overload with type variables {sorted(variables)}; the SDK has one")
    written = rename(written, dict.fromkeys(variables, TEXT_FORMAT_T))
    return _as_sdk(project, method.module, written, [*defaults.values(), *own_defaults.values()])


def _type_variables(project: Project, module: str, *, imported: bool = True) -> set[str]:
    """The module-level ``X = TypeVar("X", ...)`` of a project module, and those it imports from the module
    that defines them (``_async_resources`` shares ``_resources``' ``T``)."""
    names = project.names_from(module).items() if imported else ()
    shared = {
        name for name, (source, original) in names if original in _type_variables(project, source, imported=False)
    }
    return shared | {
        node.targets[0].id
        for node in project.tree(module).body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Call)
        and ast.unparse(node.value.func).split(".")[-1] == "TypeVar"
    }


def annotations(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    found = [arg.annotation for arg in every if arg is not None and arg.annotation is not None]
    return [*found, func.returns] if func.returns is not None else found
