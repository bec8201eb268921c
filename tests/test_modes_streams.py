"""``background_mode`` streams as frameworks read them: ``create(..., stream=True)`` raises the typed error in
place of a ``response.failed`` (or an SSE ``error``) event, with a read ``err.response`` whose status is
``err.status_code``; ``response.incomplete`` is delivered and ends the stream. Sync, asyncio and trio."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from _target import FORK

if FORK:
    pytest.skip("the framework modes belong to the openai-background package", allow_module_level=True)

from _modes_run import maybe, modes_run_fixture

from openai_background import BackgroundResponseError
from openai_background.testing import FakeResponsesServer, JobScript, StreamScript

run = modes_run_fixture()


async def read(client: Any, **create: Any) -> tuple[list[Any], BaseException | None]:
    """Every event a framework would see from ``create(stream=True)``, and what the iteration raised."""
    stream = await maybe(client.responses.create(model="m", input="x", stream=True, **create))
    seen: list[Any] = []
    try:
        if hasattr(stream, "__aiter__"):
            async for event in stream:
                seen.append(event)
        else:
            seen.extend(stream)
    except Exception as error:
        return seen, error
    return seen, None


@pytest.mark.parametrize(
    ("script", "expected", "status_code"),
    [
        (JobScript.failed("server_error"), openai.InternalServerError, 500),
        (JobScript.failed("rate_limit_exceeded"), openai.RateLimitError, 429),
        (JobScript.failed("invalid_prompt"), openai.BadRequestError, 400),
        (JobScript.failed("image_file_not_found"), openai.BadRequestError, 400),  # never a 404 under the modes
    ],
    ids=["server_error", "rate_limit", "invalid_prompt", "image_file_not_found"],
)
@pytest.mark.parametrize("mode", ["always", "wait"])
def test_response_failed_is_raised_in_place_of_its_event(
    run: Callable[..., Any],
    server: FakeResponsesServer,
    script: JobScript,
    expected: type[Exception],
    status_code: int,
    mode: str,
) -> None:
    server.queue_create(script)
    seen, error = run(lambda client: read(client, background=True), background_mode=mode)
    assert isinstance(error, expected) and isinstance(error, BackgroundResponseError)
    assert [event.type for event in seen] == ["response.created", "response.in_progress"]  # never response.failed
    job = server.job(error.response_id)
    assert error.code == job.script.answers[-1].error["code"]  # type: ignore[index]
    # The SDK's invariants: a read answer (agno reads it in its `except APIStatusError`), one status.
    assert error.status_code == error.response.status_code == status_code
    body = error.response.json()
    assert body["id"] == job.id and body["status"] == "failed" and body["error"]["code"] == error.code
    assert job.id in error.response.text
    assert error.response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("nested", [False, True], ids=["error-event", "nested-error-event"])
def test_an_sse_error_event_is_raised_in_place_of_its_event(
    run: Callable[..., Any], server: FakeResponsesServer, nested: bool
) -> None:
    server.queue_create(
        JobScript.completed(output_text="").with_stream(StreamScript.failing("server_error", nested=nested))
    )
    seen, error = run(read, background_mode="always")
    assert isinstance(error, openai.InternalServerError) and isinstance(error, BackgroundResponseError)
    assert all(event.type != "error" for event in seen)
    assert error.response_id == server.jobs[-1].id and error.code == "server_error"
    assert error.status_code == error.response.status_code == 500
    assert error.response.json()["error"]["code"] == "server_error"


def test_response_incomplete_is_delivered_and_ends_the_stream(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.incomplete("max_output_tokens"))
    seen, error = run(read, background_mode="always")
    assert error is None
    assert seen[-1].type == "response.incomplete"
    assert seen[-1].response.incomplete_details.reason == "max_output_tokens"


def test_a_completed_stream_delivers_every_event(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(output_text="forty-two"))
    seen, error = run(read, background_mode="always")
    assert error is None
    assert seen[-1].type == "response.completed" and seen[-1].response.output_text == "forty-two"
    assert "".join(e.delta for e in seen if e.type == "response.output_text.delta") == "forty-two"
