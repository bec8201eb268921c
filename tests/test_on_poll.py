"""``on_poll``: progress as data. One ``PollEvent`` per answer read, sync, asyncio and trio."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from _target import ResponsePollTimeoutError, ResponseServerError, internal
from conftest import Answer, Harness, failed, state

PollEvent: Any = internal("_waits.events").PollEvent


def test_every_poll_reports_status_count_and_next_delay(harness: Harness) -> None:
    harness.api.gets = [state("queued", hint_ms=250), state("in_progress", hint_ms=400), state("completed")]
    events: list[Any] = []
    harness.run("poll", "resp_1", on_poll=events.append)
    assert [(e.response_id, e.status, e.polls, e.failures_in_a_row) for e in events] == [
        ("resp_1", "queued", 1, 0),
        ("resp_1", "in_progress", 2, 0),
        ("resp_1", "completed", 3, 0),
    ]
    assert [e.next_delay for e in events] == [0.25, 0.4, None]
    assert [e.done for e in events] == [False, False, True]
    assert events[-1].response.status == "completed"
    assert all(isinstance(e, PollEvent) and e.error is None for e in events)


def test_a_failed_poll_reports_no_status_and_counts_failures(harness: Harness) -> None:
    harness.api.gets = [Answer(503, {"error": {"message": "busy"}}), state("completed")]
    events: list[Any] = []
    harness.run("poll", "resp_1", on_poll=events.append, max_poll_failures=3)
    first, last = events
    assert first.status is None and first.response is None
    assert first.failures_in_a_row == 1 and first.polls == 1
    assert isinstance(first.error, openai.APIStatusError)
    assert first.next_delay is not None and first.next_delay > 0
    assert (last.status, last.failures_in_a_row, last.polls, last.next_delay) == ("completed", 0, 2, None)


def test_the_failure_that_ends_the_wait_is_reported_as_done(harness: Harness) -> None:
    harness.api.gets = [Answer(404, {"error": {"message": "no such response"}})]
    events: list[Any] = []
    with pytest.raises(openai.NotFoundError):
        harness.run("poll", "resp_1", on_poll=events.append)
    (only,) = events
    assert only.done and only.status is None and isinstance(only.error, openai.NotFoundError)


def test_a_terminal_failure_is_reported_before_it_raises(harness: Harness) -> None:
    harness.api.gets = [failed("server_error")]
    events: list[Any] = []
    with pytest.raises(ResponseServerError):
        harness.run("poll", "resp_1", on_poll=events.append)
    assert [(e.status, e.done) for e in events] == [("failed", True)]


def test_the_deadline_is_reported_as_the_end_of_the_wait(harness: Harness) -> None:
    harness.api.gets = [state("in_progress", hint_ms=1000)] * 5
    events: list[Any] = []
    with pytest.raises(ResponsePollTimeoutError):
        harness.run("poll", "resp_1", on_poll=events.append, max_wait_seconds=1.5)
    assert events[-1].done and events[-1].status == "in_progress"
    assert all(not e.done for e in events[:-1])


def test_create_and_poll_reports_the_create_answer_as_the_first_poll(harness: Harness) -> None:
    harness.api.create = state("queued", hint_ms=10)
    harness.api.gets = [state("completed")]
    events: list[Any] = []
    harness.run("create_and_poll", model="gpt-4.1", input="hi", on_poll=events.append)
    assert [(e.status, e.polls) for e in events] == [("queued", 1), ("completed", 2)]


def test_an_observer_that_raises_ends_the_wait_naming_the_response(harness: Harness) -> None:
    harness.api.gets = [state("queued"), state("completed")]

    def broken(event: Any) -> None:
        raise OSError("journal disk full")

    with pytest.raises(OSError, match="journal disk full") as caught:
        harness.run("poll", "resp_1", on_poll=broken)
    assert caught.value.response_id == "resp_1"  # type: ignore[attr-defined]
    assert len(harness.api.polls) == 1


def test_on_poll_must_be_callable(harness: Harness) -> None:
    with pytest.raises(ValueError, match="on_poll"):
        harness.run("poll", "resp_1", on_poll="print")
