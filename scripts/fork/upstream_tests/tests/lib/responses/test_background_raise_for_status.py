from __future__ import annotations

from typing import Any

import httpx2
import pytest

import openai
from openai import OpenAI, AsyncOpenAI
from tests.respx2 import MockRouter
from openai._models import construct_type_unchecked
from tests.conftest import api_key, base_url
from openai.lib.background import raise_for_status
from openai.types.responses import Response

URL = f"{base_url}/responses/resp_123"


def body(status: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": "resp_123",
        "object": "response",
        "status": status,
        "output": [],
        "created_at": 0,
        "model": "gpt-4o",
        "parallel_tool_calls": False,
        "tool_choice": "auto",
        "tools": [],
        **fields,
    }


FAILED = {"error": {"code": "server_error", "message": "The server had an error"}}


def test_a_response_raises_or_is_returned() -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        raise_for_status(construct_type_unchecked(type_=Response, value=body("failed", **FAILED)))
    assert isinstance(caught.value, openai.ResponseServerError)
    assert caught.value.response_id == "resp_123"
    assert caught.value.response.status_code == 200
    done = construct_type_unchecked(type_=Response, value=body("completed"))
    assert raise_for_status(done) is done


def test_raise_on_narrows_and_is_checked() -> None:
    cancelled = construct_type_unchecked(type_=Response, value=body("cancelled"))
    assert raise_for_status(cancelled, raise_on=["failed"]) is cancelled
    with pytest.raises(ValueError, match="raise_on"):
        raise_for_status(cancelled, raise_on="failed")


def test_a_json_mapping_is_read_too() -> None:
    with pytest.raises(openai.ResponseIncompleteError) as caught:
        raise_for_status(body("incomplete", incomplete_details={"reason": "max_output_tokens"}))
    assert caught.value.reason == "max_output_tokens"


@pytest.mark.respx2(base_url=base_url)
def test_the_raw_wrapper_keeps_the_poll_answer(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(
        return_value=httpx2.Response(200, json=body("failed", **FAILED), headers={"x-request-id": "req_1"})
    )
    with pytest.raises(openai.ResponseServerError) as caught:
        raise_for_status(client.responses.with_raw_response.retrieve("resp_123"))
    assert caught.value.request_id == "req_1"
    assert caught.value.response.status_code == 200


@pytest.mark.respx2(base_url=base_url)
def test_an_echoed_api_key_is_scrubbed(client: OpenAI, respx2_mock: MockRouter) -> None:
    echoed = {"error": {"code": "server_error", "message": f"bad key {api_key}"}}
    respx2_mock.get(URL).mock(return_value=httpx2.Response(200, json=body("failed", **echoed)))
    with pytest.raises(openai.ResponseServerError) as caught:
        raise_for_status(client.responses.with_raw_response.retrieve("resp_123"))
    assert api_key not in str(caught.value)
    assert api_key not in caught.value.message
    assert "[redacted]" in caught.value.message


@pytest.mark.respx2(base_url=base_url)
def test_an_unreadable_answer_is_a_typed_error(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=httpx2.Response(200, text="<html>gateway</html>"))
    with pytest.raises(openai.ResponseMalformedError):
        raise_for_status(client.responses.with_raw_response.retrieve("resp_123"))


@pytest.mark.respx2(base_url=base_url)
def test_an_answer_the_strict_client_refuses_names_the_response(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=httpx2.Response(200, json={"id": "resp_123", "status": "failed"}))
    with pytest.raises(openai.ResponseMalformedError) as caught:
        raise_for_status(client.responses.with_raw_response.retrieve("resp_123"))
    assert caught.value.response_id == "resp_123"
    assert isinstance(caught.value.__cause__, openai.APIResponseValidationError)


@pytest.mark.respx2(base_url=base_url)
async def test_async_raw_wrapper(async_client: AsyncOpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=httpx2.Response(200, json=body("failed", **FAILED)))
    with pytest.raises(openai.ResponseServerError):
        raise_for_status(await async_client.responses.with_raw_response.retrieve("resp_123"))
