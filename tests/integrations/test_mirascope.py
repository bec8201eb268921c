"""mirascope (``llm.call`` on ``openai/...:responses``; its provider builds its own ``openai.OpenAI`` /
``AsyncOpenAI``, so no client object is passed): after ``openai_background.install(background_mode="always")``
every call, streamed or not, runs as a background job. A ``response.failed`` is raised as the SDK's own error
before mirascope's decoder reads it (which would raise its untyped ``llm.APIError``), so mirascope maps it as the
same HTTP error: ``server_error`` is ``llm.ServerError`` (status 500) chained from ``openai.InternalServerError``
with the id, retried by ``llm.retry`` as a new job; ``invalid_prompt`` is ``llm.BadRequestError`` (400), not
retried. Sync and async, streamed and not."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest
from mirascope import llm

from openai_background.testing import FakeResponsesServer, JobScript

from ._harness import POLL, background_failure, creates, script

CALLS = ["sync", "async", "sync-stream", "async-stream"]
MODEL = "openai/gpt-4.1:responses"


@pytest.fixture(autouse=True)
def provider(server: FakeResponsesServer, install_modes: Callable[..., None]) -> Iterator[None]:
    """Our mode installed, then mirascope's Responses provider pointed at the fake server (it builds its
    clients when registered)."""
    install_modes(background_mode="always", **POLL)
    llm.register_provider("openai:responses", scope="openai/", api_key="sk-test", base_url=server.base_url)
    yield
    from mirascope.llm.providers.provider_registry import reset_provider_registry

    reset_provider_registry()


@llm.call(MODEL)
def ask() -> str:
    return "hi"


@llm.call(MODEL)
async def ask_async() -> str:
    return "hi"


@llm.retry(max_retries=1, initial_delay=0)
@llm.call(MODEL)
def ask_retrying() -> str:
    return "hi"


def run(call: str) -> str:
    """The text a user reads: ``ask().text()``, or the pieces of ``ask.stream().text_stream()``."""
    if call == "sync":
        return ask().text()
    if call == "sync-stream":
        return "".join(ask.stream().text_stream(sep=""))

    async def main() -> str:
        if call == "async":
            return (await ask_async()).text()
        stream = await ask_async.stream()
        return "".join([piece async for piece in stream.text_stream(sep="")])

    return asyncio.run(main())


@pytest.mark.parametrize("call", CALLS)
def test_always_mode_runs_the_call_as_a_background_job(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("completed", "hello from the job"))
    assert run(call) == "hello from the job"
    body = server.jobs[0].create_body
    assert body is not None and body["background"] is True
    assert body.get("stream", False) is call.endswith("stream")


@pytest.mark.parametrize("call", CALLS)
def test_server_error_is_a_server_error_from_internal_server_error_with_the_id(
    server: FakeResponsesServer, call: str
) -> None:
    server.queue_create(script("server_error"))
    with pytest.raises(llm.ServerError) as caught:  # not the untyped llm.APIError of mirascope's decoder
        run(call)
    assert caught.value.status_code == 500
    cause: Any = caught.value.__cause__
    assert isinstance(cause, openai.InternalServerError)
    failure = background_failure(caught.value)
    assert failure.response_id == server.jobs[0].id and failure.code == "server_error" and failure.retryable
    assert failure.status_code == failure.response.status_code == 500
    assert creates(server) == 1


@pytest.mark.parametrize("call", CALLS)
def test_invalid_prompt_is_a_bad_request(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("invalid_prompt"))
    with pytest.raises(llm.BadRequestError) as caught:
        run(call)
    assert caught.value.status_code == 400
    assert isinstance(caught.value.__cause__, openai.BadRequestError)
    assert background_failure(caught.value).response_id == server.jobs[0].id


@pytest.mark.parametrize("call", ["sync", "sync-stream"])
def test_rate_limit_is_a_rate_limit_error(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("rate_limit_exceeded"))
    with pytest.raises(llm.RateLimitError) as caught:
        run(call)
    assert caught.value.status_code == 429 and isinstance(caught.value.__cause__, openai.RateLimitError)


@pytest.mark.parametrize("code", ["server_error", "rate_limit_exceeded"])
def test_transient_failures_are_retried_by_llm_retry_as_a_new_job(server: FakeResponsesServer, code: str) -> None:
    server.queue_create(script(code))
    server.queue_create(script("completed", "second try"))
    assert ask_retrying().text() == "second try"
    assert creates(server) == 2


def test_invalid_prompt_is_not_retried(server: FakeResponsesServer) -> None:
    server.queue_create(script("invalid_prompt"))
    server.queue_create(script("completed", "a second job"))
    with pytest.raises(llm.BadRequestError):
        ask_retrying()
    assert creates(server) == 1


def test_an_incomplete_streamed_job_is_delivered_with_its_finish_reason(server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.incomplete("max_output_tokens", polls=1))
    stream = ask.stream()
    stream.finish()
    assert stream.finish_reason == llm.FinishReason.MAX_TOKENS
