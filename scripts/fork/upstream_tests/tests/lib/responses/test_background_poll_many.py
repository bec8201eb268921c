from __future__ import annotations

from typing import Any
from unittest import mock
from typing_extensions import assert_type

import httpx2
import pytest
from pydantic import BaseModel

import openai
from openai import OpenAI, AsyncOpenAI
from tests.respx2 import MockRouter
from tests.conftest import base_url
from openai.lib.background import PollOutcome
from openai.types.responses import ParsedResponse


def answer(rid: str, status: str, output: list[dict[str, Any]] | None = None) -> httpx2.Response:
    fields: dict[str, Any] = {"error": {"code": "rate_limit_exceeded", "message": "slow"}} if status == "failed" else {}
    return httpx2.Response(
        200,
        json={
            "id": rid,
            "object": "response",
            "status": status,
            "output": output or [],
            "created_at": 0,
            "model": "gpt-4o",
            "parallel_tool_calls": False,
            "tool_choice": "auto",
            "tools": [],
            **fields,
        },
    )


class Weather(BaseModel):
    city: str
    celsius: float


WEATHER = [
    {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": '{"city": "Oslo", "celsius": 3.5}', "annotations": []}],
    }
]


def mock_jobs(respx2_mock: MockRouter) -> None:
    respx2_mock.get(f"{base_url}/responses/resp_ok").mock(return_value=answer("resp_ok", "completed"))
    respx2_mock.get(f"{base_url}/responses/resp_bad").mock(return_value=answer("resp_bad", "failed"))


@pytest.mark.respx2(base_url=base_url)
def test_poll_many_yields_each_outcome(client: OpenAI, respx2_mock: MockRouter) -> None:
    mock_jobs(respx2_mock)
    with mock.patch.object(client.responses, "_sleep"):
        outcomes = {o.response_id: o for o in client.responses.poll_many(["resp_ok", "resp_bad"], concurrency=2)}
    assert outcomes["resp_ok"].ok and outcomes["resp_ok"].result().status == "completed"
    assert isinstance(outcomes["resp_bad"].error, openai.RateLimitError)
    with pytest.raises(openai.ResponseRateLimitError):
        outcomes["resp_bad"].result()


@pytest.mark.respx2(base_url=base_url)
async def test_async_poll_many_yields_each_outcome(async_client: AsyncOpenAI, respx2_mock: MockRouter) -> None:
    mock_jobs(respx2_mock)
    found = {}
    with mock.patch.object(async_client.responses, "_sleep"):
        async with async_client.responses.poll_many(["resp_ok", "resp_bad"]) as outcomes:
            async for outcome in outcomes:
                found[outcome.response_id] = outcome
    assert found["resp_ok"].ok
    assert isinstance(found["resp_bad"].error, openai.ResponseRateLimitError)


@pytest.mark.respx2(base_url=base_url)
def test_poll_many_with_text_format_yields_parsed_responses(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(f"{base_url}/responses/resp_ok").mock(return_value=answer("resp_ok", "completed", WEATHER))
    outcomes = list(client.responses.poll_many(["resp_ok"], text_format=Weather))
    assert_type(outcomes, list[PollOutcome[ParsedResponse[Weather]]])
    assert [o.result().output_parsed for o in outcomes] == [Weather(city="Oslo", celsius=3.5)]


@pytest.mark.respx2(base_url=base_url)
async def test_async_poll_many_with_text_format(async_client: AsyncOpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(f"{base_url}/responses/resp_ok").mock(return_value=answer("resp_ok", "completed", WEATHER))
    async with async_client.responses.poll_many(["resp_ok"], text_format=Weather) as outcomes:
        found = [outcome async for outcome in outcomes]
    assert_type(found, list[PollOutcome[ParsedResponse[Weather]]])
    assert found[0].result().output_parsed == Weather(city="Oslo", celsius=3.5)
