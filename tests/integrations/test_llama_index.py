"""llama-index-llms-openai (no background support; its newest release needs ``openai<3``, so this module runs
in its own session with openai 2.x): ``OpenAIResponses`` with our clients in ``background_mode="always"`` (or
after ``install(background_mode="always")``) returns the final text; ``server_error`` is
``openai.InternalServerError``, which llama-index's own retry decorator retries; ``invalid_prompt`` is not
retried; ``cancelled`` and ``error: null`` raise."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import openai
import pytest
from llama_index.llms.openai import OpenAIResponses

import openai_background
from openai_background.testing import FakeResponsesServer

from ._harness import POLL, background_failure, creates, script

MODES = ["sync", "async"]


def llm(server: FakeResponsesServer, max_retries: int = 0) -> OpenAIResponses:
    """Our clients passed in (the SDK's own retries off: llama-index retries, ``max_retries`` times)."""
    where: dict[str, Any] = {"api_key": "sk-test", "base_url": server.base_url, "max_retries": 0}
    return OpenAIResponses(
        model="gpt-4.1",
        api_key="sk-test",
        store=True,  # llama-index sends store=False by default, which background mode cannot serve
        max_retries=max_retries,
        openai_client=openai_background.OpenAI(background_mode="always", **where, **POLL),
        async_openai_client=openai_background.AsyncOpenAI(background_mode="always", **where, **POLL),
    )


def complete(model: OpenAIResponses, mode: str) -> str:
    response = model.complete("hi") if mode == "sync" else asyncio.run(model.acomplete("hi"))
    return response.text


def test_always_mode_leaves_llama_indexs_default_store_false_alone(server: FakeResponsesServer) -> None:
    """llama-index sends ``store: false`` unless told otherwise; ``"always"`` leaves such a call alone (a
    background job must be stored), so the recipe sets ``store=True``."""
    server.queue_create(script("completed").terminal_on_create())
    client = openai_background.OpenAI(api_key="sk-test", base_url=server.base_url, background_mode="always", **POLL)
    model = OpenAIResponses(model="gpt-4.1", api_key="sk-test", max_retries=0, openai_client=client)
    assert model.complete("hi").text == "hello"
    body = server.jobs[0].create_body
    assert body is not None and body["store"] is False and "background" not in body


@pytest.mark.parametrize("mode", MODES)
def test_always_mode_gives_the_final_text(server: FakeResponsesServer, mode: str) -> None:
    server.queue_create(script("completed", "hello from the job"))
    assert complete(llm(server), mode) == "hello from the job"
    job = server.jobs[0]
    assert job.create_body is not None and job.create_body["background"] is True
    assert job.polls == 2


def test_install_reaches_the_client_llama_index_builds(
    server: FakeResponsesServer, install_modes: Callable[..., None]
) -> None:
    install_modes(background_mode="always", **POLL)
    server.queue_create(script("completed", "hello"))
    model = OpenAIResponses(model="gpt-4.1", api_key="sk-test", api_base=server.base_url, max_retries=0, store=True)
    assert model.complete("hi").text == "hello"
    assert server.jobs[0].polls == 2


@pytest.mark.parametrize("mode", MODES)
def test_server_error_is_retried_by_llama_index(server: FakeResponsesServer, mode: str) -> None:
    server.queue_create(script("server_error"))
    server.queue_create(script("completed", "second try"))
    assert complete(llm(server, max_retries=2), mode) == "second try"
    assert creates(server) == 2


def test_server_error_raises_internal_server_error_with_the_job_id(server: FakeResponsesServer) -> None:
    server.queue_create(script("server_error"))
    with pytest.raises(openai.InternalServerError) as caught:
        complete(llm(server), "sync")
    assert background_failure(caught.value).response_id == server.jobs[0].id


def test_invalid_prompt_is_not_retried(server: FakeResponsesServer) -> None:
    server.queue_create(script("invalid_prompt"))
    with pytest.raises(openai.BadRequestError):
        complete(llm(server, max_retries=2), "sync")
    assert creates(server) == 1


@pytest.mark.parametrize("outcome", ["cancelled", "error_null"])
def test_cancelled_and_error_null_raise_instead_of_an_empty_text(server: FakeResponsesServer, outcome: str) -> None:
    server.queue_create(script(outcome))
    with pytest.raises(openai.APIStatusError) as caught:
        complete(llm(server, max_retries=2), "sync")
    assert background_failure(caught.value).response_id == server.jobs[0].id
    assert creates(server) == 1
