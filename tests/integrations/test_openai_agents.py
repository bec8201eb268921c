"""openai-agents (no background support of its own; its maintainers declined to add it): with our
``AsyncOpenAI(background_mode="always")`` every model call runs as a background job and the runner sees the
final response, or the SDK's own exception, which its retry settings act on."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from agents import Agent, ModelSettings, OpenAIResponsesModel, Runner, set_tracing_disabled
from agents.retry import ModelRetrySettings, retry_policies

import openai_background
from openai_background.testing import FakeResponsesServer

from ._harness import POLL, background_failure, creates, script

set_tracing_disabled(True)

RETRY = ModelRetrySettings(
    max_retries=1, backoff={"initial_delay": 0, "jitter": False}, policy=retry_policies.http_status([429, 500])
)
"""The runner's own retry, as a user would set it: retry what the HTTP API would call 429/500."""


def agent(client: Any, settings: ModelSettings | None = None) -> Agent:
    return Agent(
        name="a",
        model=OpenAIResponsesModel("gpt-4.1", openai_client=client),
        model_settings=settings or ModelSettings(),
    )


def always(server: FakeResponsesServer) -> openai_background.AsyncOpenAI:
    return openai_background.AsyncOpenAI(
        api_key="sk-test", base_url=server.base_url, max_retries=0, background_mode="always", **POLL
    )


def test_without_a_mode_a_background_run_comes_back_empty(server: FakeResponsesServer) -> None:
    """Today's behaviour, kept when nothing is set: the queued answer is read as an empty final output."""
    server.queue_create(script("completed"))
    client = openai.AsyncOpenAI(api_key="sk-test", base_url=server.base_url)
    result = Runner.run_sync(agent(client, ModelSettings(extra_args={"background": True})), "hi")
    assert result.final_output == ""
    assert server.jobs[0].polls == 0


def test_always_mode_runs_the_agent_as_a_background_job(server: FakeResponsesServer) -> None:
    server.queue_create(script("completed", "hello from the job"))
    result = Runner.run_sync(agent(always(server)), "hi")
    assert result.final_output == "hello from the job"
    assert server.jobs[0].create_body is not None and server.jobs[0].create_body["background"] is True
    assert server.jobs[0].polls == 2  # in progress, then completed
    assert result.context_wrapper.usage.total_tokens > 0  # the final poll's usage, not the queued answer's


def test_server_error_is_retried_by_the_runner(server: FakeResponsesServer) -> None:
    server.queue_create(script("server_error"))
    server.queue_create(script("completed", "second try"))
    result = Runner.run_sync(agent(always(server), ModelSettings(retry=RETRY)), "hi")
    assert result.final_output == "second try"
    assert creates(server) == 2


def test_server_error_raises_internal_server_error_with_the_job_id(server: FakeResponsesServer) -> None:
    server.queue_create(script("server_error"))
    with pytest.raises(openai.InternalServerError) as caught:
        Runner.run_sync(agent(always(server)), "hi")
    failure = background_failure(caught.value)
    assert failure is not None and failure.response_id == server.jobs[0].id
    assert failure.code == "server_error" and failure.retryable is True
    assert creates(server) == 1


def test_invalid_prompt_is_not_retried(server: FakeResponsesServer) -> None:
    server.queue_create(script("invalid_prompt"))
    with pytest.raises(openai.BadRequestError) as caught:
        Runner.run_sync(agent(always(server), ModelSettings(retry=RETRY)), "hi")
    assert background_failure(caught.value).retryable is False
    assert creates(server) == 1


@pytest.mark.parametrize("outcome", ["cancelled", "error_null"])
def test_cancelled_and_error_null_raise_instead_of_an_empty_output(server: FakeResponsesServer, outcome: str) -> None:
    server.queue_create(script(outcome))
    with pytest.raises(openai.APIStatusError) as caught:
        Runner.run_sync(agent(always(server), ModelSettings(retry=RETRY)), "hi")
    assert background_failure(caught.value).response_id == server.jobs[0].id
    assert creates(server) == 1
