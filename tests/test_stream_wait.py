"""``poll(..., wait="stream")``: the outcomes of ``poll``, read from the response's event stream with one
request (plus one per drop), and polling instead when the stream is refused. Loopback fake server, the SDK's
real default transport, sync, under asyncio and under trio."""

from __future__ import annotations

from typing import Any

import anyio
import openai
import pytest
from _stream_run import MODES, RUNNING, Run, requests_for
from _target import (
    AsyncOpenAI,
    BackgroundResponseError,
    OpenAI,
    ResponseCancelledError,
    ResponseIncompleteError,
    ResponsePollTimeoutError,
    ResponseServerError,
    internal,
)
from conftest import CANARY_KEY

from openai_background.testing import Answer, FakeResponsesServer, JobScript, StreamScript


@pytest.fixture(params=MODES)
def run(request: pytest.FixtureRequest, server: FakeResponsesServer, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setattr(internal("_waits.cadence"), "BACKOFF_INITIAL", 0.01)
    return Run(request.param, server)


def poll(rid: str, **kwargs: Any) -> Any:
    return lambda client: client.responses.poll(rid, wait="stream", **kwargs)


def test_a_completed_response_is_returned_after_exactly_one_request(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(output_text="forty-two", polls=5, poll_after_ms=1000))
    response = run.call(poll(rid))
    assert (response.id, response.status, response.output_text) == (rid, "completed", "forty-two")
    assert requests_for(server, rid) == ["stream"]  # polling would have taken six, and five seconds


@pytest.mark.parametrize(
    ("script", "expected", "requests"),
    [
        (JobScript.failed("server_error"), ResponseServerError, ["stream"]),
        (JobScript.incomplete("max_output_tokens"), ResponseIncompleteError, ["stream"]),
        (JobScript.cancelled(), ResponseCancelledError, ["stream", "poll"]),
    ],
    ids=["failed", "incomplete", "cancelled"],
)
def test_endings_raise_what_poll_raises(
    run: Run, server: FakeResponsesServer, script: JobScript, expected: type, requests: list[str]
) -> None:
    rid = server.add_job(script)
    with pytest.raises(BackgroundResponseError) as streamed:
        run.call(poll(rid))
    with pytest.raises(BackgroundResponseError) as polled:
        run.call(lambda client: client.responses.poll(server.add_job(script)))
    assert type(streamed.value) is type(polled.value) is expected
    assert streamed.value.response_id == rid
    assert requests_for(server, rid) == requests


def test_an_ending_left_out_of_raise_on_is_returned(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.incomplete("content_filter"))
    assert run.call(poll(rid, raise_on=("failed",))).status == "incomplete"


@pytest.mark.parametrize(
    "refusal",
    [
        Answer.http_error(400, body={"error": {"message": "This response can no longer be streamed"}}),
        Answer.http_error(404),
        Answer.http_error(405),
        Answer.http_error(501),
        Answer.json({"id": "resp_x", "object": "response", "status": "in_progress"}),
        Answer.raw(b"<html>no streams here</html>"),
    ],
    ids=["400", "404", "405", "501", "json", "html"],
)
def test_a_refused_stream_falls_back_to_polling(run: Run, server: FakeResponsesServer, refusal: Answer) -> None:
    rid = server.add_job(JobScript.completed(polls=2, poll_after_ms=5).with_stream(StreamScript.refused(refusal)))
    assert run.call(poll(rid)).status == "completed"
    assert requests_for(server, rid) == ["stream", "poll", "poll", "poll"]


def test_polling_after_a_refusal_keeps_the_deadline(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(RUNNING.with_stream(StreamScript.refused(Answer.http_error(400))))
    with pytest.raises(ResponsePollTimeoutError) as caught:
        run.call(poll(rid, max_wait_seconds=0.2, poll_interval_ms=20))
    assert caught.value.response_id == rid and caught.value.last_status == "in_progress"
    assert requests_for(server, rid)[0] == "stream" and 3 < len(requests_for(server, rid)) < 20


def test_a_stream_not_worth_repeating_raises_with_the_id(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.refused(Answer.http_error(401))))
    with pytest.raises(openai.AuthenticationError) as caught:
        run.call(poll(rid))
    assert caught.value.response_id == rid  # type: ignore[attr-defined]
    assert requests_for(server, rid) == ["stream"]


def test_dropped_streams_are_resumed(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.dropping(3, 5)))
    assert run.call(poll(rid)).status == "completed"
    assert requests_for(server, rid) == ["stream", "stream after 2", "stream after 7"]


def test_an_error_event_left_out_of_raise_on_is_settled_by_polling(run: Run, server: FakeResponsesServer) -> None:
    """An ``error`` event carries no response to return: one poll fetches it."""
    rid = server.add_job(JobScript.failed("server_error").with_stream(StreamScript.failing("server_error")))
    response = run.call(poll(rid, raise_on=("incomplete",)))
    assert response.status == "failed" and response.error.code == "server_error"
    assert requests_for(server, rid) == ["stream", "poll"]


def test_a_silent_stream_times_out_at_the_deadline(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(RUNNING)
    with pytest.raises(ResponsePollTimeoutError) as caught:
        run.call(poll(rid, max_wait_seconds=0.3, cancel_on_timeout=True))
    assert caught.value.last_status == "in_progress"
    assert server.job(rid).cancel_requests == 1


@pytest.mark.parametrize("wait", ["poll", "stream"])
def test_create_and_poll_waits_either_way(run: Run, server: FakeResponsesServer, wait: str) -> None:
    server.queue_create(JobScript.completed(output_text="made", polls=1, poll_after_ms=5))
    response = run.call(
        lambda client: client.responses.create_and_poll(model="gpt-fake", input="hi", wait=wait, poll_interval_ms=5)
    )
    assert response.output_text == "made"
    assert requests_for(server, response.id) == (["stream"] if wait == "stream" else ["poll", "poll"])


def test_create_and_poll_dispatches_a_terminal_create_answer_without_streaming(
    run: Run, server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.failed("server_error").terminal_on_create())
    with pytest.raises(ResponseServerError) as caught:
        run.call(lambda client: client.responses.create_and_poll(model="gpt-fake", input="hi", wait="stream"))
    assert requests_for(server, caught.value.response_id) == []


@pytest.mark.parametrize("method", ["poll", "create_and_poll"])
def test_an_unknown_wait_is_a_value_error_before_any_request(method: str) -> None:
    args: dict[str, Any] = {"response_id": "resp_1"} if method == "poll" else {"model": "m", "input": "hi"}
    unreachable = {"api_key": CANARY_KEY, "base_url": "http://127.0.0.1:9/v1", "max_retries": 0}
    with OpenAI(**unreachable) as client, pytest.raises(ValueError, match="wait must be"):
        getattr(client.responses, method)(wait="sse", **args)

    async def main() -> None:
        async with AsyncOpenAI(**unreachable) as client:
            await getattr(client.responses, method)(wait="sse", **args)

    with pytest.raises(ValueError, match="wait must be"):
        anyio.run(main)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("cancel_on_interrupt", [False, True])
def test_a_cancelled_task_stops_the_stream_and_may_cancel_the_job(
    server: FakeResponsesServer, backend: str, cancel_on_interrupt: bool
) -> None:
    rid = server.add_job(RUNNING)

    async def main() -> bool:
        async with AsyncOpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0) as client:
            with anyio.move_on_after(0.2) as scope:
                await client.responses.poll(rid, wait="stream", cancel_on_interrupt=cancel_on_interrupt)
            return scope.cancelled_caught

    assert anyio.run(main, backend=backend)
    assert server.job(rid).cancel_requests == (1 if cancel_on_interrupt else 0)
