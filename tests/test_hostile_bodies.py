"""Hostile bodies over a real loopback socket: gzip bombs (and, with ``max_answer_bytes`` set, huge answers) are
refused unread, unreadable events are typed and resumed, answers for another id are refused; sync, asyncio and
trio alike. Large genuine answers are read: ``test_large_answers.py``.

Memory and time figures for the huge answers live in the benchmark (``benchmarks/_memory.py``), not here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio
import openai
import pytest
from _target import (
    FORK,
    AsyncOpenAI,
    BackgroundResponseError,
    OpenAI,
    PollOutcome,
    ResponseMalformedError,
    raise_for_status,
)
from conftest import CANARY_KEY, MODES
from hostile.bodies import (
    MIB,
    NOT_UTF8,
    Patient,
    Streamed,
    gzip_bomb_answer,
    huge_event_stream,
    nested,
    raw_answer,
    sse_answer,
    stream_events,
)
from hostile.server import Answer, HostileServer, json_answer, response_answer, response_body, route, script
from openai.types.responses import Response

LIMIT = 32 * MIB
"""A ``max_answer_bytes`` (a client setting; no cap by default) for the tests of that option."""
CAPPED = {"max_answer_bytes": LIMIT}
SETTINGS = pytest.mark.skipif(FORK, reason="max_answer_bytes is a client setting of this package")
COMPLETED = response_answer("resp_1", "completed")


def call(mode: str, server: HostileServer, use: Callable[[Any], Any], settings: dict[str, Any] | None = None) -> Any:
    """``use(client)`` against ``server`` in ``mode`` (a client built with ``settings``); its result, awaited
    when async."""
    kwargs: dict[str, Any] = {"api_key": CANARY_KEY, "base_url": server.base_url, "max_retries": 0, "timeout": 20}
    kwargs.update(settings or {})
    if mode == "sync":
        with OpenAI(**kwargs) as client:
            return use(client)

    async def main() -> Any:
        async with AsyncOpenAI(**kwargs) as client:
            return await use(client)

    return anyio.run(main, backend=mode)


def poll(mode: str, server: HostileServer, settings: dict[str, Any] | None = None, **options: Any) -> Any:
    return call(mode, server, lambda client: client.responses.poll("resp_1", **options), settings)


def many(mode: str, server: HostileServer, ids: list[str], **options: Any) -> dict[str, Any]:
    """``poll_many`` to its end: each id's ``PollOutcome``."""
    if mode == "sync":
        return call(mode, server, lambda client: {o.response_id: o for o in client.responses.poll_many(ids, **options)})

    async def collect(client: Any) -> dict[str, Any]:
        async with client.responses.poll_many(ids, **options) as outcomes:
            return {outcome.response_id: outcome async for outcome in outcomes}

    return call(mode, server, collect)


HUGE_ANSWERS = {
    "200MB-body": (lambda: Streamed(200 * MIB), CAPPED, "its body is larger than 32 MiB"),
    "1GiB-gzip-bomb": (lambda: gzip_bomb_answer(1024 * MIB), None, "compression bomb"),
    "just-over-the-limit": (lambda: Streamed(LIMIT + 1), CAPPED, "its body is larger than 32 MiB"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("answer", sorted(HUGE_ANSWERS))
def test_a_refused_answer_is_a_malformed_error_read_no_further(mode: str, answer: str) -> None:
    behaviour, settings, why = HUGE_ANSWERS[answer]
    if FORK and settings:
        pytest.skip("max_answer_bytes is a client setting of this package")
    with HostileServer(script([behaviour()])) as server:
        started = time.monotonic()
        with pytest.raises(ResponseMalformedError) as caught:
            poll(mode, server, settings, max_poll_failures=1)
    assert time.monotonic() - started < 15
    error = caught.value
    assert error.response_id == "resp_1"
    assert why in str(error)
    assert len(error.body) < 1000  # a preview, never the body


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_answer_is_retried_like_any_unreadable_answer(mode: str) -> None:
    with HostileServer(script([gzip_bomb_answer(256 * MIB), COMPLETED])) as server:
        result = poll(mode, server, max_poll_failures=2)
    assert result.status == "completed"
    assert [request.kind for request in server.requests] == ["get", "get"]


@SETTINGS
@pytest.mark.parametrize("mode", MODES)
def test_an_answer_just_under_max_answer_bytes_is_read(mode: str) -> None:
    body = response_body("resp_1", "completed", metadata={"pad": "x" * (LIMIT - 2000)})
    with HostileServer(script([Patient(json_answer(body))])) as server:
        result = poll(mode, server, CAPPED)
    assert result.status == "completed" and len(result.metadata["pad"]) == LIMIT - 2000


UNREADABLE = {
    "nested-100000": nested(100_000),
    "not-utf8": NOT_UTF8,
    "html": b"<html><body>502 from a proxy</body></html>",
    "empty": b"",
    "truncated": b'{"id": "resp_1", "status": "comp',
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("body", sorted(UNREADABLE))
def test_an_unreadable_poll_answer_is_retried_then_a_malformed_error(mode: str, body: str) -> None:
    with HostileServer(script([raw_answer(UNREADABLE[body]), COMPLETED])) as server:
        assert poll(mode, server, max_poll_failures=2).status == "completed"
    with (
        HostileServer(script([raw_answer(UNREADABLE[body])])) as server,
        pytest.raises(ResponseMalformedError) as caught,
    ):
        poll(mode, server, max_poll_failures=1)
    assert caught.value.response_id == "resp_1"


def _stream_server(first: Answer, then: Answer | None = None) -> HostileServer:
    return HostileServer(
        route(stream=script([first, then or sse_answer(stream_events())]), get=response_answer("resp_1", "in_progress"))
    )


BAD_EVENTS = {
    "nested-100000": b"event: response.output_text.delta\ndata: " + b"[" * 100_000 + b"]" * 100_000,
    "not-utf8": b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": "\xff\xfe"}',
    "not-json": b"event: response.output_text.delta\ndata: {not json",
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("event", sorted(BAD_EVENTS))
def test_an_unreadable_event_is_a_malformed_error_naming_the_id_and_the_stream_resumes(mode: str, event: str) -> None:
    good = stream_events()
    with _stream_server(sse_answer([good[0], BAD_EVENTS[event]])) as server:
        result = poll(mode, server, wait="stream", max_poll_failures=3)
    assert result.status == "completed"
    streams = [request.path for request in server.requests if request.kind == "stream"]
    assert len(streams) == 2 and "starting_after=0" in streams[1]
    bad = sse_answer([good[0], BAD_EVENTS[event]])
    with _stream_server(bad, bad) as server, pytest.raises(ResponseMalformedError) as caught:
        poll(mode, server, wait="stream", max_poll_failures=2)
    assert caught.value.response_id == "resp_1"
    assert "event stream of background response resp_1 could not be read" in str(caught.value)


@SETTINGS
@pytest.mark.parametrize("mode", MODES)
def test_an_event_over_max_answer_bytes_is_refused_unread(mode: str) -> None:
    with _stream_server(huge_event_stream(200 * MIB), huge_event_stream(200 * MIB)) as server:
        started = time.monotonic()
        with pytest.raises(ResponseMalformedError, match="one event is larger than 32 MiB"):
            poll(mode, server, CAPPED, wait="stream", max_poll_failures=1)
    assert time.monotonic() - started < 15


OTHER_IDS = {"other-string": "resp_2", "number": 12345, "null": None, "empty": ""}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("found", sorted(OTHER_IDS))
def test_a_poll_answer_for_another_id_is_malformed(mode: str, found: str) -> None:
    body = {**response_body("resp_1", "completed"), "id": OTHER_IDS[found]}
    with HostileServer(script([json_answer(body)])) as server, pytest.raises(ResponseMalformedError) as caught:
        poll(mode, server)
    assert caught.value.response_id == "resp_1" and caught.value.status is None


@pytest.mark.parametrize("mode", MODES)
def test_a_poll_answer_without_an_id_is_malformed(mode: str) -> None:
    body = response_body("resp_1", "completed")
    del body["id"]
    with (
        HostileServer(script([json_answer(body)])) as server,
        pytest.raises(ResponseMalformedError, match="no response"),
    ):
        poll(mode, server)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("found", ["resp_2", 12345, None])
def test_stream_events_for_another_id_are_malformed(mode: str, found: object) -> None:
    events = stream_events()
    events[2]["response"]["id"] = found
    with _stream_server(sse_answer(events)) as server, pytest.raises(ResponseMalformedError) as caught:
        poll(mode, server, wait="stream")
    assert caught.value.response_id == "resp_1"


@pytest.mark.parametrize("mode", MODES)
def test_poll_many_refuses_an_answer_for_another_id_for_that_job_only(mode: str) -> None:
    def answer(request: Any) -> Answer:
        if request.path.split("?")[0].endswith("resp_bad"):
            return json_answer({**response_body("resp_bad", "completed"), "id": None})
        return response_answer("resp_good", "completed")

    with HostileServer(answer) as server:
        outcomes = many(mode, server, ["resp_good", "resp_bad"], poll_interval_ms=10)
    assert outcomes["resp_good"].ok
    assert isinstance(outcomes["resp_bad"].error, ResponseMalformedError)
    assert isinstance(outcomes["resp_bad"], PollOutcome)


ODD_IDS = {"lone-surrogate": "resp_\ud800", "huge-int": 10**5000, "deep": [[[[[]]]]], "control": "resp_\x1b[2J"}


@pytest.mark.parametrize("found", sorted(ODD_IDS))
@pytest.mark.parametrize("status", ["failed", "incomplete", "cancelled", "weird"])
def test_raise_for_status_is_total_over_ids_and_text(found: str, status: str) -> None:
    odd = ODD_IDS[found]
    fields = {"error": {"code": "\ud800", "message": "\udfff"}, "incomplete_details": {"reason": "\ud800"}}
    response = Response.construct(id=odd, object="response", status=status, request_id="\ud800", **fields)
    response._request_id = "req_\ud800\u00e9"
    with pytest.raises(BackgroundResponseError) as caught:
        raise_for_status(response)
    assert str(caught.value) and repr(caught.value)


def create_and_poll(mode: str, server: HostileServer, **options: Any) -> Any:
    return call(mode, server, lambda client: client.responses.create_and_poll(model="gpt-test", input="hi", **options))


@pytest.mark.parametrize("mode", MODES)
def test_create_and_poll_reads_its_create_answer_as_the_first_poll(mode: str) -> None:
    with HostileServer(route(post=response_answer("resp_1", "queued"), get=COMPLETED)) as server:
        result = create_and_poll(mode, server, poll_interval_ms=10)
    assert result.id == "resp_1" and result.status == "completed"
    assert [request.kind for request in server.requests] == ["post", "get"]


@pytest.mark.parametrize("mode", MODES)
def test_a_create_answer_that_is_a_bomb_is_a_malformed_error_read_no_further(mode: str) -> None:
    with HostileServer(route(post=gzip_bomb_answer(1024 * MIB), get=COMPLETED)) as server:
        started = time.monotonic()
        with pytest.raises(ResponseMalformedError, match="compression bomb"):
            create_and_poll(mode, server)
    assert time.monotonic() - started < 15
    assert [request.kind for request in server.requests] == ["post"]


CUT_SHORT = Answer(
    200, [("content-type", "application/json"), ("content-length", "1000"), ("connection", "close")], b"{"
)
NOT_GZIP = Answer(200, [("content-type", "application/json"), ("content-encoding", "gzip")], b"not gzip at all")


@pytest.mark.parametrize("mode", MODES)
def test_a_body_cut_short_is_a_connection_error_and_retried(mode: str) -> None:
    with HostileServer(script([CUT_SHORT, COMPLETED])) as server:
        assert poll(mode, server, max_poll_failures=2).status == "completed"
    with HostileServer(script([CUT_SHORT])) as server, pytest.raises(openai.APIConnectionError) as caught:
        poll(mode, server, max_poll_failures=1)
    assert caught.value.response_id == "resp_1"


@pytest.mark.parametrize("mode", MODES)
def test_a_body_that_cannot_be_decompressed_is_malformed_and_retried(mode: str) -> None:
    with HostileServer(script([NOT_GZIP, COMPLETED])) as server:
        assert poll(mode, server, max_poll_failures=2).status == "completed"
    with HostileServer(script([NOT_GZIP])) as server, pytest.raises(ResponseMalformedError, match="decoded"):
        poll(mode, server, max_poll_failures=1)
