"""Every typed error keeps the SDK's invariants, on every path: ``err.response`` is read (``.json()``,
``.text``) and ``err.status_code == err.response.status_code``; the HTTP answer really received stays at
``err.http_response``. Poll, create_and_poll, both waits, streams, the framework modes with their raw and
streaming wrappers, strict_retrieve, raise_for_status and poll_many; sync, asyncio and trio, on the loopback
fake server (real sockets) and through respx / the SDK's own mock transport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from _target import FORK, BackgroundResponseError, ResponseMalformedError, raise_for_status

if FORK:
    pytest.skip("the framework modes belong to the openai-background package", allow_module_level=True)

from _modes_run import maybe, modes_run_fixture
from conftest import CANARY_KEY, MODES, Answer, Harness, failed, state
from hostile.bodies import raw_answer
from hostile.server import HostileServer, script
from test_hostile_bodies import poll

from openai_background.testing import FakeResponsesServer, JobScript

run = modes_run_fixture()
SDK_STRIPS_CREDENTIALS = hasattr(openai._exceptions, "_error_request")  # openai 3.x keeps no key on its errors


def assert_invariants(error: BaseException, rid: str, *, real_status: int = 200) -> dict[str, Any]:
    """The SDK's invariants on ``error``; returns ``err.response.json()``."""
    assert isinstance(error, BackgroundResponseError), repr(error)
    assert error.status_code == error.response.status_code
    assert error.response.text  # read: no ResponseNotRead
    body: dict[str, Any] = error.response.json()
    assert body["id"] == rid and body["status"] == error.status
    real = error.http_response
    assert real.status_code == real_status
    assert error.response.request.url == real.request.url
    assert error.request_id == error.response.headers.get("x-request-id") == real.headers.get("x-request-id")
    assert error.response.headers["content-type"].startswith("application/json")
    if SDK_STRIPS_CREDENTIALS:
        for answer in (error.response, real):
            assert CANARY_KEY not in str(answer.request.headers.get("authorization", ""))
    return body


TYPED = [
    ("server_error", openai.InternalServerError, 500),
    ("rate_limit_exceeded", openai.RateLimitError, 429),
    ("invalid_prompt", openai.BadRequestError, 400),
    ("image_file_not_found", openai.NotFoundError, 404),
    ("data_residency_mismatch", openai.PermissionDeniedError, 403),
]


@pytest.mark.parametrize(("code", "family", "status_code"), TYPED)
def test_poll_errors_have_the_sdk_invariants(harness: Harness, code: str, family: type, status_code: int) -> None:
    harness.api.gets = [state("in_progress"), failed(code, "it broke")]
    with pytest.raises(family) as caught:
        harness.run("poll", "resp_1")
    body = assert_invariants(caught.value, "resp_1")
    assert caught.value.status_code == status_code
    assert body["error"] == {"code": code, "message": "it broke", "param": None, "type": None}
    # the SDK's own reading of an error answer: code and message from the body
    assert caught.value.body == body["error"]


@pytest.mark.parametrize(
    "answer",
    [
        state("incomplete", incomplete_details={"reason": "max_output_tokens"}),
        state("cancelled"),
        state("paused"),  # a status this package does not know
        failed("a_code_nobody_knows"),
        state("failed", error=None),
    ],
    ids=["incomplete", "cancelled", "unknown-status", "unknown-code", "error-null"],
)
def test_untyped_classes_keep_the_real_status_and_a_readable_body(harness: Harness, answer: Answer) -> None:
    harness.api.gets = [answer]
    with pytest.raises(BackgroundResponseError) as caught:
        harness.run("poll", "resp_1")
    assert_invariants(caught.value, "resp_1")
    assert caught.value.status_code == 200


def test_an_unreadable_answer_keeps_its_bytes_readable(harness: Harness) -> None:
    harness.api.gets = [Answer(raw=b"<html>bad gateway</html>")]
    with pytest.raises(ResponseMalformedError) as caught:
        harness.run("poll", "resp_1", max_poll_failures=1)
    error = caught.value
    assert error.status_code == error.response.status_code == error.http_response.status_code == 200
    assert error.response.text == "<html>bad gateway</html>"
    assert error.response.headers["content-type"] == "text/html"
    assert error.response_id == "resp_1"


def test_the_real_answers_body_is_kept_as_sent(harness: Harness) -> None:
    """A poll's body is the one given as ``err.response``'s, not a re-serialisation of the parsed model."""
    harness.api.gets = [failed("server_error", "boom")]
    with pytest.raises(openai.InternalServerError) as caught:
        harness.run("poll", "resp_1")
    error: Any = caught.value
    assert error.response.content == error.http_response.content


# -- every path, on the loopback fake server --------------------------------------------------------------


def _failing(server: FakeResponsesServer, code: str = "server_error") -> str:
    return server.add_job(JobScript.failed(code, message="boom", polls=1, poll_after_ms=5))


def _raises(run: Callable[..., Any], body: Callable[[Any], Any], **client_kwargs: Any) -> Any:
    with pytest.raises(openai.InternalServerError) as caught:
        run(body, **client_kwargs)
    return caught.value


async def _drain(client: Any, opened: Any) -> None:
    if isinstance(client, openai.AsyncOpenAI):
        async with opened as stream:
            async for _ in stream:
                pass
    else:
        with opened as stream:
            for _ in stream:
                pass


@pytest.mark.parametrize("wait", ["poll", "stream"])
def test_poll_and_create_and_poll_on_a_real_socket(
    run: Callable[..., Any], server: FakeResponsesServer, wait: str
) -> None:
    rid = _failing(server)
    error = _raises(run, lambda client: maybe(client.responses.poll(rid, wait=wait, poll_interval_ms=5)))
    assert_invariants(error, rid)

    server.queue_create(JobScript.failed("server_error", message="boom", polls=1, poll_after_ms=5))
    error = _raises(run, lambda c: maybe(c.responses.create_and_poll(model="m", input="x", wait=wait)))
    assert error.response.json()["error"]["message"] == "boom"
    assert_invariants(error, error.response_id)


def test_streams_carry_a_read_answer_and_the_stream_at_http_response(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    rid = _failing(server)
    error = _raises(run, lambda client: _drain(client, client.responses.stream_background(rid)))
    assert_invariants(error, rid)
    assert "text/event-stream" in error.http_response.headers["content-type"]

    server.queue_create(JobScript.failed("server_error", message="boom"))
    error = _raises(run, lambda c: _drain(c, c.responses.create_and_stream(model="m", input="x")))
    assert error.response.json()["error"]["code"] == "server_error"
    assert_invariants(error, error.response_id)


def test_the_mode_streams_too(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("server_error", message="boom"))

    async def body(client: Any) -> Any:
        opened = await maybe(client.responses.create(model="m", input="x", background=True, stream=True))
        await _drain(client, opened)

    error = _raises(run, body, background_mode="wait")
    assert_invariants(error, error.response_id)


@pytest.mark.parametrize("how", ["plain", "with_raw_response", "with_streaming_response"])
def test_the_wait_mode_and_its_wrappers(run: Callable[..., Any], server: FakeResponsesServer, how: str) -> None:
    server.queue_create(JobScript.failed("server_error", message="boom", polls=1, poll_after_ms=5))

    async def body(client: Any) -> Any:
        params = {"model": "m", "input": "x", "background": True}
        if how == "plain":
            return await maybe(client.responses.create(**params))
        if how == "with_raw_response":
            return (await maybe(client.responses.with_raw_response.create(**params))).parse()
        wrapper = client.responses.with_streaming_response.create(**params)
        if isinstance(client, openai.AsyncOpenAI):
            async with wrapper as answer:
                return await answer.parse()
        with wrapper as answer:
            return answer.parse()

    error = _raises(run, body, background_mode="wait")
    assert_invariants(error, error.response_id)


@pytest.mark.parametrize("how", ["plain", "with_raw_response", "with_streaming_response"])
def test_strict_retrieve_and_its_wrappers(run: Callable[..., Any], server: FakeResponsesServer, how: str) -> None:
    rid = server.add_job(JobScript.failed("server_error", message="boom"))

    async def body(client: Any) -> Any:
        if how == "plain":
            return await maybe(client.responses.retrieve(rid))
        if how == "with_raw_response":
            return await maybe((await maybe(client.responses.with_raw_response.retrieve(rid))).parse())
        wrapper = client.responses.with_streaming_response.retrieve(rid)
        if isinstance(client, openai.AsyncOpenAI):
            async with wrapper as answer:
                return await answer.parse()
        with wrapper as answer:
            return answer.parse()

    assert_invariants(_raises(run, body, strict_retrieve=True), rid)


def test_raise_for_status_on_a_raw_answer_and_a_response(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.failed("server_error", message="boom"))

    async def raw(client: Any) -> Any:
        return raise_for_status(await maybe(client.responses.with_raw_response.retrieve(rid)))

    assert_invariants(_raises(run, raw), rid)

    async def streamed(client: Any) -> Any:
        wrapper = client.responses.with_streaming_response.retrieve(rid)
        if isinstance(client, openai.AsyncOpenAI):
            async with wrapper as answer:
                with pytest.raises(TypeError, match=r"raise_for_status\(await answer\.parse\(\)\)"):
                    raise_for_status(answer)  # its parse() is a coroutine: refused, saying what to pass
                return raise_for_status(await answer.parse())
        with wrapper as answer:
            return raise_for_status(answer)

    assert_invariants(_raises(run, streamed), rid)

    async def parsed(client: Any) -> Any:
        return raise_for_status(await maybe(client.responses.retrieve(rid)))

    error = _raises(run, parsed)  # no HTTP answer in hand: a stand-in 200 for the poll
    assert error.status_code == error.response.status_code == 500
    assert error.response.json()["error"]["message"] == "boom"
    assert error.http_response.status_code == 200


def test_raise_for_status_on_a_mapping() -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        raise_for_status({"id": "resp_m", "status": "failed", "error": {"code": "rate_limit_exceeded", "message": "m"}})
    error: Any = caught.value
    assert error.status_code == error.response.status_code == 429
    assert error.response.json()["error"]["code"] == "rate_limit_exceeded"


def test_poll_many_outcomes(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    ids = [_failing(server), _failing(server, "rate_limit_exceeded")]

    async def body(client: Any) -> Any:
        if isinstance(client, openai.AsyncOpenAI):
            async with client.responses.poll_many(ids, poll_interval_ms=5) as outcomes:
                return [outcome async for outcome in outcomes]
        return list(client.responses.poll_many(ids, poll_interval_ms=5))

    outcomes = run(body)
    assert sorted(outcome.response_id for outcome in outcomes) == sorted(ids)
    for outcome in outcomes:
        assert outcome.response_id == outcome.error.response_id
        assert_invariants(outcome.error, outcome.response_id)


@pytest.mark.parametrize("mode", MODES)
def test_an_unreadable_answer_over_a_socket_keeps_the_bytes_read(mode: str) -> None:
    answer = raw_answer(b"<html>bad gateway</html>", "text/html")
    with HostileServer(script([answer])) as server, pytest.raises(ResponseMalformedError) as caught:
        poll(mode, server, max_poll_failures=1)
    error: Any = caught.value
    assert error.status_code == error.response.status_code == error.http_response.status_code == 200
    assert error.response.text == "<html>bad gateway</html>" and error.response_id == "resp_1"
