"""A feature a step of the series does not carry yet, pruned from a method of a later step's source.

``a if <uses an uncarried name> else b`` becomes ``b``; a keyword parameter no longer used (``wait``) leaves
the signature and the docstring's sentences that name it (``hooks`` drops it from the overload stubs).
"""

from __future__ import annotations

import ast
import re
import textwrap

from .project import MethodSource, Project
from .translate import TranslateError

OMIT_NAME = "_OMIT"
SDK_SPELLING = {OMIT_NAME: "omit", "NOT_GIVEN": "not_given"}
"""Sentinels the package spells its own way (``_OMIT`` is typed ``Any`` for mypy) -> the SDK's spelling."""


def uncarried_names(project: Project, module: str, carried: set[str]) -> set[str]:
    """Names ``module`` imports from project modules the step does not carry (not the sentinels the SDK spells
    its own way: ``_async_resources`` takes ``_OMIT`` from ``_resources``, and ``omit`` is always there)."""
    imported = project.names_from(module).items()
    return {name for name, (target, _) in imported if target not in carried and name not in SDK_SPELLING}


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def prune(project: Project, method: MethodSource, carried: set[str]) -> tuple[str, set[str]]:
    """The method's source (dedented) with uncarried branches removed; and the parameters dropped."""
    source = project.source(method.module)
    node = project.method_node(method)
    missing = uncarried_names(project, method.module, carried)
    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    lines = source.splitlines(keepends=True)[first - 1 : node.end_lineno]
    offset = first - 1
    edits: list[tuple[int, int, int, int, str]] = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.IfExp) and (_names(inner.test) | _names(inner.body)) & missing:
            if _names(inner.orelse) & missing:
                raise TranslateError(f"{method.class_name}.{method.name} needs {sorted(missing)} on every branch")
            replacement = ast.get_source_segment(source, inner.orelse) or ""
            assert inner.end_lineno is not None and inner.end_col_offset is not None
            edits.append((inner.lineno, inner.col_offset, inner.end_lineno, inner.end_col_offset, replacement))
    for line, col, end_line, end_col, new in sorted(edits, reverse=True):
        if line != end_line:
            raise TranslateError(f"{method.class_name}.{method.name}: a multi-line conditional cannot be pruned")
        text = lines[line - 1 - offset]
        lines[line - 1 - offset] = text[:col] + new + text[end_col:]
    text = textwrap.dedent("".join(lines))
    pruned = ast.parse(text).body[0]
    assert isinstance(pruned, (ast.FunctionDef, ast.AsyncFunctionDef))
    used = set().union(*(_names(stmt) for stmt in pruned.body))
    was_used = set().union(*(_names(stmt) for stmt in node.body))
    dropped = {a.arg for a in pruned.args.kwonlyargs if a.arg not in used and a.arg in was_used}
    if dropped:
        out = text.splitlines(keepends=True)
        for arg in pruned.args.kwonlyargs:
            if arg.arg in dropped:
                if "," not in out[arg.lineno - 1]:
                    raise TranslateError(f"{method.name}: parameter {arg.arg} is not on a line of its own")
                out[arg.lineno - 1] = ""
        text = _drop_doc_paragraphs("".join(out), dropped)
    return text, dropped


def _drop_doc_paragraphs(text: str, params: set[str]) -> str:
    """Docstring sentences naming a dropped parameter (````wait=````, ````wait````) are left out."""
    pattern = re.compile("|".join(rf"``{re.escape(p)}\b" for p in params))
    func = ast.parse(text).body[0]
    assert isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
    doc = func.body[0]
    if not (isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and doc.end_lineno):
        return text
    lines = text.splitlines(keepends=True)
    segment = "".join(lines[doc.lineno - 1 : doc.end_lineno])
    paragraphs = re.split(r"\n[ \t]*\n", segment)
    kept = []
    for paragraph in paragraphs:
        closing = paragraph.rstrip().endswith('"""') and paragraph is paragraphs[-1]
        sentences = re.split(r"(?<=[.)])\s+(?=[A-Z`])", paragraph)
        chosen = [s for s in sentences if not pattern.search(s)]
        if chosen != sentences:
            pad = " " * doc.col_offset
            joined = re.sub(r"\s+", " ", " ".join(chosen)).strip()
            paragraph = (
                textwrap.fill(joined, 116 - len(pad), initial_indent=pad, subsequent_indent=pad) if joined else ""
            )
            if closing and not paragraph.rstrip().endswith('"""'):
                if paragraph:
                    paragraph += "\n" + pad + '"""'
                elif kept:
                    kept[-1] = kept[-1].rstrip("\n") + "\n" + pad + '"""'
        if paragraph:
            kept.append(paragraph)
    new = "\n\n".join(kept)
    if not new.endswith("\n"):
        new += "\n"
    return "".join(lines[: doc.lineno - 1]) + new + "".join(lines[doc.end_lineno :])
