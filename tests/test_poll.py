"""``responses.poll`` / ``create_and_poll``: outcomes, cadence, deadline, headers (sync, asyncio, trio)."""

from __future__ import annotations

import json
import math

import openai
import pytest
from _target import (
    BackgroundResponseError,
    ResponseCancelledError,
    ResponseIncompleteError,
    ResponsePollTimeoutError,
    ResponseRateLimitError,
    ResponseServerError,
)
from conftest import Answer, Harness, failed, state


def test_poll_returns_the_completed_response(harness: Harness) -> None:
    harness.api.gets = [state("in_progress"), state("completed", output=[])]
    result = harness.run("poll", "resp_1")
    assert result.id == "resp_1"
    assert result.status == "completed"
    assert len(harness.api.polls) == 2


def test_first_poll_is_immediate(harness: Harness) -> None:
    harness.api.gets = [state("completed")]
    harness.run("poll", "resp_1")
    assert harness.clock.sleeps == []


def test_server_error_raises_internal_server_error_with_id_and_request_id(harness: Harness) -> None:
    harness.api.gets = [state("queued"), failed("server_error", "The server had an error")]
    with pytest.raises(openai.InternalServerError) as caught:
        harness.run("poll", "resp_1")
    error = caught.value
    assert isinstance(error, ResponseServerError)
    assert error.response_id == "resp_1"
    assert error.request_id == "req_2"
    assert error.code == "server_error"
    assert error.retryable is True
    assert str(error) == "Background response resp_1 failed: server_error: The server had an error"


def test_rate_limit_raises_rate_limit_error(harness: Harness) -> None:
    harness.api.gets = [failed("rate_limit_exceeded")]
    with pytest.raises(openai.RateLimitError) as caught:
        harness.run("poll", "resp_1")
    assert isinstance(caught.value, ResponseRateLimitError)
    assert caught.value.status_code == 429
    assert caught.value.response.status_code == 429  # as the SDK's own: err.status_code == err.response.status_code
    assert caught.value.http_response.status_code == 200  # the poll's real answer


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (state("incomplete", incomplete_details={"reason": "max_output_tokens"}), ResponseIncompleteError),
        (state("cancelled"), ResponseCancelledError),
        (failed("invalid_prompt"), openai.BadRequestError),
    ],
)
def test_every_failure_is_an_api_status_error(harness: Harness, answer: Answer, expected: type) -> None:
    harness.api.gets = [answer]
    with pytest.raises(openai.APIStatusError) as caught:
        harness.run("poll", "resp_1")
    assert isinstance(caught.value, expected)


def test_statuses_outside_raise_on_are_returned(harness: Harness) -> None:
    harness.api.gets = [state("incomplete", incomplete_details={"reason": "content_filter"})]
    result = harness.run("poll", "resp_1", raise_on=("failed",))
    assert result.status == "incomplete"


def test_empty_raise_on_returns_a_failed_response(harness: Harness) -> None:
    harness.api.gets = [failed("server_error")]
    assert harness.run("poll", "resp_1", raise_on=()).status == "failed"


def test_unknown_status_is_never_success(harness: Harness) -> None:
    harness.api.gets = [state("paused_for_tea")]
    with pytest.raises(BackgroundResponseError) as caught:
        harness.run("poll", "resp_1", raise_on=())
    assert caught.value.status == "paused_for_tea"
    assert "resp_1" in str(caught.value)


def test_next_sleep_follows_the_latest_hint(harness: Harness) -> None:
    harness.api.gets = [
        state("queued", hint_ms=50),
        state("in_progress", hint_ms=250),
        state("in_progress"),
        state("completed"),
    ]
    harness.run("poll", "resp_1")
    assert harness.clock.sleeps == [0.05, 0.25, 1.0]


def test_custom_interval_wins_over_the_hint(harness: Harness) -> None:
    harness.api.gets = [state("queued", hint_ms=50), state("in_progress", hint_ms=5000), state("completed")]
    harness.run("poll", "resp_1", poll_interval_ms=300)
    assert harness.clock.sleeps == [0.3, 0.3]


def test_poll_helper_headers_are_sent(harness: Harness) -> None:
    harness.api.gets = [state("queued"), state("completed")]
    harness.run("poll", "resp_1", poll_interval_ms=300, extra_headers={"x-trace": "abc"})
    for headers in harness.api.polls:
        assert headers["x-stainless-poll-helper"] == "true"
        assert headers["x-stainless-custom-poll-interval"] == "300"
        assert headers["x-trace"] == "abc"


def test_custom_interval_header_only_when_given(harness: Harness) -> None:
    harness.run("poll", "resp_1")
    assert "x-stainless-custom-poll-interval" not in harness.api.polls[0]


def test_deadline_is_never_overslept(harness: Harness) -> None:
    harness.api.gets = [state("in_progress", hint_ms=4000)]
    start = harness.clock.now
    with pytest.raises(ResponsePollTimeoutError) as caught:
        harness.run("poll", "resp_1", max_wait_seconds=10)
    assert harness.clock.sleeps == [4.0, 4.0, 2.0]
    assert harness.clock.now - start == 10
    error = caught.value
    assert isinstance(error, TimeoutError)
    assert (error.response_id, error.last_status) == ("resp_1", "in_progress")
    assert error.last_response is not None and error.last_response.id == "resp_1"
    assert "client.responses.poll('resp_1')" in str(error)


def test_zero_deadline_polls_once_then_times_out(harness: Harness) -> None:
    harness.api.gets = [state("queued")]
    with pytest.raises(ResponsePollTimeoutError):
        harness.run("poll", "resp_1", max_wait_seconds=0)
    assert len(harness.api.polls) == 1
    assert harness.clock.sleeps == []


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, -math.inf, "10", True])
def test_bad_deadline_is_a_value_error(harness: Harness, bad: object) -> None:
    with pytest.raises(ValueError, match="max_wait_seconds"):
        harness.run("poll", "resp_1", max_wait_seconds=bad)
    assert harness.api.requests == []


@pytest.mark.parametrize("bad", [-5, math.nan, math.inf])
def test_bad_interval_is_a_value_error(harness: Harness, bad: object) -> None:
    with pytest.raises(ValueError, match="poll_interval_ms"):
        harness.run("poll", "resp_1", poll_interval_ms=bad)


@pytest.mark.parametrize("bad", ["", None, 42])
def test_empty_response_id_is_a_value_error(harness: Harness, bad: object) -> None:
    with pytest.raises(ValueError, match="response_id"):
        harness.run("poll", bad)
    assert harness.api.requests == []


@pytest.mark.parametrize("bad", ["failed", ("failed", "completed"), ("queued",)])
def test_bad_raise_on_is_a_value_error(harness: Harness, bad: object) -> None:
    with pytest.raises(ValueError, match="raise_on"):
        harness.run("poll", "resp_1", raise_on=bad)


def test_create_and_poll_creates_in_background_then_polls(harness: Harness) -> None:
    harness.api.create = state("queued", hint_ms=80)
    harness.api.gets = [state("in_progress"), state("completed")]
    result = harness.run("create_and_poll", model="gpt-4o", input="hi", max_output_tokens=16)
    assert result.status == "completed"
    method, path, headers, body = harness.api.requests[0]
    assert (method, path) == ("POST", "/v1/responses")
    assert json.loads(body) == {"model": "gpt-4o", "input": "hi", "max_output_tokens": 16, "background": True}
    assert "x-stainless-poll-helper" not in headers
    # the create answer is the first observation: its hint paces the first poll, nothing is wasted
    assert harness.clock.sleeps == [0.08, 1.0]
    assert len(harness.api.polls) == 2


def test_create_and_poll_dispatches_a_terminal_create_answer_without_polling(harness: Harness) -> None:
    harness.api.create = failed("rate_limit_exceeded")
    with pytest.raises(openai.RateLimitError):
        harness.run("create_and_poll", model="gpt-4o", input="hi")
    assert harness.api.polls == []


@pytest.mark.parametrize("params", [{"stream": True}, {"background": False}])
def test_create_and_poll_refuses_stream_and_foreground(harness: Harness, params: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="create_and_poll"):
        harness.run("create_and_poll", model="gpt-4o", input="hi", **params)
    assert harness.api.requests == []


def test_create_and_poll_checks_options_before_creating(harness: Harness) -> None:
    with pytest.raises(ValueError, match="max_wait_seconds"):
        harness.run("create_and_poll", model="gpt-4o", input="hi", max_wait_seconds=-1)
    assert harness.api.requests == []


def test_create_error_is_raised_as_the_sdk_raises_it(harness: Harness) -> None:
    harness.api.create = Answer(status_code=400, body={"error": {"message": "bad model", "code": "model_not_found"}})
    with pytest.raises(openai.BadRequestError) as caught:
        harness.run("create_and_poll", model="nope", input="hi")
    assert not isinstance(caught.value, BackgroundResponseError)


def test_retrieve_is_unchanged_and_returns_a_failed_response(harness: Harness) -> None:
    harness.api.gets = [failed("server_error")]
    result = harness.run("retrieve", "resp_1")
    assert result.status == "failed"
    assert "x-stainless-poll-helper" not in harness.api.polls[0]
