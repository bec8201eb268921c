"""Background streams end to end: ``stream_background`` / ``create_and_stream`` on the loopback fake server,
with the SDK's real default transport, sync, under asyncio and under trio."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from _stream_run import ALL_EVENTS, MODES, RUNNING, Run, notes, numbers, requests_for, stream_of
from _target import (
    LOGGER_NAME,
    AsyncOpenAI,
    BackgroundResponseError,
    OpenAI,
    ResponseBadRequestError,
    ResponseCancelledError,
    ResponseFailedError,
    ResponseIncompleteError,
    ResponseMalformedError,
    ResponsePollTimeoutError,
    ResponseRateLimitError,
    ResponseServerError,
    internal,
)
from conftest import CANARY_KEY, FakeClock
from test_classes import SDK_CODES

from openai_background.testing import Answer, FakeResponsesServer, JobScript, StreamScript

FAILURE_CLASSES = internal("_errors.codes").FAILURE_CLASSES
RETRYABLE_CODES = internal("_errors.codes").RETRYABLE_CODES


@pytest.fixture(params=MODES)
def run(request: pytest.FixtureRequest, server: FakeResponsesServer, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Backoff after a drop starts at 10 ms instead of 500 ms, so resume tests take real but short time."""
    monkeypatch.setattr(internal("_waits.cadence"), "BACKOFF_INITIAL", 0.01)
    return Run(request.param, server)


# -- events --------------------------------------------------------------------------------------------------


def test_events_are_yielded_in_order_once_and_the_stream_ends_on_completion(
    run: Run, server: FakeResponsesServer
) -> None:
    rid = server.add_job(JobScript.completed(output_text="forty-two"))
    seen: list[Any] = []
    stream = run.read(stream_of(rid), seen)
    assert numbers(seen) == ALL_EVENTS
    assert [seen[0].type, seen[-1].type] == ["response.created", "response.completed"]
    assert "".join(e.delta for e in seen if e.type == "response.output_text.delta") == "forty-two"
    assert (stream.response_id, stream.last_sequence_number) == (rid, 10)
    assert stream.final_response.output_text == "forty-two"
    assert requests_for(server, rid) == ["stream"]


def test_starting_after_skips_the_events_already_seen(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed())
    seen: list[Any] = []
    run.read(stream_of(rid, starting_after=6), seen)
    assert numbers(seen) == [7, 8, 9, 10]
    assert requests_for(server, rid) == ["stream after 6"]


def test_create_and_stream_creates_in_the_background_and_names_the_response(
    run: Run, server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.completed(output_text="hi there"))
    seen: list[Any] = []
    stream = run.read(lambda client: client.responses.create_and_stream(model="gpt-fake", input="hi"), seen)
    job = server.jobs[-1]
    assert stream.response_id == job.id
    assert numbers(seen) == ALL_EVENTS
    assert job.create_body["background"] is True and job.create_body["stream"] is True
    assert stream.final_response.output_text == "hi there"


# -- endings: the same classes as poll -----------------------------------------------------------------------

ENDINGS = [
    pytest.param(JobScript.failed("server_error"), ResponseServerError, "response.failed", id="server_error"),
    pytest.param(JobScript.failed("rate_limit_exceeded"), ResponseRateLimitError, "response.failed", id="rate_limit"),
    pytest.param(JobScript.failed("invalid_prompt"), ResponseBadRequestError, "response.failed", id="invalid_prompt"),
    pytest.param(JobScript.failed("brand_new_code"), ResponseFailedError, "response.failed", id="unknown_code"),
    pytest.param(
        JobScript.incomplete("max_output_tokens"), ResponseIncompleteError, "response.incomplete", id="incomplete"
    ),
    pytest.param(JobScript.cancelled(), ResponseCancelledError, "response.in_progress", id="cancelled"),
]


@pytest.mark.parametrize(("script", "expected", "last_event"), ENDINGS)
def test_each_ending_raises_what_poll_raises_after_yielding_the_last_event(
    run: Run, server: FakeResponsesServer, script: JobScript, expected: type, last_event: str
) -> None:
    rid = server.add_job(script)
    seen: list[Any] = []
    with pytest.raises(BackgroundResponseError) as streamed:
        run.read(stream_of(rid), seen)
    with pytest.raises(BackgroundResponseError) as polled:
        run.call(lambda client: client.responses.poll(server.add_job(script)))
    error, reference = streamed.value, polled.value
    assert type(error) is type(reference) is expected
    assert (error.response_id, error.status, error.retryable) == (rid, reference.status, reference.retryable)
    assert getattr(error, "code", None) == getattr(reference, "code", None)
    assert getattr(error, "reason", None) == getattr(reference, "reason", None)
    assert error.final_response.status == error.status
    assert seen[-1].type == last_event
    # The SDK's invariants, as on an HTTP error: a read answer (the stream's body is never kept), same status.
    assert error.response.status_code == error.status_code
    assert error.response.json()["id"] == rid and error.response.json()["status"] == error.status
    assert rid in error.response.text


def test_a_cancelled_stream_is_settled_by_one_get(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.cancelled())
    with pytest.raises(ResponseCancelledError):
        run.read(stream_of(rid))
    assert requests_for(server, rid) == ["stream", "poll"]


@pytest.mark.parametrize("script", [JobScript.failed("server_error"), JobScript.cancelled()])
def test_an_ending_left_out_of_raise_on_just_ends_the_stream(
    run: Run, server: FakeResponsesServer, script: JobScript
) -> None:
    stream = run.read(stream_of(server.add_job(script), raise_on=()))
    assert stream.final_response.status in ("failed", "cancelled")


# -- SSE error events ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", SDK_CODES)
def test_an_error_event_is_raised_as_the_class_of_its_code(run: Run, server: FakeResponsesServer, code: str) -> None:
    rid = server.add_job(JobScript.completed(output_text="").with_stream(StreamScript.failing(code, message="bad")))
    seen: list[Any] = []
    with pytest.raises(BackgroundResponseError) as caught:
        run.read(stream_of(rid), seen)
    error = caught.value
    assert type(error) is FAILURE_CLASSES[code]
    assert (error.code, error.message, error.response_id, error.status) == (code, "bad", rid, "failed")
    assert error.retryable is (code in RETRYABLE_CODES)
    assert error.final_response is None  # no response came with the event
    assert error.response.status_code == error.status_code and error.request_id.startswith("req_fake_")
    assert error.http_response.status_code == 200
    assert error.response.json()["error"]["code"] == code  # read: the stream's own body is never kept
    assert seen[-1].type == "error" and seen[-1].code == code  # yielded, then raised


@pytest.mark.parametrize(
    ("code", "expected"), [("server_error", ResponseServerError), ("mystery", ResponseFailedError)]
)
def test_an_error_event_the_sdk_raises_itself_is_mapped_the_same_way(
    run: Run, server: FakeResponsesServer, code: str, expected: type
) -> None:
    """For ``data: {"type": "error", "error": {...}}`` the SDK's stream raises a bare ``openai.APIError``."""
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.failing(code, nested=True)))
    with pytest.raises(BackgroundResponseError) as caught:
        run.read(stream_of(rid))
    assert type(caught.value) is expected
    assert (caught.value.code, caught.value.response_id) == (code, rid)


def test_an_error_event_left_out_of_raise_on_ends_the_stream(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.failing("server_error")))
    seen: list[Any] = []
    stream = run.read(stream_of(rid, raise_on=("incomplete",)), seen)
    assert seen[-1].type == "error" and stream.final_response is None


# -- drops and resumes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("end_cleanly", [False, True], ids=["broken", "ended"])
def test_a_dropped_stream_resumes_without_duplicates_or_losses(
    run: Run, server: FakeResponsesServer, end_cleanly: bool
) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.dropping(3, 2, 4, end_cleanly=end_cleanly)))
    seen: list[Any] = []
    run.read(stream_of(rid), seen)
    assert numbers(seen) == ALL_EVENTS
    resumes = ["stream", "stream after 2", "stream after 4", "stream after 8"]
    if end_cleanly:  # a body that ends without a terminal event is checked first: the job already completed
        resumes = ["stream", "poll", "stream after 2", "poll", "stream after 4", "poll", "stream after 8"]
    assert requests_for(server, rid) == resumes


def test_a_replaying_server_never_yields_an_event_twice(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript(drops=(5, 7), replay=True)))
    seen: list[Any] = []
    run.read(stream_of(rid), seen)
    assert numbers(seen) == ALL_EVENTS


def test_the_failure_budget_bounds_the_resumes(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.dropping(2, *[0] * 10)))
    seen: list[Any] = []
    with pytest.raises(openai.APIConnectionError) as caught:
        run.read(stream_of(rid, max_poll_failures=3), seen)
    assert numbers(seen) == [0, 1]
    assert requests_for(server, rid) == ["stream", "stream after 1", "stream after 1"]
    assert caught.value.response_id == rid  # type: ignore[attr-defined]
    assert f"client.responses.stream_background('{rid}', starting_after=1)" in notes(caught.value)


def test_events_between_drops_reset_the_failure_budget(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.dropping(2, 2, 2, 2)))
    seen: list[Any] = []
    run.read(stream_of(rid, max_poll_failures=2), seen)
    assert numbers(seen) == ALL_EVENTS


def test_a_stream_that_keeps_ending_early_is_malformed_once_the_budget_is_spent(
    run: Run, server: FakeResponsesServer
) -> None:
    script = JobScript.of(Answer.state("in_progress")).with_stream(StreamScript.dropping(0, 0, 0, end_cleanly=True))
    rid = server.add_job(script)
    with pytest.raises(ResponseMalformedError, match="ended 3 times in a row"):
        run.read(stream_of(rid, max_poll_failures=3))
    assert requests_for(server, rid) == ["stream", "poll"] * 3


def test_the_deadline_bounds_the_resumes(run: Run, server: FakeResponsesServer) -> None:
    run.clock = FakeClock()
    rid = server.add_job(RUNNING.with_stream(StreamScript.dropping(2, *[0] * 50)))
    with pytest.raises(ResponsePollTimeoutError) as caught:
        run.read(stream_of(rid, max_wait_seconds=0.1, max_poll_failures=100))
    assert caught.value.response_id == rid and caught.value.last_status == "in_progress"
    assert sum(run.clock.sleeps) == pytest.approx(0.1)  # never sleeps past the deadline
    assert 2 <= requests_for(server, rid).count("stream after 1") < 20


def test_a_silent_stream_times_out_at_the_deadline_and_can_cancel(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(RUNNING)
    with pytest.raises(ResponsePollTimeoutError) as caught:
        run.read(stream_of(rid, max_wait_seconds=0.3, cancel_on_timeout=True))
    assert caught.value.last_status == "in_progress"
    assert server.job(rid).cancel_requests == 1


# -- arguments and secrecy -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda c: c.responses.stream_background(""),
        lambda c: c.responses.stream_background("resp_1", starting_after=-1),
        lambda c: c.responses.stream_background("resp_1", max_wait_seconds=float("nan")),
        lambda c: c.responses.stream_background("resp_1", raise_on="failed"),
        lambda c: c.responses.create_and_stream(model="m", input="hi", stream=True),
        lambda c: c.responses.create_and_stream(model="m", input="hi", background=False),
    ],
)
@pytest.mark.parametrize("client_class", [OpenAI, AsyncOpenAI], ids=["sync", "async"])
def test_bad_arguments_raise_value_error_at_the_call(client_class: Any, make: Callable[[Any], Any]) -> None:
    """Not at the first event: the methods are plain calls (also on the async client) that send nothing."""
    with pytest.raises(ValueError):
        make(client_class(api_key=CANARY_KEY, base_url="http://127.0.0.1:9/v1"))


def test_the_api_key_never_appears_in_a_stream_error(run: Run, server: FakeResponsesServer) -> None:
    dropping = server.add_job(JobScript.completed().with_stream(StreamScript.dropping(*[0] * 5)))
    erroring = server.add_job(JobScript.completed().with_stream(StreamScript.failing("server_error")))
    cases = [
        (stream_of(dropping, max_poll_failures=2), openai.APIConnectionError),
        (stream_of(server.add_job(JobScript.failed("server_error"))), ResponseServerError),
        (stream_of(erroring), ResponseServerError),
        (stream_of(server.add_job(RUNNING), max_wait_seconds=0.05), ResponsePollTimeoutError),
    ]
    for opener, expected in cases:
        with pytest.raises(expected) as caught:
            run.read(opener)
        assert CANARY_KEY not in notes(caught.value) and CANARY_KEY not in repr(caught.value)


def test_leaving_a_stream_early_closes_it_and_sends_nothing_more(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript(interval=0.02)))
    if run.mode == "sync":

        def use(client: Any) -> Any:
            with client.responses.stream_background(rid) as stream:
                return [next(stream), next(stream)], stream
    else:

        async def use(client: Any) -> Any:
            async with client.responses.stream_background(rid) as stream:
                return [await stream.__anext__(), await stream.__anext__()], stream

    seen, stream = run.call(use)
    assert numbers(seen) == [0, 1] and stream.last_sequence_number == 1 and stream.final_response is None
    assert requests_for(server, rid) == ["stream"]


def test_stream_logs_name_the_job_and_never_the_key(
    run: Run, server: FakeResponsesServer, caplog: pytest.LogCaptureFixture
) -> None:
    rid = server.add_job(JobScript.failed("server_error").with_stream(StreamScript.dropping(1)))
    with caplog.at_level("DEBUG"), pytest.raises(ResponseServerError):
        run.read(stream_of(rid))
    ours = [record.getMessage() for record in caplog.records if record.name == LOGGER_NAME]
    assert any(rid in message and "dropped" in message for message in ours)
    assert all(CANARY_KEY not in record.getMessage() for record in caplog.records)
