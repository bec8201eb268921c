"""``python -m openai_background demo``: six background jobs on the loopback fake server, no API key.

Each job ends differently; the table shows what ``create_and_poll`` did with it: the failure's code or the
incomplete reason, the exception class, the
``openai.*`` class an existing ``except`` clause would catch it with, the ids, and whether a new
``create()`` is worth trying.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

import openai

from .._errors.exceptions import BackgroundResponseError, ResponseIncompleteError
from .._surface.clients import OpenAI
from ..testing import FakeResponsesServer, JobScript

HINT_MS = 20
"""The fake server's poll hint: short, so the demo takes a second, not six."""

DEMO_JOBS: tuple[tuple[str, JobScript], ...] = tuple(
    (name, script.with_create_hint(HINT_MS))
    for name, script in (
        ("completed", JobScript.completed(output_text="All done.", polls=1, poll_after_ms=HINT_MS)),
        (
            "server_error",
            JobScript.failed("server_error", message="The server had an error", polls=1, poll_after_ms=HINT_MS),
        ),
        (
            "rate_limit_exceeded",
            JobScript.failed("rate_limit_exceeded", message="Slow down", polls=1, poll_after_ms=HINT_MS),
        ),
        (
            "invalid_prompt",
            JobScript.failed("invalid_prompt", message="The prompt was refused", polls=1, poll_after_ms=HINT_MS),
        ),
        ("incomplete", JobScript.incomplete("max_output_tokens", polls=1, poll_after_ms=HINT_MS)),
        ("cancelled", JobScript.cancelled(polls=1, poll_after_ms=HINT_MS)),
    )
)

COLUMNS = ("job", "outcome", "code / reason", "exception", "caught by", "response id", "request id", "retryable")


def sdk_class_catching(error: BaseException) -> str:
    """The most specific public ``openai.*`` exception class ``error`` is an instance of."""
    for cls in type(error).__mro__:
        if cls.__module__.startswith("openai") and getattr(openai, cls.__name__, None) is cls:
            return f"openai.{cls.__name__}"
    return "-"


def run_demo(out: TextIO, jobs: Iterable[tuple[str, JobScript]] = DEMO_JOBS) -> int:
    """Run each job through ``create_and_poll`` and print one row per job. Returns the exit status."""
    rows: list[tuple[str, ...]] = []
    with FakeResponsesServer() as server, OpenAI(api_key="sk-demo-not-a-real-key", base_url=server.base_url) as client:
        for name, script in jobs:
            server.queue_create(script)
            rows.append(_outcome_row(name, client))
    _print_table(out, rows)
    return 0


def _outcome_row(name: str, client: OpenAI) -> tuple[str, ...]:
    try:
        response = client.responses.create_and_poll(model="gpt-fake", input=name)
    except BackgroundResponseError as error:
        return (
            name,
            str(error.status),
            _code_or_reason(error),
            type(error).__name__,
            sdk_class_catching(error),
            error.response_id,
            str(error.request_id),
            str(error.retryable),
        )
    request_id = getattr(response, "_request_id", None)
    return (name, str(response.status), "-", "-", "-", response.id, str(request_id), "-")


def _code_or_reason(error: BackgroundResponseError) -> str:
    """Why the job ended so: the failure's ``code``, or the incomplete ``reason``; ``-`` when it has neither."""
    value = error.reason if isinstance(error, ResponseIncompleteError) else getattr(error, "code", None)
    return str(value) if value else "-"


def _print_table(out: TextIO, rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    for row in [COLUMNS, tuple("-" * w for w in widths), *rows]:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")
