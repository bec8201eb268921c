"""``PR.md``: the text that goes with the series to openai-python, with the sizes measured on this build."""

from __future__ import annotations

from collections.abc import Sequence

from .sizes import Size

TEMPLATE = """\
# fix(responses): raise typed errors for failed background responses; add `responses.poll`

*The patch series in `series/` (`git am` them in order), against openai-python {version}; built and tested
as `openai=={fork_version}`. openai-python takes pull requests from collaborators only (CONTRIBUTING.md), so
this is filed as an issue with the series attached.*

Related: openai/openai-python#3212 (a failed background response is never raised), #3723 (the earlier
attempt), #3775 (the poll helpers read `openai-poll-after-ms` on the first poll only).

## Problem

A response created with `background=True` that ends `failed`, `incomplete` or `cancelled` answers
`GET /responses/{{id}}` with HTTP 200, so the SDK never raises. Retry code written for
`openai.InternalServerError` / `openai.RateLimitError` never sees the same failure in background mode (#3212).

```python
from openai.lib.background import raise_for_status

raise_for_status(client.responses.retrieve(response_id))  # raises openai.InternalServerError (server_error)
client.responses.poll(response_id)                        # waits, then returns or raises the same way
```

## The series

| patch | adds (lines) | of which in generated files |
| --- | ---: | ---: |
{rows}
| **series** | **{total.added}** | **{total.generated}** |

1. **fix**: `openai.lib.background` holds the exception classes (each subclasses the SDK's own error for the same
   failure and carries `response_id`, `status`, `final_response`), the `error.code` -> class table as data, and
   `raise_for_status(response)`. `_make_background_failure_error` sits beside `_make_status_error` in both
   clients (a thin hook; declared on `BaseClient` like `_make_status_error`): it returns the error, never raises.
   `retrieve()` is unchanged (the review on #3723); raising is opt-in. Regression tests through the public client
   (respx, the `client`/`async_client` fixtures, sync and async).
2. **feat**: `responses.poll(response_id, *, poll_interval_ms)` and `create_and_poll(**params)`, sync and
   async, shaped like `vector_stores.files.poll`: a short loop, `X-Stainless-Poll-Helper`, `self._sleep`;
   `openai-poll-after-ms` is read on every answer (#3775); a failure raises through patch 1. No thread, no
   body or event cap: a completed 40 MiB answer is returned whole (tested).

## The choice on `status_code`

The typed classes report the status their SDK parent stands for (`ResponseServerError.status_code == 500`,
`ResponseRateLimitError` 429, ...), although the poll itself answered 200. Why: retry policies classify by
status code, not by class. openai-agents' retry policy is written `http_status([500, 429])`; tenacity
predicates are commonly `retry_if_exception(lambda e: getattr(e, "status_code", 0) >= 500)`; pydantic-ai maps
`APIStatusError` to `ModelHTTPError(status_code=err.status_code)` and decides fallback on that code. With 200
there, a background `server_error` escapes each of them, which is the bug #3212 reports. The poll's real status
is not hidden: it stays at `err.response.status_code` (200), and `err.request_id` is the poll's `x-request-id`.
`incomplete` and `cancelled` keep 200.

**The alternative** (#3723's reading: never "advertise a status code the poll didn't actually return"):
`status_code` = 200 everywhere and the class hierarchy alone for policies. It is a three-line change in
`BackgroundResponseError.__init__` (drop the class-level status), and two test assertions move.

## Follow-ups (kept out of this series; they live in the openai-background package today)

- **Streams**: resuming a background response's event stream (`starting_after`) through the same errors.
- **`poll_many`**: many responses with bounded concurrency, outcomes as they finish.
- **Deadlines**: `max_wait_seconds` raising a `TimeoutError` that carries `response_id` (hard, bounding each
  request too), and retries of a failed poll that never lose the job.
- **Caps**: none here, by upstream's rule (AGENTS.md); a size cap is a caller's policy, opt-in.
- **Redaction**: server text in errors scrubbed of the request's credentials, beside `SensitiveHeadersFilter`.
"""


def pr_markdown(version: str, fork_version: str, patches: Sequence[tuple[str, Size]]) -> str:
    """The text; ``patches``: each patch's subject and size, in order."""
    rows = "\n".join(
        f"| {n}. `{subject}` | {size.added} | {size.generated} |" for n, (subject, size) in enumerate(patches, 1)
    )
    total = sum((size for _, size in patches), Size(0, 0))
    return TEMPLATE.format(version=version, fork_version=fork_version, rows=rows, total=total)
