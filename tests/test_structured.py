"""Structured outputs in background mode: ``text_format`` survives the wait, end to end on the loopback fake
server, sync, asyncio and trio. The parsed responses are compared with what the SDK's own ``responses.parse``
makes of the same answer, so "parsed as the SDK parses" is checked, not assumed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import openai
import pydantic
import pytest
from _target import FORK, AsyncOpenAI, OpenAI, ResponseServerError, internal
from conftest import CANARY_KEY
from openai.types.responses import ParsedResponse, Response

from openai_background.testing import Answer, FakeResponsesServer, JobScript

MODES = ("sync", "asyncio", "trio")

# Every SDK of the range (1.109.1, 2.54.0, 3.x) has the helpers `responses.parse` uses, with one signature; an
# SDK without them would skip here, saying so, rather than fail.
_parsing = pytest.importorskip("openai.lib._parsing._responses", reason="this openai has no responses.parse helpers")
if not hasattr(_parsing, "parse_response") or not hasattr(openai.OpenAI(api_key="sk-x").responses, "parse"):
    pytest.skip("this openai has no responses.parse / parse_response: text_format needs them", allow_module_level=True)


class Weather(pydantic.BaseModel):
    city: str
    celsius: float


class GetForecast(pydantic.BaseModel):
    city: str
    days: int


GOOD = '{"city": "Oslo", "celsius": 3.5}'
EXPECTED = Weather(city="Oslo", celsius=3.5)


@pytest.fixture(params=MODES)
def run(
    request: pytest.FixtureRequest, server: FakeResponsesServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    """``run(use)``: ``use(client)`` with a real client in this mode (awaited if async)."""
    mode = request.param
    monkeypatch.setattr(internal("_waits.cadence"), "BACKOFF_INITIAL", 0.01)

    def runner(use: Callable[[Any], Any], **client_kwargs: Any) -> Any:
        kwargs = {"api_key": CANARY_KEY, "base_url": server.base_url, "max_retries": 0, **client_kwargs}
        if mode == "sync":
            with OpenAI(**kwargs) as client:
                return use(client)

        async def main() -> Any:
            async with AsyncOpenAI(**kwargs) as client:
                return await use(client)

        return anyio.run(main, backend=mode)

    return runner


def sdk_parse(server: FakeResponsesServer, script: JobScript, **kwargs: Any) -> Any:
    """What the SDK's own ``responses.parse`` returns (or raises) for ``script``'s final answer."""
    server.queue_create(script.terminal_on_create())
    with openai.OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0) as client:
        try:
            return client.responses.parse(model="gpt-fake", input="hi", **kwargs)
        except Exception as error:
            return error


def create_and_poll(client: Any, **kwargs: Any) -> Any:
    return client.responses.create_and_poll(model="gpt-fake", input="hi", poll_interval_ms=5, **kwargs)


def last_create_body(server: FakeResponsesServer) -> dict[str, Any]:
    creates = [r for r in server.requests if r.method == "POST" and r.path.endswith("/responses")]
    return creates[-1].json()  # type: ignore[no-any-return]


def test_create_and_poll_returns_the_parsed_response(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(output_text=GOOD, polls=2, poll_after_ms=5))
    result = run(lambda client: create_and_poll(client, text_format=Weather))
    assert isinstance(result, ParsedResponse)
    assert result.output_parsed == EXPECTED
    assert result.output_text == GOOD
    assert server.job(result.id).polls == 3  # two in progress, then completed
    expected = sdk_parse(server, JobScript.completed(output_text=GOOD), text_format=Weather)
    assert result.output_parsed == expected.output_parsed
    assert result.output[0].content[0].parsed == expected.output[0].content[0].parsed


def test_the_create_request_carries_the_schema_parse_sends(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    sdk_parse(server, JobScript.completed(output_text=GOOD), text_format=Weather)
    sent_by_parse = last_create_body(server)
    server.queue_create(JobScript.completed(output_text=GOOD).terminal_on_create())
    run(lambda client: create_and_poll(client, text_format=Weather, text={"verbosity": "low"}))
    body = last_create_body(server)
    assert body["background"] is True
    assert body["text"] == {"verbosity": "low", "format": sent_by_parse["text"]["format"]}
    assert body["text"]["format"]["type"] == "json_schema" and body["text"]["format"]["name"] == "Weather"


def test_poll_parses_a_job_created_elsewhere(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(output_text=GOOD, polls=1, poll_after_ms=5))
    result = run(lambda client: client.responses.poll(rid, text_format=Weather))
    assert isinstance(result, ParsedResponse) and result.output_parsed == EXPECTED


def test_without_text_format_a_plain_response_comes_back(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(output_text=GOOD))
    result = run(lambda client: client.responses.poll(rid))
    assert type(result) is Response


@pytest.mark.parametrize("wait", ["poll", "stream"])
def test_poll_parses_whichever_way_it_waits(run: Callable[..., Any], server: FakeResponsesServer, wait: str) -> None:
    server.queue_create(JobScript.completed(output_text=GOOD, polls=1, poll_after_ms=5))
    result = run(lambda client: create_and_poll(client, text_format=Weather, wait=wait))
    assert result.output_parsed == EXPECTED


def test_text_that_does_not_validate_raises_what_parse_raises_naming_the_response(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    bad = '{"city": "Oslo", "celsius": "warm"}'
    from_parse = sdk_parse(server, JobScript.completed(output_text=bad), text_format=Weather)
    assert isinstance(from_parse, pydantic.ValidationError)
    server.queue_create(JobScript.completed(output_text=bad, polls=1, poll_after_ms=5))
    with pytest.raises(type(from_parse)) as raised:
        run(lambda client: create_and_poll(client, text_format=Weather))
    rid = server.jobs[-1].id
    assert raised.value.response_id == rid  # type: ignore[attr-defined]
    assert raised.value.errors() == from_parse.errors()
    assert rid in "\n".join([str(raised.value), *getattr(raised.value, "__notes__", [])])


def test_a_refusal_is_exposed_as_parse_exposes_it(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    from_parse = sdk_parse(server, JobScript.refused("No."), text_format=Weather)
    server.queue_create(JobScript.refused("No.", polls=1))
    result = run(lambda client: create_and_poll(client, text_format=Weather))
    assert result.output_parsed is None is from_parse.output_parsed
    part = result.output[0].content[0]
    assert part.type == "refusal" and part.refusal == "No."
    assert part == from_parse.output[0].content[0]


def test_pydantic_function_tools_are_sent_and_parsed_as_parse_does(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "GetForecast",
        "arguments": '{"city": "Oslo", "days": 3}',
        "status": "completed",
    }
    script = JobScript.of(Answer.state("completed", extra={"output": [call]}))
    tools = [openai.pydantic_function_tool(GetForecast)]
    from_parse = sdk_parse(server, script, text_format=Weather, tools=tools)
    sent_by_parse = last_create_body(server)["tools"]
    server.queue_create(script)
    result = run(lambda client: create_and_poll(client, text_format=Weather, tools=tools))
    assert last_create_body(server)["tools"] == sent_by_parse
    assert sent_by_parse[0]["name"] == "GetForecast" and sent_by_parse[0]["strict"] is True
    assert result.output[0].parsed_arguments == GetForecast(city="Oslo", days=3)
    assert result.output[0].parsed_arguments == from_parse.output[0].parsed_arguments


def test_a_failure_still_raises_its_typed_error(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("server_error", polls=1))
    with pytest.raises(ResponseServerError):
        run(lambda client: create_and_poll(client, text_format=Weather))


def test_an_unfinished_response_returned_on_request_is_not_validated(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    truncated = Answer.state("incomplete", incomplete_details={"reason": "max_output_tokens"}, output_text='{"ci')
    server.queue_create(JobScript.of(truncated))
    result = run(lambda client: create_and_poll(client, text_format=Weather, raise_on=["failed"]))
    assert isinstance(result, ParsedResponse)
    assert result.status == "incomplete" and result.output_parsed is None and result.output_text == '{"ci'


def test_poll_many_applies_one_model_to_every_job(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    good = server.add_job(JobScript.completed(output_text=GOOD, polls=1, poll_after_ms=5))
    bad = server.add_job(JobScript.completed(output_text="not json"))
    refused = server.add_job(JobScript.refused())

    def use(client: Any) -> Any:
        many = client.responses.poll_many([good, bad, refused], poll_interval_ms=5, text_format=Weather)
        if isinstance(client, openai.OpenAI):
            return {outcome.response_id: outcome for outcome in many}

        async def collect() -> Any:
            async with many as outcomes:
                return {outcome.response_id: outcome async for outcome in outcomes}

        return collect()

    outcomes = run(use)
    assert isinstance(outcomes[good].response, ParsedResponse) and outcomes[good].result().output_parsed == EXPECTED
    assert isinstance(outcomes[bad].error, pydantic.ValidationError) and outcomes[bad].error.response_id == bad
    assert outcomes[refused].ok and outcomes[refused].response.output_parsed is None


@pytest.mark.parametrize("how", ["create_and_stream", "stream_background"])
def test_a_stream_ends_on_the_parsed_response(run: Callable[..., Any], server: FakeResponsesServer, how: str) -> None:
    def use(client: Any) -> Any:
        if how == "create_and_stream":
            stream = client.responses.create_and_stream(model="gpt-fake", input="hi", text_format=Weather)
        else:
            rid = server.add_job(JobScript.completed(output_text=GOOD))
            stream = client.responses.stream_background(rid, text_format=Weather)
        if isinstance(client, openai.OpenAI):
            with stream:
                return [event.type for event in stream], stream.final_response

        async def read() -> Any:
            async with stream:
                return [event.type async for event in stream], stream.final_response

        return read()

    if how == "create_and_stream":
        server.queue_create(JobScript.completed(output_text=GOOD))
    types, final = run(use)
    assert types[-1] == "response.completed" and "response.output_text.delta" in types
    assert isinstance(final, ParsedResponse) and final.output_parsed == EXPECTED


def test_a_stream_whose_text_does_not_validate_raises_after_the_last_event(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    rid = server.add_job(JobScript.completed(output_text="not json"))
    seen: list[str] = []

    def use(client: Any) -> Any:
        stream = client.responses.stream_background(rid, text_format=Weather)
        if isinstance(client, openai.OpenAI):
            with stream:
                for event in stream:
                    seen.append(event.type)
            return None

        async def read() -> None:
            async with stream:
                async for event in stream:
                    seen.append(event.type)

        return read()

    with pytest.raises(pydantic.ValidationError) as raised:
        run(use)
    assert seen[-1] == "response.completed"
    assert raised.value.response_id == rid  # type: ignore[attr-defined]


def test_bad_text_format_arguments_are_refused_before_any_request(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    before = len(server.requests)
    with pytest.raises(TypeError, match=r"text\.format"):
        run(lambda client: create_and_poll(client, text_format=Weather, text={"format": {"type": "text"}}))
    with pytest.raises(ValueError, match="text_format must be a class"):
        run(lambda client: client.responses.poll("resp_1", text_format="Weather"))
    assert len(server.requests) == before


@pytest.mark.skipif(FORK, reason="background_mode belongs to the openai-background clients")
@pytest.mark.parametrize("mode", ["wait", "always"])
def test_background_mode_makes_parse_wait_for_the_parsed_response(
    run: Callable[..., Any], server: FakeResponsesServer, mode: str
) -> None:
    server.queue_create(JobScript.completed(output_text=GOOD, polls=1, poll_after_ms=5))
    background = {"background": True} if mode == "wait" else {}
    tools = [openai.pydantic_function_tool(GetForecast)]

    def use(client: Any) -> Any:
        return client.responses.parse(model="gpt-fake", input="hi", text_format=Weather, tools=tools, **background)

    result = run(use, background_mode=mode, poll_interval_ms=5)
    assert isinstance(result, ParsedResponse) and result.status == "completed"
    assert result.output_parsed == EXPECTED
    body = last_create_body(server)
    assert body["background"] is True and body["text"]["format"]["name"] == "Weather"
    assert body["tools"][0]["name"] == "GetForecast"
    assert server.job(result.id).polls == 2


@pytest.mark.skipif(FORK, reason="background_mode belongs to the openai-background clients")
def test_background_mode_parse_names_the_response_when_its_text_does_not_validate(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.completed(output_text="not json"))
    with pytest.raises(pydantic.ValidationError) as raised:
        run(
            lambda client: client.responses.parse(model="gpt-fake", input="hi", text_format=Weather, background=True),
            background_mode="wait",
            poll_interval_ms=5,
        )
    assert raised.value.response_id == server.jobs[-1].id  # type: ignore[attr-defined]
