from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import openai
from openai import OpenAI, AsyncOpenAI
from tests.respx2 import MockRouter
from tests.conftest import base_url

URL = f"{base_url}/responses/resp_123"


def response(status: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"error": {"code": "server_error", "message": "boom"}} if status == "failed" else {}
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


def sse(*events: dict[str, Any]) -> httpx2.Response:
    text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return httpx2.Response(200, content=text.encode(), headers={"content-type": "text/event-stream"})


def events(final: str) -> list[dict[str, Any]]:
    return [
        {"type": "response.in_progress", "sequence_number": 1, "response": response("in_progress")},
        {"type": f"response.{final}", "sequence_number": 2, "response": response(final)},
    ]


@pytest.mark.respx2(base_url=base_url)
def test_stream_background_reads_to_the_end(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=sse(*events("completed")))
    stream = client.responses.stream_background("resp_123")
    assert [event.sequence_number for event in stream] == [1, 2]
    assert stream.final_response is not None and stream.final_response.status == "completed"


@pytest.mark.respx2(base_url=base_url)
def test_stream_background_raises_after_a_failed_end(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=sse(*events("failed")))
    seen = []
    with pytest.raises(openai.InternalServerError):
        for event in client.responses.stream_background("resp_123"):
            seen.append(event.type)
    assert seen == ["response.in_progress", "response.failed"]


@pytest.mark.respx2(base_url=base_url)
async def test_async_poll_wait_stream(async_client: AsyncOpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=sse(*events("completed")))
    result = await async_client.responses.poll("resp_123", wait="stream")
    assert result.status == "completed"
