from __future__ import annotations

from typing import Any

import httpx2

import openai
from openai import OpenAI, AsyncOpenAI
from openai._models import construct_type_unchecked
from tests.conftest import base_url
from openai.types.responses import Response


def background_response(status: str, **fields: Any) -> Response:
    value = {"id": "resp_123", "object": "response", "status": status, "output": [], **fields}
    return construct_type_unchecked(type_=Response, value=value)


def poll_answer() -> httpx2.Response:
    request = httpx2.Request("GET", f"{base_url}/responses/resp_123")
    return httpx2.Response(200, headers={"x-request-id": "req_abc"}, request=request)


def failed(code: str, message: str = "boom") -> Response:
    return background_response("failed", error={"code": code, "message": message})


def test_server_error_is_an_internal_server_error(client: OpenAI) -> None:
    error = client._make_background_failure_error(failed("server_error"), response=poll_answer())
    assert isinstance(error, openai.ResponseServerError)
    assert isinstance(error, openai.InternalServerError)
    assert error.status_code == 500
    assert error.response.status_code == 200
    assert error.request_id == "req_abc"
    assert error.response_id == "resp_123"
    assert error.retryable is True
    assert error.code == "server_error"
    assert error.message == "boom"


def test_codes_keep_their_sdk_families(client: OpenAI) -> None:
    limited = client._make_background_failure_error(failed("rate_limit_exceeded"), response=poll_answer())
    assert isinstance(limited, openai.RateLimitError)
    assert limited.status_code == 429
    invalid = client._make_background_failure_error(failed("invalid_prompt"), response=poll_answer())
    assert isinstance(invalid, openai.ResponseBadRequestError)
    assert isinstance(invalid, openai.BadRequestError)
    assert invalid.status_code == 400
    assert invalid.retryable is False


def test_incomplete_cancelled_and_unknown_codes(client: OpenAI) -> None:
    incomplete = client._make_background_failure_error(
        background_response("incomplete", incomplete_details={"reason": "max_output_tokens"}), response=poll_answer()
    )
    assert isinstance(incomplete, openai.ResponseIncompleteError)
    assert incomplete.reason == "max_output_tokens"
    assert incomplete.status_code == 200
    cancelled = client._make_background_failure_error(background_response("cancelled"), response=poll_answer())
    assert isinstance(cancelled, openai.ResponseCancelledError)
    unknown = client._make_background_failure_error(failed("brand_new_code", "?"), response=poll_answer())
    assert type(unknown) is openai.ResponseFailedError
    assert unknown.code == "brand_new_code"
    assert unknown.retryable is False


def test_success_and_pending_map_to_none(client: OpenAI) -> None:
    for status in ("completed", "queued", "in_progress"):
        assert client._make_background_failure_error(background_response(status), response=poll_answer()) is None


def test_a_malformed_result_still_maps(client: OpenAI) -> None:
    error = client._make_background_failure_error(
        background_response("failed", error="just text"), response=poll_answer()
    )
    assert isinstance(error, openai.ResponseFailedError)
    assert error.message == "just text"
    strange = client._make_background_failure_error(background_response("exploded"), response=poll_answer())
    assert type(strange) is openai.BackgroundResponseError
    assert strange.status == "exploded"


async def test_async_client_hook_maps_without_raising(async_client: AsyncOpenAI) -> None:
    error = async_client._make_background_failure_error(failed("server_error"), response=poll_answer())
    assert isinstance(error, openai.ResponseServerError)
    assert error.response_id == "resp_123"
