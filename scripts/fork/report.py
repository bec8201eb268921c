"""``PR.md``: the upstream pull request's text, with every number computed from the diff and the project.

Upstream budgets edits to generated files (those carrying the generator's header), so the PR states how
many lines it changes there apart from the handwritten ``src/openai/lib/`` files.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

GENERATED_MARK = "File generated from our OpenAPI spec"
LIB_PREFIX = "src/openai/lib/"

KINDS = {
    "generated": "generated files (in `scripts/castiron/generated-files.json`)",
    "lib": "handwritten `src/openai/lib/` files",
    "core": "other handwritten files (`src/openai/_exceptions.py`)",
    "tests": "tests (`tests/lib/responses/`)",
    "docs": "docs (`helpers.md`)",
}


@dataclass(frozen=True)
class FileChange:
    path: str
    added: int
    removed: int
    kind: str
    """``generated``, ``lib`` or ``core``: see ``KINDS``."""


def classify(path: str, pristine: str | None, generated: Collection[str] = ()) -> str:
    """Which budget a changed file counts against; ``pristine`` is its upstream text (None: a new file);
    ``generated``: the paths upstream's generator owns (its inventory), else its header tells."""
    if path.startswith(LIB_PREFIX):
        return "lib"
    if path.startswith("tests/"):
        return "tests"
    if path.endswith(".md"):
        return "docs"
    if path in generated:
        return "generated"
    if pristine is not None and GENERATED_MARK in "".join(pristine.splitlines(keepends=True)[:3]):
        return "generated"
    return "core"


def file_changes(
    numstat: str, pristine: Callable[[str], str | None], generated: Collection[str] = ()
) -> list[FileChange]:
    """``git diff --numstat`` output as ``FileChange`` rows."""
    changes = []
    for line in numstat.splitlines():
        added, removed, path = line.split("\t", 2)
        changes.append(FileChange(path, int(added), int(removed), classify(path, pristine(path), generated)))
    return changes


def hook_summary(diff: str, generated: Collection[str]) -> dict[str, list[str]]:
    """Generated file -> the ``def`` names and exported names the patch adds to it (the generated-file hooks)."""
    found: dict[str, list[str]] = {}
    current = None
    for line in diff.splitlines():
        if line.startswith("+++ b/"):
            current = line[6:] if line[6:] in generated else None
        elif current and line.startswith("+") and not line.startswith("+++"):
            match = re.match(r"\+\s+(?:async )?def (\w+)\(", line) or re.match(r'\+\s+"?([A-Z]\w+)"?,$', line)
            if match and match.group(1) not in found.get(current, []):
                found.setdefault(current, []).append(match.group(1))
    return found


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
    per_step: Sequence[tuple[object, Sequence[FileChange]]],
    *,
    upstream_version: str,
    fork_version: str,
    failure_classes: dict[str, str],
    retryable_codes: Sequence[str],
    methods: Sequence[str],
    status_codes: dict[str, int],
    hooks: dict[str, list[str]],
) -> str:
    sums = totals(changes)
    by_class: dict[str, list[str]] = {}
    for code, cls in failure_classes.items():
        by_class.setdefault(cls, []).append(code)
    code_rows = "\n".join(
        f"| `{cls}` | {status_codes.get(cls, 200)} | {', '.join(f'`{c}`' for c in sorted(codes))} |"
        for cls, codes in by_class.items()
    )
    step_rows = "\n".join(
        f"| {i} | {getattr(step, 'subject', step)} | +{sum(c.added for c in rows)} / -{sum(c.removed for c in rows)} | "
        f"+{sum(c.added for c in rows if c.kind == 'generated')} |"
        for i, (step, rows) in enumerate(per_step, start=1)
    )
    hook_rows = "\n".join(f"- `{path}`: {', '.join(f'`{n}`' for n in names)}" for path, names in sorted(hooks.items()))
    kind_rows = "\n".join(f"| {KINDS[kind]} | +{added} | -{removed} |" for kind, (added, removed) in sums.items())
    retry = ", ".join(f"`{c}`" for c in retryable_codes)
    return f"""# Responses background mode: raise typed errors for failed background responses; `responses.poll()`

*To be filed as an issue with the attached patch series (openai-python takes pull requests from collaborators
only, CONTRIBUTING.md). Against openai-python {upstream_version}; built and tested as `openai=={fork_version}`.*

Related: openai/openai-python#3212 (a failed background response is never raised), openai/openai-python#3723
(the earlier attempt; review: do not "advertise a status code the poll didn't actually return"),
openai/openai-python#3775 (the poll helpers ignore `openai-poll-after-ms` after the first poll).

## Problem

A response created with `background=True` that ends `failed`, `incomplete` or `cancelled` answers
`GET /responses/{{id}}` with HTTP 200, so the SDK never raises. Every caller writes its own loop and status
checks, and retry code written for `openai.InternalServerError` / `openai.RateLimitError` never sees the same
failure when it happens in background mode (#3212).

## Two-minute reproduction

```python
import httpx2, openai

def handler(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json={{"id": "resp_1", "object": "response", "created_at": 0, "model": "m",
        "status": "failed", "error": {{"code": "server_error", "message": "boom"}}, "output": [],
        "parallel_tool_calls": False, "tool_choice": "auto", "tools": []}})

client = openai.OpenAI(api_key="sk-test", http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
print(client.responses.retrieve("resp_1").status)   # today: "failed", no exception
client.responses.poll("resp_1")                       # with the series: raises openai.InternalServerError
```

To try the series (save the snippet as `repro.py`):

```bash
pip download --no-deps --no-binary :all: openai=={upstream_version} && tar xzf openai-{upstream_version}.tar.gz
cd openai-{upstream_version} && git init -q && git add -A && git commit -qm pristine && git am ../000*.patch
pip install -e . && python ../repro.py
```

## Proposal (five patches, each applies, lints, type-checks and tests on its own)

| # | patch | lines (+/-) | of which in generated files |
| --- | --- | --- | --- |
{step_rows}

1. **Typed errors** (the fix for #3212, readable in one sitting): exception classes in the SDK's own families
   and `OpenAI._make_background_failure_error` beside `_make_status_error`, the one place that maps a final
   `Response` to its exception. It returns the error and never raises, so nothing changes for existing code.
2. **`openai.lib.background.raise_for_status(result)`** for hand-written `retrieve()` loops: `retrieve()` is
   unchanged (the review on #3723), raising is opt-in. It reads a `Response`, the raw wrapper of
   `with_raw_response.retrieve()` (the error keeps that poll's HTTP answer and request id) or a JSON mapping,
   types an unreadable answer as `ResponseMalformedError`, and scrubs the request's API key from any server
   text it puts in the error. It is its own patch so patch 1 stays small; a maintainer may squash the two.
3. **`responses.poll()` / `create_and_poll()`**, sync and async, following the vector-store pollers
   (`poll_interval_ms`, `X-Stainless-Poll-Helper`, `_sleep`), reading `openai-poll-after-ms` on *every* poll
   (#3775). No deadline by default; `max_wait_seconds` raises `ResponsePollTimeoutError` (a `TimeoutError`
   carrying `response_id`, so `poll(err.response_id)` resumes).
4. **Background streams**: `stream_background()` / `create_and_stream()` and `poll(wait="stream")`.
5. **`poll_many()`**: many responses, bounded concurrency, outcomes as they finish.

Methods added to `Responses` / `AsyncResponses` by the whole series: {", ".join(f"`{m}`" for m in methods)}.

| class (also an instance of the SDK error in its bases) | `status_code` | `error.code` values |
| --- | --- | --- |
{code_rows}

A code not in the table raises `ResponseFailedError` and still carries it; `incomplete` raises
`ResponseIncompleteError` (`.reason`), `cancelled` `ResponseCancelledError`, a status the SDK does not know
`BackgroundResponseError` itself.

## The design choice on `status_code` (the review point on #3723)

The typed subclasses report the status their SDK parent stands for (`ResponseServerError.status_code == 500`),
although the poll itself was a 200. Why: real retry policies key on `status_code`, not on the class —
openai-agents' retry policy is written as `http_status([500, 429])`, and tenacity predicates are commonly
`retry_if_exception(lambda e: getattr(e, "status_code", 0) >= 500)`. With 200 there, a background
`server_error` would silently escape every such policy, which is the bug #3212 reports. The poll's real status
is never hidden: it stays at `err.response.status_code` (200) and `err.request_id` is the poll's
`x-request-id`; the untyped classes (incomplete, cancelled, unknown status, unreadable answer) keep 200.

**The alternative a maintainer may prefer**: `status_code` = the real 200 everywhere, and a separate
`err.equivalent_status_code` (or only the class hierarchy) for policies. It is a one-line change in
`BackgroundResponseError.__init__` (drop `_declared_status_code`), and the tests say which assertions move.

## `retryable` and retries

`retryable` answers one question: is submitting a *new* `create()` worth trying? Polling the same response
again returns the same failure forever. True for {retry}; false for every other code, unknown codes included.
It is distinct from the retry of one failed *poll* (connection error, 408/409/429/5xx, unreadable body), which
`poll()` repeats with backoff up to `max_poll_failures` times in a row; `max_wait_seconds` is the deadline of
the whole wait, never of one request.

## `with_raw_response` / `with_streaming_response`

`poll`, `create_and_poll`, `poll_many` and the stream helpers are absent from
`client.responses.with_raw_response` and `.with_streaming_response`, exactly like upstream's vector-store
`poll` / `create_and_poll` helpers: they make many requests, so there is no single raw response to return.
The raw answer of the poll that saw the final state is `err.response` on every error.

## The generated-file hooks

Logic lives only in hand-written files (`src/openai/lib/background/`, and the exception classes in
`src/openai/_exceptions.py`). Generated files gain only what upstream's own `parse` / `stream` pattern needs,
so a maintainer can move these into the generator:

{hook_rows}

Each resource method is a signature and a delegation to `openai.lib.background._response_methods`, imported on
first call (so `import openai` loads nothing new). Methods that take `text_format` also get two `@overload`
stubs with every parameter written out, as the generated `parse` has, so `poll(id, text_format=Model)` is typed
`ParsedResponse[Model]` and a plain `poll(id)` `Response`; the stubs are most of the generated lines. The client
hook delegates to
`openai.lib.background.make_background_failure_error`; `openai/__init__.py` re-exports the exception classes.

| kind | added | removed |
| --- | --- | --- |
{kind_rows}

## Testing

Each patch brings its tests under `tests/lib/responses/` (respx2 mocks and upstream's `client` /
`async_client` fixtures, sync and async). For every patch in order, on the patched sdist: upstream's pinned
ruff and ty report nothing beyond the pristine tree's findings, and `tests/test_client.py` plus the patch's own
tests pass; then upstream's offline suite runs on the whole series and gives the same outcome as the pristine
sdist for every test id.
"""
