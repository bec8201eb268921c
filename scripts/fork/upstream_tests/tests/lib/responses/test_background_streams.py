from __future__ import annotations

import json
from typing import Any
from typing_extensions import assert_type

import httpx2
import pytest
from pydantic import BaseModel

import openai
from openai import OpenAI, AsyncOpenAI
from tests.respx2 import MockRouter
from tests.conftest import base_url
from openai.lib.background import BackgroundStream, AsyncBackgroundStream
from openai.types.responses import Response, ParsedResponse

URL = f"{base_url}/responses/resp_123"


def response(status: str, output: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"error": {"code": "server_error", "message": "boom"}} if status == "failed" else {}
    return {
        "id": "resp_123",
        "object": "response",
        "status": status,
        "output": output or [],
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


def events(final: str, output: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return [
        {"type": "response.in_progress", "sequence_number": 1, "response": response("in_progress")},
        {"type": f"response.{final}", "sequence_number": 2, "response": response(final, output)},
    ]


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


@pytest.mark.respx2(base_url=base_url)
def test_stream_background_with_text_format_ends_on_a_parsed_response(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=sse(*events("completed", WEATHER)))
    with client.responses.stream_background("resp_123", text_format=Weather) as stream:
        assert_type(stream, BackgroundStream[ParsedResponse[Weather]])
        assert [event.sequence_number for event in stream] == [1, 2]
    assert_type(stream.final_response, ParsedResponse[Weather] | None)
    assert stream.final_response is not None
    assert stream.final_response.output_parsed == Weather(city="Oslo", celsius=3.5)
    assert_type(client.responses.stream_background("resp_123").final_response, Response | None)


@pytest.mark.respx2(base_url=base_url)
async def test_async_create_and_stream_with_text_format(async_client: AsyncOpenAI, respx2_mock: MockRouter) -> None:
    create = respx2_mock.post(f"{base_url}/responses").mock(return_value=sse(*events("completed", WEATHER)))
    stream = async_client.responses.create_and_stream(model="gpt-4o", input="Weather in Oslo?", text_format=Weather)
    assert_type(stream, AsyncBackgroundStream[ParsedResponse[Weather]])
    async with stream:
        assert [event.sequence_number async for event in stream] == [1, 2]
    assert stream.final_response is not None
    assert stream.final_response.output_parsed == Weather(city="Oslo", celsius=3.5)
    sent = json.loads(create.calls[0].request.content)
    assert sent["text"]["format"]["name"] == "Weather" and sent["stream"] is True and sent["background"] is True
    respx2_mock.get(URL).mock(return_value=sse(*events("completed", WEATHER)))
    polled = await async_client.responses.poll("resp_123", text_format=Weather, wait="stream")
    assert_type(polled, ParsedResponse[Weather])
    assert polled.output_parsed == Weather(city="Oslo", celsius=3.5)
