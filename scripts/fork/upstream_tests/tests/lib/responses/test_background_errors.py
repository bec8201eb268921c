from __future__ import annotations

from typing import Any

import httpx2
import pytest

import openai
from openai import OpenAI, AsyncOpenAI
from openai._models import construct_type_unchecked
from openai.lib.background import raise_for_status
from openai.types.responses import Response


def background_response(status: str, **fields: Any) -> Response:
    value = {"id": "resp_123", "object": "response", "status": status, "output": [], **fields}
    return construct_type_unchecked(type_=Response, value=value)


def poll_answer() -> httpx2.Response:
    request = httpx2.Request("GET", "https://api.openai.com/v1/responses/resp_123")
    return httpx2.Response(200, headers={"x-request-id": "req_abc"}, request=request)


FAILED = {"error": {"code": "server_error", "message": "The server had an error"}}


def test_server_error_is_an_internal_server_error() -> None:
    with pytest.raises(openai.ResponseServerError) as caught:
        raise_for_status(background_response("failed", **FAILED))
    error = caught.value
    assert isinstance(error, openai.InternalServerError)
    assert error.status_code == 500
    assert error.response.status_code == 200
    assert error.response_id == "resp_123"
    assert error.retryable is True
    assert error.code == "server_error"


def test_rate_limit_and_bad_request_keep_their_families() -> None:
    with pytest.raises(openai.RateLimitError) as limited:
        raise_for_status(background_response("failed", error={"code": "rate_limit_exceeded", "message": "slow"}))
    assert limited.value.status_code == 429
    with pytest.raises(openai.ResponseBadRequestError) as invalid:
        raise_for_status(background_response("failed", error={"code": "invalid_prompt", "message": "no"}))
    assert isinstance(invalid.value, openai.BadRequestError)
    assert invalid.value.status_code == 400
    assert invalid.value.retryable is False


def test_incomplete_cancelled_and_unknown_codes() -> None:
    with pytest.raises(openai.ResponseIncompleteError) as incomplete:
        raise_for_status(background_response("incomplete", incomplete_details={"reason": "max_output_tokens"}))
    assert incomplete.value.reason == "max_output_tokens"
    assert incomplete.value.status_code == 200
    with pytest.raises(openai.ResponseCancelledError):
        raise_for_status(background_response("cancelled"))
    with pytest.raises(openai.ResponseFailedError) as unknown:
        raise_for_status(background_response("failed", error={"code": "brand_new_code", "message": "?"}))
    assert type(unknown.value) is openai.ResponseFailedError
    assert unknown.value.code == "brand_new_code"


def test_completed_is_returned_and_raise_on_narrows() -> None:
    done = background_response("completed")
    assert raise_for_status(done) is done
    cancelled = background_response("cancelled")
    assert raise_for_status(cancelled, raise_on=["failed"]) is cancelled


def test_client_hook_maps_without_raising(client: OpenAI) -> None:
    error = client._make_background_failure_error(background_response("failed", **FAILED), response=poll_answer())
    assert isinstance(error, openai.InternalServerError)
    assert error.request_id == "req_abc"
    assert client._make_background_failure_error(background_response("completed"), response=poll_answer()) is None
    assert client._make_background_failure_error(background_response("in_progress"), response=poll_answer()) is None


async def test_async_client_hook_maps_without_raising(async_client: AsyncOpenAI) -> None:
    error = async_client._make_background_failure_error(background_response("failed", **FAILED), response=poll_answer())
    assert isinstance(error, openai.ResponseServerError)
    assert error.response_id == "resp_123"
