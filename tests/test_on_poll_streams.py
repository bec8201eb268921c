"""``on_poll`` on the stream waits (``poll``/``create_and_poll`` with ``wait="stream"``): one ``PollEvent`` for
the terminal event, one per failed or ended connection, one per poll after a refused stream. Loopback fake
server, sync, asyncio and trio."""

from __future__ import annotations

from typing import Any

import pytest
from _stream_run import MODES, RUNNING, Run, requests_for
from _target import ResponsePollTimeoutError, ResponseServerError, internal

from openai_background.testing import Answer, FakeResponsesServer, JobScript, StreamScript


@pytest.fixture(params=MODES)
def run(request: pytest.FixtureRequest, server: FakeResponsesServer, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setattr(internal("_waits.cadence"), "BACKOFF_INITIAL", 0.01)
    return Run(request.param, server)


def waiting(rid: str, events: list[Any], **kwargs: Any) -> Any:
    return lambda client: client.responses.poll(rid, wait="stream", on_poll=events.append, **kwargs)


def summary(events: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (e.status, e.polls, e.failures_in_a_row, e.done, type(e.error).__name__ if e.error else None) for e in events
    ]


def test_the_terminal_event_is_the_one_event_of_an_unbroken_stream(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(output_text="streamed", polls=3))
    events: list[Any] = []

    response = run.call(waiting(rid, events))

    assert summary(events) == [("completed", 1, 0, True, None)]
    assert events[0].response_id == rid and events[0].response.output_text == "streamed" == response.output_text
    assert requests_for(server, rid) == ["stream"]


def test_each_dropped_connection_is_reported_with_its_error_and_the_resume_delay(
    run: Run, server: FakeResponsesServer
) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.dropping(3, 5)))
    events: list[Any] = []

    run.call(waiting(rid, events))

    assert [e[:4] for e in summary(events)] == [(None, 1, 1, False), (None, 2, 1, False), ("completed", 3, 0, True)]
    assert all(e.error is not None and e.next_delay is not None and e.next_delay >= 0 for e in events[:2])
    assert requests_for(server, rid) == ["stream", "stream after 2", "stream after 7"]


def test_a_refused_stream_is_reported_then_each_fallback_poll(run: Run, server: FakeResponsesServer) -> None:
    script = JobScript.completed(polls=2, poll_after_ms=5).with_stream(StreamScript.refused(Answer.http_error(405)))
    rid = server.add_job(script)
    events: list[Any] = []

    run.call(waiting(rid, events))

    assert summary(events)[0] == (None, 1, 1, False, "APIStatusError")
    assert events[0].next_delay == 0.0  # polling starts at once
    assert [(e.status, e.done) for e in events[1:]] == [
        ("in_progress", False),
        ("in_progress", False),
        ("completed", True),
    ]
    assert requests_for(server, rid) == ["stream", "poll", "poll", "poll"]


def test_a_failed_ending_is_reported_before_it_raises(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.failed("server_error"))
    events: list[Any] = []

    with pytest.raises(ResponseServerError):
        run.call(waiting(rid, events))

    assert summary(events) == [("failed", 1, 0, True, None)]


def test_an_error_event_is_reported_as_a_failure_that_ends_the_wait(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.failed("server_error").with_stream(StreamScript.failing("server_error")))
    events: list[Any] = []

    with pytest.raises(ResponseServerError):
        run.call(waiting(rid, events))

    assert summary(events) == [("failed", 1, 0, True, "ResponseServerError")]


def test_the_deadline_is_reported_as_the_end_of_a_silent_stream(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(RUNNING)
    events: list[Any] = []

    with pytest.raises(ResponsePollTimeoutError):
        run.call(waiting(rid, events, max_wait_seconds=0.3))

    assert events and events[-1].done and events[-1].error is None


def test_create_and_poll_with_wait_stream_reports_too(run: Run, server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(output_text="made", polls=1))
    events: list[Any] = []

    run.call(
        lambda client: client.responses.create_and_poll(model="m", input="x", wait="stream", on_poll=events.append)
    )

    assert events[-1].status == "completed" and events[-1].done
    assert events[-1].response_id.startswith("resp_") and events[-1].polls == len(events)


def test_an_observer_that_raises_ends_a_stream_wait_naming_the_response(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed())

    def broken(event: Any) -> None:
        raise OSError("journal disk full")

    with pytest.raises(OSError, match="journal disk full") as caught:
        run.call(lambda client: client.responses.poll(rid, wait="stream", on_poll=broken))

    assert caught.value.response_id == rid  # type: ignore[attr-defined]


def creating(events: list[Any], **kwargs: Any) -> Any:
    return lambda client: client.responses.create_and_poll(
        model="m", input="x", wait="stream", on_poll=events.append, **kwargs
    )


def test_the_create_answer_is_the_first_event_of_a_stream_wait(run: Run, server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(output_text="made", polls=1))
    events: list[Any] = []

    response = run.call(creating(events))

    assert summary(events) == [("queued", 1, 0, False, None), ("completed", 2, 0, True, None)]
    assert events[0].next_delay == 0.0  # the stream is opened at once
    assert events[0].response.id == response.id == events[0].response_id == events[1].response_id
    assert requests_for(server, response.id) == ["stream"]


def test_a_deadline_passed_at_the_create_answer_reports_it_once(run: Run, server: FakeResponsesServer) -> None:
    server.queue_create(RUNNING)
    events: list[Any] = []

    with pytest.raises(ResponsePollTimeoutError) as caught:
        run.call(creating(events, max_wait_seconds=0))

    assert summary(events) == [("queued", 1, 0, True, None)]  # as create_and_poll reports it: one last event
    assert caught.value.last_status == "queued" and events[0].response is caught.value.last_response


def test_the_polls_after_a_refused_stream_are_numbered_after_its_report(run: Run, server: FakeResponsesServer) -> None:
    script = JobScript.completed(polls=1, poll_after_ms=5).with_stream(StreamScript.refused(Answer.http_error(405)))
    rid = server.add_job(script)
    events: list[Any] = []

    run.call(waiting(rid, events))

    assert [(e.status, e.polls, e.done) for e in events] == [
        (None, 1, False),
        ("in_progress", 2, False),
        ("completed", 3, True),
    ]


def test_a_created_job_whose_stream_is_refused_numbers_every_answer_in_order(
    run: Run, server: FakeResponsesServer
) -> None:
    script = JobScript.completed(polls=1, poll_after_ms=5).with_stream(StreamScript.refused(Answer.http_error(405)))
    server.queue_create(script)
    events: list[Any] = []

    response = run.call(creating(events))

    assert [(e.status, e.polls, e.done) for e in events] == [
        ("queued", 1, False),
        (None, 2, False),
        ("in_progress", 3, False),
        ("completed", 4, True),
    ]
    assert requests_for(server, response.id) == ["stream", "poll", "poll"]


def test_the_polls_after_an_error_event_left_out_of_raise_on_are_numbered_after_it(
    run: Run, server: FakeResponsesServer
) -> None:
    rid = server.add_job(JobScript.failed("server_error").with_stream(StreamScript.failing("server_error")))
    events: list[Any] = []

    response = run.call(waiting(rid, events, raise_on=("incomplete",)))

    assert response.status == "failed"
    assert [(e.status, e.polls, e.done) for e in events] == [("failed", 1, False), ("failed", 2, True)]
