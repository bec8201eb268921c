"""agno (``OpenAIResponses``: ``background=True`` polls with ``retrieve()``, and is dropped for streaming): with our
clients in ``background_mode="always"`` every call, streamed or not, runs as a background job. A failed job raises
the SDK's own error from the client; agno reads its body (``err.response.json()``) and classifies it by
``err.response.status_code``, so its retry (``retries=``) starts a new job for ``server_error`` and never for
``invalid_prompt``. Sync and async, streamed and not."""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest
from agno.agent import Agent
from agno.exceptions import ModelProviderError
from agno.models.message import Message
from agno.models.openai import OpenAIResponses
from agno.run.agent import RunErrorEvent
from agno.run.base import RunStatus

import openai_background
from openai_background.testing import FakeResponsesServer, JobScript

from ._harness import POLL, background_failure, creates, script

CALLS = ["sync", "async", "sync-stream", "async-stream"]


def model(server: FakeResponsesServer, **options: Any) -> OpenAIResponses:
    """agno's Responses model on our clients (agno takes both a sync and an async client)."""
    settings: dict[str, Any] = {"api_key": "sk-test", "base_url": server.base_url, "max_retries": 0, **POLL}
    return OpenAIResponses(
        id="gpt-4.1",
        client=openai_background.OpenAI(background_mode="always", **settings),
        async_client=openai_background.AsyncOpenAI(background_mode="always", **settings),
        **options,
    )


def agent(server: FakeResponsesServer, **options: Any) -> Agent:
    return Agent(model=model(server, **options), telemetry=False)


def run(agent: Agent, call: str) -> tuple[str | None, RunStatus | None]:
    """What a user reads back: the run's text and status (agno reports a failed run, it does not raise)."""
    if call == "sync":
        output = agent.run("hi")
        return output.content, output.status
    if call == "async":
        output = asyncio.run(agent.arun("hi"))
        return output.content, output.status

    async def collect() -> list[Any]:
        return [event async for event in agent.arun("hi", stream=True)]

    events = list(agent.run("hi", stream=True)) if call == "sync-stream" else asyncio.run(collect())
    text = "".join(e.content for e in events if type(e).__name__ == "RunContentEvent" and isinstance(e.content, str))
    errors = [e for e in events if isinstance(e, RunErrorEvent)]
    return (errors[0].content, RunStatus.error) if errors else (text, RunStatus.completed)


def model_call(model: OpenAIResponses, call: str) -> Any:
    """One model call as agno's agent makes it (``response`` / ``response_stream``, sync or async)."""
    messages = [Message(role="user", content="hi")]
    if call == "sync":
        return model.response(messages=messages)
    if call == "sync-stream":
        return list(model.response_stream(messages=messages))

    async def main() -> Any:
        if call == "async":
            return await model.aresponse(messages=messages)
        return [chunk async for chunk in model.aresponse_stream(messages=messages)]

    return asyncio.run(main())


@pytest.mark.parametrize("call", CALLS)
def test_always_mode_runs_the_agent_as_a_background_job(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("completed", "hello from the job"))
    text, status = run(agent(server), call)
    assert (text, status) == ("hello from the job", RunStatus.completed)
    body = server.jobs[0].create_body
    assert body is not None and body["background"] is True
    assert body.get("stream", False) is call.endswith("stream")


@pytest.mark.parametrize("call", CALLS)
def test_server_error_reaches_agno_as_internal_server_error_with_the_job_id(
    server: FakeResponsesServer, call: str
) -> None:
    server.queue_create(script("server_error"))
    with pytest.raises(ModelProviderError) as caught:
        model_call(model(server), call)
    assert caught.value.status_code == 500  # agno's own reading of err.response.status_code
    assert caught.value.message == "the fake job failed with server_error"  # agno read err.response.json()
    cause = caught.value.__cause__
    assert isinstance(cause, openai.InternalServerError)
    failure = background_failure(caught.value)
    assert failure.response_id == server.jobs[0].id and failure.code == "server_error" and failure.retryable
    assert cause.status_code == cause.response.status_code == 500
    assert creates(server) == 1


@pytest.mark.parametrize("code", ["server_error", "rate_limit_exceeded"])
@pytest.mark.parametrize("call", CALLS)
def test_transient_failures_are_retried_by_agno_as_a_new_job(server: FakeResponsesServer, call: str, code: str) -> None:
    server.queue_create(script(code))
    server.queue_create(script("completed", "second try"))
    assert run(agent(server, retries=1, delay_between_retries=0), call) == ("second try", RunStatus.completed)
    assert creates(server) == 2


@pytest.mark.parametrize("call", CALLS)
def test_invalid_prompt_is_not_retried_as_a_second_paid_job(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("invalid_prompt"))
    server.queue_create(script("completed", "a second job"))
    text, status = run(agent(server, retries=2, delay_between_retries=0), call)
    assert status == RunStatus.error and text is not None and "invalid_prompt" in text
    assert creates(server) == 1


def provider_call(model: OpenAIResponses, call: str) -> Any:
    """agno's provider methods (``invoke``, ``invoke_stream`` and their async twins): what its retry loop calls,
    and where it turns the SDK's error into its own, ``from`` the SDK's (its loop re-raises a non-retryable
    one from itself, dropping that cause)."""
    messages = [Message(role="user", content="hi")]
    if call == "sync":
        return model.invoke(messages=messages, assistant_message=Message(role="assistant"))
    if call == "sync-stream":
        return list(model.invoke_stream(messages=messages, assistant_message=Message(role="assistant")))

    async def main() -> Any:
        if call == "async":
            return await model.ainvoke(messages=messages, assistant_message=Message(role="assistant"))
        stream = model.ainvoke_stream(messages=messages, assistant_message=Message(role="assistant"))
        return [chunk async for chunk in stream]

    return asyncio.run(main())


@pytest.mark.parametrize("call", CALLS)
def test_invalid_prompt_keeps_one_status_code(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("invalid_prompt"))
    with pytest.raises(ModelProviderError) as caught:
        provider_call(model(server), call)
    assert caught.value.status_code == 400  # agno's reading of err.response.status_code: not retried
    assert caught.value.message == "the fake job failed with invalid_prompt"
    failure = caught.value.__cause__
    assert isinstance(failure, openai.BadRequestError) and isinstance(
        failure, openai_background.ResponseBadRequestError
    )
    assert failure.response_id == server.jobs[0].id and failure.retryable is False
    assert failure.status_code == failure.response.status_code == 400


@pytest.mark.parametrize("call", ["sync-stream", "async-stream"])
def test_an_incomplete_streamed_job_is_returned_not_raised(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(JobScript.incomplete("max_output_tokens", polls=1))
    _, status = run(agent(server), call)
    assert status == RunStatus.completed
