from __future__ import annotations

import json
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
from openai.types.responses import Response, ParsedResponse
from openai.lib._parsing._responses import type_to_text_format_param

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


class Weather(BaseModel):
    city: str
    celsius: float


WEATHER = '{"city": "Oslo", "celsius": 3.5}'


def answered(text: str) -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": []}]
    message = {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed", "content": content}
    return body("completed", output=[message])


def answers(*statuses: str, hints: tuple[str, ...] = ()) -> list[httpx2.Response]:
    found = []
    for index, status in enumerate(statuses):
        headers = {"openai-poll-after-ms": hints[index]} if index < len(hints) else {}
        fields = {"error": {"code": "server_error", "message": "boom"}} if status == "failed" else {}
        found.append(httpx2.Response(200, json=body(status, **fields), headers=headers))
    return found


@pytest.mark.respx2(base_url=base_url)
def test_poll_raises_the_sdk_error_family(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(side_effect=answers("queued", "in_progress", "failed"))
    with mock.patch.object(client.responses, "_sleep") as sleep, pytest.raises(openai.ResponseServerError) as caught:
        client.responses.poll("resp_123")
    assert isinstance(caught.value, openai.InternalServerError)
    assert caught.value.response_id == "resp_123"
    assert sleep.call_count == 2
    assert all(call.request.headers.get("X-Stainless-Poll-Helper") == "true" for call in respx2_mock.calls)


@pytest.mark.respx2(base_url=base_url)
def test_poll_reads_the_hint_on_every_poll(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(side_effect=answers("queued", "in_progress", "completed", hints=("2000", "3500")))
    with mock.patch.object(client.responses, "_sleep") as sleep:
        result = client.responses.poll("resp_123")
    assert result.status == "completed"
    assert [call.args[0] for call in sleep.call_args_list] == [2.0, 3.5]


@pytest.mark.respx2(base_url=base_url)
def test_poll_deadline_raises_a_resumable_timeout(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=httpx2.Response(200, json=body("in_progress")))
    with mock.patch.object(client.responses, "_sleep"), pytest.raises(openai.ResponsePollTimeoutError) as caught:
        client.responses.poll("resp_123", max_wait_seconds=0)
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.response_id == "resp_123"


@pytest.mark.respx2(base_url=base_url)
def test_create_and_poll_sends_background(client: OpenAI, respx2_mock: MockRouter) -> None:
    create = respx2_mock.post(f"{base_url}/responses").mock(return_value=httpx2.Response(200, json=body("queued")))
    respx2_mock.get(URL).mock(side_effect=answers("completed"))
    with mock.patch.object(client.responses, "_sleep"):
        result = client.responses.create_and_poll(model="gpt-4o", input="hi")
    assert result.status == "completed"
    sent = create.calls[0].request.content
    assert b'"background":true' in sent.replace(b" ", b"")


def test_poll_is_absent_from_the_raw_wrappers(client: OpenAI) -> None:
    assert not hasattr(client.responses.with_raw_response, "poll")
    assert not hasattr(client.responses.with_streaming_response, "poll")


@pytest.mark.respx2(base_url=base_url)
async def test_async_poll(async_client: AsyncOpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(side_effect=answers("queued", "failed", hints=("1500",)))
    with mock.patch.object(async_client.responses, "_sleep") as sleep, pytest.raises(openai.ResponseServerError):
        await async_client.responses.poll("resp_123")
    assert [call.args[0] for call in sleep.call_args_list] == [1.5]


@pytest.mark.respx2(base_url=base_url)
async def test_async_create_and_poll(async_client: AsyncOpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.post(f"{base_url}/responses").mock(return_value=httpx2.Response(200, json=body("completed")))
    result = await async_client.responses.create_and_poll(model="gpt-4o", input="hi")
    assert result.status == "completed"


@pytest.mark.respx2(base_url=base_url)
def test_poll_with_text_format_is_a_parsed_response(client: OpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=httpx2.Response(200, json=answered(WEATHER)))
    parsed = client.responses.poll("resp_123", text_format=Weather)
    assert_type(parsed, ParsedResponse[Weather])
    assert_type(parsed.output_parsed, Weather | None)
    assert parsed.output_parsed == Weather(city="Oslo", celsius=3.5)
    plain = client.responses.poll("resp_123")
    assert_type(plain, Response)
    assert not isinstance(plain, ParsedResponse)


@pytest.mark.respx2(base_url=base_url)
def test_create_and_poll_with_text_format_sends_what_parse_sends(client: OpenAI, respx2_mock: MockRouter) -> None:
    create = respx2_mock.post(f"{base_url}/responses").mock(return_value=httpx2.Response(200, json=answered(WEATHER)))
    parsed = client.responses.create_and_poll(model="gpt-4o", input="Weather in Oslo?", text_format=Weather)
    assert_type(parsed, ParsedResponse[Weather])
    assert parsed.output_parsed == Weather(city="Oslo", celsius=3.5)
    sent = json.loads(create.calls[0].request.content)
    assert sent["text"]["format"] == type_to_text_format_param(Weather)
    assert sent["background"] is True


@pytest.mark.respx2(base_url=base_url)
async def test_async_poll_with_text_format(async_client: AsyncOpenAI, respx2_mock: MockRouter) -> None:
    respx2_mock.get(URL).mock(return_value=httpx2.Response(200, json=answered(WEATHER)))
    respx2_mock.post(f"{base_url}/responses").mock(return_value=httpx2.Response(200, json=answered(WEATHER)))
    parsed = await async_client.responses.poll("resp_123", text_format=Weather)
    assert_type(parsed, ParsedResponse[Weather])
    assert parsed.output_parsed == Weather(city="Oslo", celsius=3.5)
    created = await async_client.responses.create_and_poll(model="gpt-4o", input="hi", text_format=Weather)
    assert_type(created, ParsedResponse[Weather])
    assert created.output_parsed == Weather(city="Oslo", celsius=3.5)
    assert_type(await async_client.responses.poll("resp_123"), Response)
