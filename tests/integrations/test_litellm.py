"""litellm (its Responses API speaks HTTP itself, not through the openai client; returns its own
``ResponsesAPIResponse``): ``raise_for_status`` reads litellm's object, or its JSON dict, and raises the same typed
error as for a ``Response``, so a hand-written ``get_responses`` loop gets the SDK's exceptions and its retry
(here tenacity on ``err.retryable``) starts a new job only when that may help."""

from __future__ import annotations

import time
from typing import Any

import litellm
import openai
import pytest
import tenacity

from openai_background import raise_for_status
from openai_background.testing import FakeResponsesServer

from ._harness import background_failure, creates, script

CREATED: list[str] = []
"""The ids litellm returned for the jobs of the current test (litellm encodes the provider into them)."""


@pytest.fixture(autouse=True)
def _forget_created() -> None:
    CREATED.clear()


def run_job(server: FakeResponsesServer) -> Any:
    """What a user writes: create in the background, poll with ``get_responses`` until the job ends."""
    where = {"api_key": "sk-test", "api_base": server.base_url}
    job = litellm.responses(model="openai/gpt-4.1", input="hi", background=True, **where)
    CREATED.append(job.id)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        current = litellm.get_responses(job.id, custom_llm_provider="openai", **where)
        raise_for_status(current)
        if current.status not in ("queued", "in_progress"):
            return current
        time.sleep(0.02)
    raise TimeoutError(job.id)


retrying = tenacity.retry(
    retry=tenacity.retry_if_exception(lambda err: getattr(err, "retryable", False)),
    stop=tenacity.stop_after_attempt(2),
    reraise=True,
)(run_job)


def test_a_completed_job_is_returned(server: FakeResponsesServer) -> None:
    server.queue_create(script("completed", "hello from the job"))
    response = run_job(server)
    assert isinstance(response, litellm.ResponsesAPIResponse)
    assert response.output[0].content[0].text == "hello from the job"
    assert server.jobs[0].polls == 2


def test_server_error_is_internal_server_error_and_retried(server: FakeResponsesServer) -> None:
    server.queue_create(script("server_error"))
    server.queue_create(script("completed", "second try"))
    assert retrying(server).output[0].content[0].text == "second try"
    assert creates(server) == 2


def test_server_error_carries_the_job_id(server: FakeResponsesServer) -> None:
    server.queue_create(script("server_error"))
    with pytest.raises(openai.InternalServerError) as caught:
        run_job(server)
    assert caught.value.response_id == CREATED[0] and caught.value.code == "server_error"


def test_invalid_prompt_is_not_retried(server: FakeResponsesServer) -> None:
    server.queue_create(script("invalid_prompt"))
    with pytest.raises(openai.BadRequestError) as caught:
        retrying(server)
    assert caught.value.retryable is False
    assert creates(server) == 1


@pytest.mark.parametrize("outcome", ["cancelled", "error_null"])
def test_cancelled_and_error_null_raise(server: FakeResponsesServer, outcome: str) -> None:
    server.queue_create(script(outcome))
    with pytest.raises(openai.APIStatusError) as caught:
        retrying(server)
    assert background_failure(caught.value).response_id == CREATED[0]
    assert creates(server) == 1


@pytest.mark.parametrize("outcome", ["server_error", "rate_limit_exceeded", "invalid_prompt", "cancelled"])
def test_litellms_object_and_its_json_raise_what_a_response_raises(server: FakeResponsesServer, outcome: str) -> None:
    server.queue_create(script(outcome).terminal_on_create())
    job = litellm.responses(
        model="openai/gpt-4.1", input="hi", background=True, api_key="sk-test", api_base=server.base_url
    )
    expected = _raised(
        lambda: raise_for_status(openai.types.responses.Response.model_validate(server.jobs[0].last_body))
    )
    for given in (job, job.model_dump()):
        got = _raised(lambda given=given: raise_for_status(given))
        assert type(got) is type(expected)
        assert (got.response_id, got.code, got.retryable) == (job.id, expected.code, expected.retryable)


def _raised(call: Any) -> Any:
    with pytest.raises(openai.APIStatusError) as caught:
        call()
    return caught.value
