"""langchain-openai (no background support; ``background=True`` only through ``model_kwargs``): after
``openai_background.install(background_mode="always")`` the clients ``ChatOpenAI`` builds run every Responses
call as a background job and ``invoke`` returns the final message, or raises the SDK's own exception, which
``.with_retry()`` acts on. Sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import openai
import pytest
from langchain_openai import ChatOpenAI

import openai_background
from openai_background.testing import FakeResponsesServer

from ._harness import POLL, background_failure, creates, script

MODES = ["sync", "async"]


def chat(server: FakeResponsesServer, **options: Any) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-4.1", api_key="sk-test", base_url=server.base_url, use_responses_api=True, max_retries=0, **options
    )


def invoke(runnable: Any, mode: str) -> Any:
    return runnable.invoke("hi") if mode == "sync" else asyncio.run(runnable.ainvoke("hi"))


def retrying(llm: ChatOpenAI) -> Any:
    """The framework's own retry, as a user would write it for HTTP 429/500."""
    return llm.with_retry(
        retry_if_exception_type=(openai.InternalServerError, openai.RateLimitError),
        stop_after_attempt=2,
        wait_exponential_jitter=False,
    )


def test_without_a_mode_a_background_call_comes_back_empty(server: FakeResponsesServer) -> None:
    """Today's behaviour, kept when nothing is set: the queued answer is read as an empty message."""
    server.queue_create(script("completed"))
    message = chat(server, model_kwargs={"background": True}).invoke("hi")
    assert message.content == []
    assert server.jobs[0].polls == 0


@pytest.mark.parametrize("mode", MODES)
def test_always_mode_gives_the_final_message(
    server: FakeResponsesServer, install_modes: Callable[..., None], mode: str
) -> None:
    install_modes(background_mode="always", **POLL)
    server.queue_create(script("completed", "hello from the job"))
    message = invoke(chat(server), mode)
    assert message.text == "hello from the job"
    assert message.usage_metadata is not None and message.usage_metadata["total_tokens"] > 0
    assert server.jobs[0].create_body is not None and server.jobs[0].create_body["background"] is True
    assert server.jobs[0].polls == 2


def test_our_client_passed_in_works_without_install(server: FakeResponsesServer) -> None:
    client = openai_background.OpenAI(
        api_key="sk-test", base_url=server.base_url, max_retries=0, background_mode="always", **POLL
    )
    server.queue_create(script("completed", "hello"))
    llm = ChatOpenAI(
        model="gpt-4.1", api_key="sk-test", use_responses_api=True, root_client=client, client=client.chat.completions
    )
    assert llm.invoke("hi").text == "hello"
    assert server.jobs[0].polls == 2


@pytest.mark.parametrize("mode", MODES)
def test_server_error_is_retried_by_with_retry(
    server: FakeResponsesServer, install_modes: Callable[..., None], mode: str
) -> None:
    install_modes(background_mode="always", **POLL)
    server.queue_create(script("server_error"))
    server.queue_create(script("completed", "second try"))
    assert invoke(retrying(chat(server)), mode).text == "second try"
    assert creates(server) == 2


@pytest.mark.parametrize("mode", MODES)
def test_server_error_raises_internal_server_error_with_the_job_id(
    server: FakeResponsesServer, install_modes: Callable[..., None], mode: str
) -> None:
    install_modes(background_mode="always", **POLL)
    server.queue_create(script("server_error"))
    with pytest.raises(openai.InternalServerError) as caught:
        invoke(chat(server), mode)
    failure = background_failure(caught.value)
    assert failure is not None and failure.response_id == server.jobs[0].id and failure.retryable is True


@pytest.mark.parametrize("mode", MODES)
def test_invalid_prompt_is_not_retried(
    server: FakeResponsesServer, install_modes: Callable[..., None], mode: str
) -> None:
    install_modes(background_mode="always", **POLL)
    server.queue_create(script("invalid_prompt"))
    with pytest.raises(openai.BadRequestError):
        invoke(retrying(chat(server)), mode)
    assert creates(server) == 1


@pytest.mark.parametrize("outcome", ["cancelled", "error_null"])
def test_cancelled_and_error_null_raise_instead_of_an_empty_message(
    server: FakeResponsesServer, install_modes: Callable[..., None], outcome: str
) -> None:
    install_modes(background_mode="always", **POLL)
    server.queue_create(script(outcome))
    with pytest.raises(openai.APIStatusError) as caught:
        invoke(retrying(chat(server)), "sync")
    assert background_failure(caught.value).response_id == server.jobs[0].id
    assert creates(server) == 1
