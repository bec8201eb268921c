"""``PR.md``: the upstream pull request's text, with every number computed from the diff and the project.

Upstream budgets edits to generated files (those carrying the generator's header), so the PR states how
many lines it changes there apart from the handwritten ``src/openai/lib/`` files.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass

GENERATED_MARK = "File generated from our OpenAPI spec"
LIB_PREFIX = "src/openai/lib/"

KINDS = {
    "generated": "generated files (carry the generator's header)",
    "lib": "handwritten `src/openai/lib/` files",
    "core": "other handwritten files",
}


@dataclass(frozen=True)
class FileChange:
    path: str
    added: int
    removed: int
    kind: str
    """``generated``, ``lib`` or ``core``: see ``KINDS``."""


def classify(path: str, pristine: str | None) -> str:
    """Which budget a changed file counts against; ``pristine`` is its upstream text (None: a new file)."""
    if path.startswith(LIB_PREFIX):
        return "lib"
    if pristine is not None and GENERATED_MARK in "".join(pristine.splitlines(keepends=True)[:3]):
        return "generated"
    return "core"


def file_changes(numstat: str, pristine: Callable[[str], str | None]) -> list[FileChange]:
    """``git diff --numstat`` output as ``FileChange`` rows."""
    changes = []
    for line in numstat.splitlines():
        added, removed, path = line.split("\t", 2)
        changes.append(FileChange(path, int(added), int(removed), classify(path, pristine(path))))
    return changes


def totals(changes: Sequence[FileChange]) -> dict[str, tuple[int, int]]:
    """Lines (added, removed) per kind."""
    sums = {kind: (0, 0) for kind in KINDS}
    for change in changes:
        added, removed = sums[change.kind]
        sums[change.kind] = (added + change.added, removed + change.removed)
    return sums


def literal(source: str, name: str) -> object:
    """A module-level constant of a project module, read without importing it. A ``frozenset({...})`` or
    ``MappingProxyType({...})`` wrapper is unwrapped; names (classes) read as their names."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == name:
            if isinstance(value, ast.Call) and len(value.args) == 1:
                value = value.args[0]
            return _value(value)
    raise KeyError(f"no module-level {name}")


def declared_status_codes(exceptions_source: str) -> dict[str, int]:
    """Class -> the ``status_code`` it declares (``_declared_status_code = N`` in its body)."""
    found = {}
    for node in ast.parse(exceptions_source).body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "_declared_status_code" for t in item.targets)
                    and isinstance(item.value, ast.Constant)
                    and isinstance(item.value.value, int)
                ):
                    found[node.name] = item.value.value
    return found


def _value(node: ast.expr) -> object:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Dict):
        return {_value(k): _value(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
        return sorted(str(_value(e)) for e in node.elts)
    return ast.literal_eval(node)


def pr_markdown(
    changes: Sequence[FileChange],
    *,
    upstream_version: str,
    fork_version: str,
    failure_classes: dict[str, str],
    retryable_codes: Sequence[str],
    exceptions: Sequence[str],
    methods: Sequence[str],
    status_codes: dict[str, int],
) -> str:
    sums = totals(changes)
    by_class: dict[str, list[str]] = {}
    for code, cls in failure_classes.items():
        by_class.setdefault(cls, []).append(code)
    code_rows = "\n".join(
        f"| `{cls}` | {status_codes.get(cls, 200)} | {', '.join(f'`{c}`' for c in sorted(codes))} |"
        for cls, codes in by_class.items()
    )
    declared = ", ".join(f"`{cls}` {code}" for cls, code in status_codes.items())
    file_rows = "\n".join(f"| `{c.path}` | {c.kind} | +{c.added} | -{c.removed} |" for c in changes)
    kind_rows = "\n".join(f"| {KINDS[kind]} | +{added} | -{removed} |" for kind, (added, removed) in sums.items())
    gen_added, gen_removed = sums["generated"]
    lib_added, lib_removed = sums["lib"]
    return f"""# Responses: typed errors for failed background responses, `responses.poll()` and `create_and_poll()`

Against openai-python {upstream_version} (built and tested as `openai=={fork_version}`).

## Summary

A response created with `background=True` that ends `failed`, `incomplete` or `cancelled` answers its poll
with HTTP 200, so the SDK never raises: every caller writes its own loop and its own status checks, and retry
code written for `openai.InternalServerError` or `openai.RateLimitError` never sees the same failure when it
happens in background mode. This PR adds:

- `client.responses.poll(response_id, ...)` and `client.responses.create_and_poll(**create_params, ...)`,
  sync and async (all methods added to `Responses` / `AsyncResponses`: {", ".join(f"`{m}`" for m in methods)}),
  following the conventions of the vector-store pollers (`poll_interval_ms`, `max_wait_seconds`,
  `X-Stainless-Poll-Helper`, `_sleep`). The `openai-poll-after-ms` hint is read again on every poll; the
  default is no deadline.
- Exceptions raised for a failed background response, in the SDK's own families
  (`{"`, `".join(exceptions)}`):

| class (also an instance of the SDK error in its bases) | `status_code` | `error.code` values |
| --- | --- | --- |
{code_rows}

  A code not in the table raises `ResponseFailedError` and still carries it; `incomplete` raises
  `ResponseIncompleteError` (`.reason`), `cancelled` `ResponseCancelledError`, a status the SDK does not
  know `BackgroundResponseError` itself. A deadline raises `ResponsePollTimeoutError` (a `TimeoutError`)
  carrying the response id, so the wait can be resumed with `poll(err.response_id)`.
- `OpenAI._make_background_failure_error` / `AsyncOpenAI._make_background_failure_error`, beside
  `_make_status_error`: the one place that maps a final `Response` to its exception.
- `openai.lib.raise_for_status(response)` for hand-written loops.

The logic lives in `src/openai/lib/background/` (handwritten, outside the generator's reach); the generated
files only gain thin delegating methods and re-exports.

## Why it is additive

- No existing signature, default or return value changes. `retrieve()`, `create()`, `cancel()` and every
  other method behave exactly as before; the new exceptions are raised only by the new methods.
- The new classes subclass existing ones, so nothing that catches `openai.APIStatusError` today is bypassed.
- Upstream's own offline tests (`tests/test_client.py` and `tests/lib/`) give the same passed/skipped set on
  this branch as on {upstream_version} (`nox -s fork` runs both and compares them node by node).

## The open review points

**`retrieve()` is unchanged.** It still returns a failed `Response` without raising; raising is opt-in
through `poll()`, `create_and_poll()` or `raise_for_status()`.

**The `status_code` choice.** The typed subclasses report the status their SDK parent stands for
({declared}), so code that branches on
`err.status_code` treats a background failure as it treats the synchronous one. The poll's real HTTP status
(200) stays readable at `err.response.status_code`, and `err.request_id` is the poll's `x-request-id`. The
untyped classes (incomplete, cancelled, unknown status, unreadable body) keep 200.

**What `retryable` means.** One question only: is submitting a *new* `create()` worth trying? Polling the
same response again returns the same failure forever. It is true for {", ".join(f"`{c}`" for c in retryable_codes)}
and false for every other code, unknown codes included. It is distinct from the retry of one failed poll
(connection error, 408/409/429/5xx, unreadable body), which `poll()` repeats with backoff up to
`max_poll_failures` times in a row.

**Lines changed in generated files vs handwritten `lib/` files.** Generated files: +{gen_added} / -{gen_removed}.
Handwritten `lib/` files: +{lib_added} / -{lib_removed}.

| kind | added | removed |
| --- | --- | --- |
{kind_rows}

| file | kind | added | removed |
| --- | --- | --- | --- |
{file_rows}

## Testing

`nox -s fork` in the openai-background repository builds this branch from the published sdist, runs
upstream's offline tests against the pristine sdist and against this branch and requires the same outcome for
every test, runs the openai-background behaviour suite (sync, asyncio and trio; every `error.code` the SDK
declares) against the patched `openai.OpenAI` / `openai.AsyncOpenAI`, and checks that this patch applies to a
fresh unpack of the sdist with `git apply --check`.
"""
