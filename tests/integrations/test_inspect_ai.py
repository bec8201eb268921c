"""inspect-ai (background mode built in: ``background=True`` polls ``retrieve()`` every 5 s; takes no client
object): after ``openai_background.install(background_mode="wait")`` the client inspect builds returns the final
response from ``create``, so inspect's own poll never runs; a failed job raises the SDK's own exception, which
inspect's retry acts on, and ``cancelled`` / ``error: null`` raise instead of an empty completion."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest
from inspect_ai.model import GenerateConfig, ModelOutput, get_model

from openai_background.testing import FakeResponsesServer

from ._harness import POLL, background_failure, creates, script


@pytest.fixture(autouse=True)
def no_retry_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """inspect waits seconds (exponential, with jitter) between its retries; the fake server needs none."""
    import tenacity
    from inspect_ai.model._providers.openai import OpenAIAPI

    monkeypatch.setattr(OpenAIAPI, "retry_wait", lambda self: tenacity.wait_none())
    yield


def generate(server: FakeResponsesServer, *, max_retries: int = 0, **model_args: Any) -> ModelOutput:
    model = get_model(
        "openai/gpt-4.1",
        base_url=server.base_url,
        api_key="sk-test",
        config=GenerateConfig(max_retries=max_retries, timeout=60),
        memoize=False,
        responses_api=True,
        **model_args,
    )
    return asyncio.run(model.generate("hi"))


@pytest.mark.parametrize("outcome", ["cancelled", "error_null"])
def test_without_a_mode_cancelled_and_error_null_come_back_empty(server: FakeResponsesServer, outcome: str) -> None:
    """Today's behaviour, kept when nothing is set: an empty completion that says it stopped normally.
    (The job ends on its create answer, so inspect's 5 s poll does not run.)"""
    server.queue_create(script(outcome).terminal_on_create())
    output = generate(server, background=True)
    assert output.completion == "" and output.stop_reason == "stop"


def test_wait_mode_gives_the_completion_without_inspects_5_second_poll(
    server: FakeResponsesServer, install_modes: Callable[..., None]
) -> None:
    install_modes(background_mode="wait", **POLL)
    server.queue_create(script("completed", "hello from the job"))
    output = generate(server, background=True)
    assert output.completion == "hello from the job" and output.stop_reason == "stop"
    assert output.usage is not None and output.usage.total_tokens > 0
    job = server.jobs[0]
    assert job.create_body is not None and job.create_body["background"] is True
    assert job.polls == 2  # our polls at 50 ms (in progress, completed); inspect's own loop saw a final response


def test_server_error_is_retried_by_inspect(server: FakeResponsesServer, install_modes: Callable[..., None]) -> None:
    install_modes(background_mode="wait", **POLL)
    server.queue_create(script("server_error"))
    server.queue_create(script("completed", "second try"))
    assert generate(server, max_retries=2, background=True).completion == "second try"
    assert creates(server) == 2


def test_server_error_raises_internal_server_error_with_the_job_id(
    server: FakeResponsesServer, install_modes: Callable[..., None]
) -> None:
    install_modes(background_mode="wait", **POLL)
    server.queue_create(script("server_error"))
    with pytest.raises(Exception) as caught:  # with max_retries=0 inspect raises tenacity's RetryError from it
        generate(server, background=True)
    failure = background_failure(caught.value)
    assert isinstance(failure, openai.InternalServerError) and failure.response_id == server.jobs[0].id


def test_invalid_prompt_is_not_retried(server: FakeResponsesServer, install_modes: Callable[..., None]) -> None:
    """inspect turns a refused prompt (HTTP 400 ``invalid_prompt``) into a content-filter output; so it does
    with the background failure, and it does not send the prompt again."""
    install_modes(background_mode="wait", **POLL)
    server.queue_create(script("invalid_prompt"))
    output = generate(server, max_retries=2, background=True)
    assert output.stop_reason == "content_filter"
    assert creates(server) == 1


@pytest.mark.parametrize("outcome", ["cancelled", "error_null"])
def test_cancelled_and_error_null_raise_instead_of_an_empty_completion(
    server: FakeResponsesServer, install_modes: Callable[..., None], outcome: str
) -> None:
    install_modes(background_mode="wait", **POLL)
    server.queue_create(script(outcome))
    with pytest.raises(openai.APIStatusError) as caught:
        generate(server, max_retries=2, background=True)
    assert background_failure(caught.value).response_id == server.jobs[0].id
    assert creates(server) == 1
