"""pydantic-ai (background mode built in: ``openai_background=True`` polls with ``retrieve()``): with our
``AsyncOpenAI(strict_retrieve=True)`` a failed or cancelled job raises from pydantic-ai's own poll, mapped by
pydantic-ai like the same HTTP error; it is never read as an empty answer (which re-prompts: a second paid job) nor
as a 404 of the retrieve (``SuspendedResponseExpired``). ``background_mode="wait"`` works too: the create returns
the final response, so pydantic-ai never polls."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from pydantic_ai import Agent
from pydantic_ai.exceptions import (
    ModelHTTPError,
    ModelRateLimitError,
    ModelServerError,
    ModelUnavailableError,
    SuspendedResponseExpired,
)
from pydantic_ai.models.fallback import FallbackModel
from pydantic_ai.models.openai import OpenAIResponsesModel, OpenAIResponsesModelSettings
from pydantic_ai.providers.openai import OpenAIProvider

import openai_background
from openai_background.testing import FakeResponsesServer

from ._harness import POLL, background_failure, creates, script

SETTINGS = OpenAIResponsesModelSettings(openai_background=True)
TRANSIENT = (ModelServerError, ModelRateLimitError, ModelUnavailableError)
"""What a user falls back on: the failures a new request may fix (HTTP 429/5xx), not a refused prompt."""


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pydantic-ai waits a fixed 2 s between its polls; the fake server needs none."""
    from pydantic_ai.models.openai import _responses_model

    monkeypatch.setattr(_responses_model, "_OPENAI_BACKGROUND_POLL_INTERVAL", 0.02)
    yield


def model(client: Any) -> OpenAIResponsesModel:
    return OpenAIResponsesModel("gpt-4.1", provider=OpenAIProvider(openai_client=client))


def strict(server: FakeResponsesServer) -> openai_background.AsyncOpenAI:
    return openai_background.AsyncOpenAI(
        api_key="sk-test", base_url=server.base_url, max_retries=0, strict_retrieve=True, **POLL
    )


def run(agent: Agent[None, str]) -> str:
    return asyncio.run(agent.run("hi")).output


def test_without_a_mode_a_cancelled_job_is_re_prompted_as_a_second_job(server: FakeResponsesServer) -> None:
    """Today's behaviour, kept when nothing is set: the cancelled job reads as an empty answer, pydantic-ai asks
    again, and a second job runs."""
    server.queue_create(script("cancelled"))
    server.queue_create(script("completed", "second job"))
    client = openai.AsyncOpenAI(api_key="sk-test", base_url=server.base_url)
    assert run(Agent(model(client), model_settings=SETTINGS)) == "second job"
    assert creates(server) == 2


def test_strict_retrieve_keeps_the_completed_answer(server: FakeResponsesServer) -> None:
    server.queue_create(script("completed", "hello from the job"))
    result = asyncio.run(Agent(model(strict(server)), model_settings=SETTINGS).run("hi"))
    assert result.output == "hello from the job"
    assert result.usage().total_tokens > 0
    assert server.jobs[0].polls == 2  # pydantic-ai's own polls: in progress, then completed


def test_server_error_raises_from_internal_server_error(server: FakeResponsesServer) -> None:
    server.queue_create(script("server_error"))
    with pytest.raises(ModelHTTPError) as caught:
        run(Agent(model(strict(server)), model_settings=SETTINGS))
    assert caught.value.status_code == 500
    assert isinstance(caught.value.__cause__, openai.InternalServerError)
    failure = background_failure(caught.value)
    assert failure.response_id == server.jobs[0].id and failure.code == "server_error" and failure.retryable
    assert creates(server) == 1


def test_server_error_is_retried_by_a_fallback_model(server: FakeResponsesServer) -> None:
    server.queue_create(script("server_error"))
    server.queue_create(script("completed", "second try"))
    fallback = FallbackModel(model(strict(server)), model(strict(server)), fallback_on=TRANSIENT)
    assert run(Agent(fallback, model_settings=SETTINGS)) == "second try"
    assert creates(server) == 2


def test_invalid_prompt_is_not_retried(server: FakeResponsesServer) -> None:
    server.queue_create(script("invalid_prompt"))
    fallback = FallbackModel(model(strict(server)), model(strict(server)), fallback_on=TRANSIENT)
    with pytest.raises(ModelHTTPError) as caught:
        run(Agent(fallback, model_settings=SETTINGS))
    assert caught.value.status_code == 400
    assert background_failure(caught.value).retryable is False
    assert creates(server) == 1


@pytest.mark.parametrize("outcome", ["cancelled", "error_null", "image_file_not_found", "server_error"])
def test_a_failed_job_is_never_expired_and_never_starts_a_second_job(server: FakeResponsesServer, outcome: str) -> None:
    """``image_file_not_found`` is the SDK's ``NotFoundError`` family; pydantic-ai reads a 404 of ``retrieve()``
    as an expired job. A job failure must keep its code and id and never look like that."""
    server.queue_create(script(outcome))
    server.queue_create(script("completed", "a second job"))
    with pytest.raises(Exception) as caught:
        run(Agent(model(strict(server)), model_settings=SETTINGS))
    assert not isinstance(caught.value, SuspendedResponseExpired)
    failure = background_failure(caught.value)
    assert failure is not None, caught.value
    assert failure.response_id == server.jobs[0].id
    assert failure.code == (None if outcome in ("cancelled", "error_null") else outcome)
    assert creates(server) == 1


def wait_mode(server: FakeResponsesServer) -> openai_background.AsyncOpenAI:
    return openai_background.AsyncOpenAI(
        api_key="sk-test", base_url=server.base_url, max_retries=0, background_mode="wait", **POLL
    )


def only_our_polls(server: FakeResponsesServer) -> bool:
    """Every GET was our wait's (it sends ``X-Stainless-Poll-Helper``), none pydantic-ai's ``retrieve()``."""
    gets = [r for r in server.requests if r.method == "GET"]
    return bool(gets) and all(r.headers.get("x-stainless-poll-helper") == "true" for r in gets)


def test_wait_mode_hands_pydantic_ai_the_final_response(server: FakeResponsesServer) -> None:
    server.queue_create(script("completed", "hello"))
    assert run(Agent(model(wait_mode(server)), model_settings=SETTINGS)) == "hello"
    assert only_our_polls(server)


def test_wait_mode_raises_for_a_cancelled_job_without_a_second_one(server: FakeResponsesServer) -> None:
    server.queue_create(script("cancelled"))
    server.queue_create(script("completed", "a second job"))
    with pytest.raises(Exception) as caught:
        run(Agent(model(wait_mode(server)), model_settings=SETTINGS))
    assert not isinstance(caught.value, SuspendedResponseExpired)
    assert background_failure(caught.value).response_id == server.jobs[0].id
    assert creates(server) == 1 and only_our_polls(server)
