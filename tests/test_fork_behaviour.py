"""The behaviour the fork's patch series carries, asserted on whichever target ``_target`` names: this package
by default, the forked SDK under ``nox -s fork`` (``OPENAI_BACKGROUND_TARGET=fork``). Only names both have are
used: the exception classes, ``raise_for_status``, ``responses.poll`` and ``responses.create_and_poll``."""

from __future__ import annotations

import json
import typing
from typing import Any

import openai
import pytest
from _target import (
    ResponseCancelledError,
    ResponseFailedError,
    ResponseIncompleteError,
    ResponseServerError,
    raise_for_status,
)
from conftest import Harness, failed, state
from openai.types.responses.response_error import ResponseError

SDK_CLASS = {
    "server_error": openai.InternalServerError,
    "vector_store_timeout": openai.InternalServerError,
    "rate_limit_exceeded": openai.RateLimitError,
    "image_file_not_found": openai.NotFoundError,
    "data_residency_mismatch": openai.PermissionDeniedError,
}
"""The SDK error each code is raised as; every other declared code is an ``openai.BadRequestError``."""
DECLARED_CODES = typing.get_args(ResponseError.__annotations__["code"])  # the generated model: no string annotations


def retrieve_and_raise(harness: Harness, response_id: str) -> Any:
    def use(client: Any) -> Any:
        if not harness.is_async:
            return raise_for_status(client.responses.retrieve(response_id))

        async def retrieved() -> Any:
            return raise_for_status(await client.responses.retrieve(response_id))

        return retrieved()

    return harness.call(use)


def test_raise_for_status_of_a_retrieved_failure_is_an_internal_server_error(harness: Harness) -> None:
    harness.api.gets = [failed("server_error", "The model crashed.")]
    with pytest.raises(openai.InternalServerError) as caught:
        retrieve_and_raise(harness, "resp_1")
    assert isinstance(caught.value, ResponseServerError)
    assert caught.value.response_id == "resp_1"
    assert caught.value.status_code == 500
    assert "resp_1" in str(caught.value)


def test_raise_for_status_returns_a_completed_response(harness: Harness) -> None:
    harness.api.gets = [state("completed", output=[])]
    assert retrieve_and_raise(harness, "resp_1").status == "completed"


def test_poll_reads_the_hint_of_every_answer(harness: Harness) -> None:
    harness.api.gets = [state("queued", hint_ms=125), state("in_progress", hint_ms=1500), state("in_progress"),
                        state("completed")]  # fmt: skip
    assert harness.run("poll", "resp_1").status == "completed"
    assert harness.clock.sleeps == [0.125, 1.5, 1.0]
    assert all(headers.get("x-stainless-poll-helper") == "true" for headers in harness.api.polls)


def test_poll_interval_ms_wins_over_the_hint(harness: Harness) -> None:
    harness.api.gets = [state("in_progress", hint_ms=125), state("completed")]
    harness.run("poll", "resp_1", poll_interval_ms=275)
    assert harness.clock.sleeps == [0.275]


@pytest.mark.parametrize("code", DECLARED_CODES)
def test_every_declared_code_raises_its_sdk_error(sync_harness: Harness, code: str) -> None:
    sync_harness.api.gets = [state("in_progress"), failed(code)]
    with pytest.raises(SDK_CLASS.get(code, openai.BadRequestError)) as caught:
        sync_harness.run("poll", "resp_1")
    assert isinstance(caught.value, ResponseFailedError)
    assert (caught.value.response_id, caught.value.code) == ("resp_1", code)


def test_an_unknown_code_raises_the_failure_base_class(sync_harness: Harness) -> None:
    sync_harness.api.gets = [failed("a_code_from_the_future")]
    with pytest.raises(ResponseFailedError) as caught:
        sync_harness.run("poll", "resp_1")
    assert not isinstance(caught.value, (openai.InternalServerError, openai.BadRequestError))
    assert caught.value.code == "a_code_from_the_future"


def test_incomplete_and_cancelled_raise(harness: Harness) -> None:
    harness.api.gets = [state("incomplete", incomplete_details={"reason": "max_output_tokens"})]
    with pytest.raises(ResponseIncompleteError) as incomplete:
        harness.run("poll", "resp_1")
    assert (incomplete.value.response_id, incomplete.value.reason) == ("resp_1", "max_output_tokens")
    harness.api.gets, harness.api.served = [state("cancelled")], 0
    with pytest.raises(ResponseCancelledError):
        harness.run("poll", "resp_1")


def test_create_and_poll_creates_in_background(harness: Harness) -> None:
    harness.api.gets = [state("in_progress"), state("completed")]
    result = harness.run("create_and_poll", model="gpt-5", input="hi")
    assert result.status == "completed"
    posts = [json.loads(body) for method, _, _, body in harness.api.requests if method == "POST"]
    assert posts == [{"model": "gpt-5", "input": "hi", "background": True}]


def test_poll_returns_a_40_mib_answer_whole(sync_harness: Harness) -> None:
    text = "x" * (40 * 1024 * 1024)
    message = {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": text, "annotations": []}]}  # fmt: skip
    sync_harness.api.gets = [state("in_progress"), state("completed", output=[message])]
    assert len(sync_harness.run("poll", "resp_1").output_text) == len(text)
