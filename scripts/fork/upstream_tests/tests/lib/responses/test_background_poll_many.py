from __future__ import annotations

from typing import Any
from unittest import mock

import httpx2
import pytest

import openai
from openai import OpenAI, AsyncOpenAI
from tests.respx2 import MockRouter
from tests.conftest import base_url


def answer(rid: str, status: str) -> httpx2.Response:
    fields: dict[str, Any] = {"error": {"code": "rate_limit_exceeded", "message": "slow"}} if status == "failed" else {}
    return httpx2.Response(
        200,
        json={
            "id": rid,
            "object": "response",
            "status": status,
            "output": [],
            "created_at": 0,
            "model": "gpt-4o",
            "parallel_tool_calls": False,
            "tool_choice": "auto",
            "tools": [],
            **fields,
        },
    )


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
