"""strands-agents (``OpenAIResponsesModel``: every agent call streams; it builds its own ``openai.AsyncOpenAI`` from
``client_args``, so no client object is passed): after ``openai_background.install(background_mode="always")`` a
``stateful=True`` model (``store: true``; the default sends ``store: false``, which background mode refuses and
``"always"`` leaves alone) runs every call as a background job. A ``response.failed`` is raised as the SDK's own
error before strands reads it, so strands never turns it into its own untyped ``_OpenAIResponsesStreamError``:
``server_error`` reaches the caller as ``openai.InternalServerError`` with the id, ``rate_limit_exceeded`` is
strands' ``ModelThrottledException`` (retried by its default strategy, as a new job). Streamed (``agent(...)``,
``stream_async``) and not (``structured_output``: ``responses.parse``)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from typing import Any

import openai
import pytest
from pydantic import BaseModel
from strands import Agent, ModelRetryStrategy
from strands.models.openai_responses import OpenAIResponsesModel
from strands.types.exceptions import MaxTokensReachedException, ModelThrottledException

from openai_background.testing import FakeResponsesServer, JobScript

from ._harness import POLL, background_failure, creates, script

CALLS = ["call", "stream_async"]


class Answer(BaseModel):
    answer: str


@pytest.fixture(autouse=True)
def always(install_modes: Callable[..., None]) -> None:
    install_modes(background_mode="always", **POLL)


def agent(server: FakeResponsesServer, **options: Any) -> Agent:
    model = OpenAIResponsesModel(
        client_args={"api_key": "sk-test", "base_url": server.base_url, "max_retries": 0},
        model_id="gpt-4.1",
        stateful=True,
    )
    return Agent(model=model, callback_handler=None, **options)


def run(agent: Agent, call: str) -> str:
    """The agent's answer: ``agent("hi")``, or the text of ``stream_async``'s events."""
    if call == "call":
        return str(agent("hi")).strip()

    async def collect() -> str:
        return "".join([event["data"] async for event in agent.stream_async("hi") if "data" in event])

    return asyncio.run(collect())


@pytest.mark.parametrize("call", CALLS)
def test_always_mode_streams_the_agent_from_a_background_job(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("completed", "hello from the job"))
    assert run(agent(server), call) == "hello from the job"
    body = server.jobs[0].create_body
    assert body is not None and body["background"] is True and body["stream"] is True


@pytest.mark.parametrize("call", CALLS)
def test_server_error_raises_internal_server_error_with_the_job_id(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("server_error"))
    with pytest.raises(openai.InternalServerError) as caught:  # not strands' _OpenAIResponsesStreamError
        run(agent(server), call)
    failure = background_failure(caught.value)
    assert failure.response_id == server.jobs[0].id and failure.code == "server_error" and failure.retryable
    assert failure.status_code == failure.response.status_code == 500
    assert failure.response.json()["error"]["code"] == "server_error"
    assert creates(server) == 1


def test_rate_limit_is_throttling_and_retried_by_strands_as_a_new_job(server: FakeResponsesServer) -> None:
    server.queue_create(script("rate_limit_exceeded"))
    server.queue_create(script("completed", "second try"))
    retry = ModelRetryStrategy(max_attempts=2, initial_delay=0)
    assert run(agent(server, retry_strategy=retry), "call") == "second try"
    assert creates(server) == 2


class RetryServerErrors(ModelRetryStrategy):
    """A user's strategy: also retry what the HTTP API would call a 500."""

    def is_retryable(self, exception: Exception) -> bool:
        return super().is_retryable(exception) or isinstance(exception, openai.InternalServerError)


@pytest.mark.parametrize("call", CALLS)
def test_server_error_is_retried_by_a_strategy_that_names_it(server: FakeResponsesServer, call: str) -> None:
    server.queue_create(script("server_error"))
    server.queue_create(script("completed", "second try"))
    assert run(agent(server, retry_strategy=RetryServerErrors(max_attempts=2, initial_delay=0)), call) == "second try"
    assert creates(server) == 2


def test_invalid_prompt_is_not_retried(server: FakeResponsesServer) -> None:
    server.queue_create(script("invalid_prompt"))
    server.queue_create(script("completed", "a second job"))
    with pytest.raises(openai.BadRequestError) as caught:
        run(agent(server, retry_strategy=RetryServerErrors(max_attempts=3, initial_delay=0)), "call")
    assert not isinstance(caught.value, ModelThrottledException)
    assert background_failure(caught.value).response_id == server.jobs[0].id
    assert creates(server) == 1


def test_an_incomplete_job_is_read_by_strands_as_a_max_tokens_stop(server: FakeResponsesServer) -> None:
    """``response.incomplete`` is delivered, not raised: strands reads it as its ``length`` stop, as it would
    from a synchronous stream."""
    server.queue_create(JobScript.incomplete("max_output_tokens", polls=1))
    with pytest.raises(MaxTokensReachedException):
        agent(server)("hi")
    assert creates(server) == 1


def structured(agent: Agent) -> Answer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the documented call, deprecated in 1.x
        return agent.structured_output(Answer, "hi")


def test_structured_output_waits_for_the_background_job(server: FakeResponsesServer) -> None:
    server.queue_create(script("completed", '{"answer": "42"}'))
    assert structured(agent(server)) == Answer(answer="42")
    body = server.jobs[0].create_body
    assert body is not None and body["background"] is True and "stream" not in body


def test_structured_output_raises_internal_server_error_with_the_job_id(server: FakeResponsesServer) -> None:
    server.queue_create(script("server_error"))
    with pytest.raises(openai.InternalServerError) as caught:
        structured(agent(server))
    assert background_failure(caught.value).response_id == server.jobs[0].id
