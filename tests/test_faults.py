"""Failed polls are repeated, not fatal; deadlines can cancel; every escaping error names the job."""

from __future__ import annotations

import httpx
import openai
import pytest
from _target import ResponseMalformedError, ResponsePollTimeoutError, internal
from conftest import Answer, Harness, state

BACKOFF_INITIAL = internal("_waits.cadence").BACKOFF_INITIAL
BACKOFF_MAX = internal("_waits.cadence").BACKOFF_MAX

UNAVAILABLE = Answer(status_code=503, body={"error": {"message": "try later"}})


def _notes(error: BaseException) -> str:
    return "\n".join([str(error), *getattr(error, "__notes__", [])])


@pytest.mark.parametrize("status_code", [408, 409, 429, 500, 502, 503])
def test_transient_statuses_do_not_end_the_wait(harness: Harness, status_code: int) -> None:
    fault = Answer(status_code=status_code, body={"error": {"message": "blip"}})
    harness.api.gets = [fault, fault, fault, state("completed")]
    assert harness.run("poll", "resp_1").status == "completed"
    assert len(harness.api.polls) == 4


@pytest.mark.parametrize("kind", [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_connection_failures_do_not_end_the_wait(harness: Harness, kind: type[Exception]) -> None:
    harness.api.gets = [Answer(error=kind), Answer(error=kind), state("completed")]
    assert harness.run("poll", "resp_1").status == "completed"


def test_backoff_is_capped_exponential_with_jitter(harness: Harness) -> None:
    harness.api.gets = [UNAVAILABLE] * 9 + [state("completed")]
    harness.run("poll", "resp_1")
    assert len(harness.clock.sleeps) == 9
    for attempt, slept in enumerate(harness.clock.sleeps, start=1):
        ceiling = min(BACKOFF_MAX, BACKOFF_INITIAL * 2 ** (attempt - 1))
        assert 0.75 * ceiling <= slept <= ceiling


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after-ms": "80"}, 0.08), ({"retry-after": "2"}, 2.0), ({"openai-poll-after-ms": "70"}, 0.07)],
)
def test_failing_answer_hint_is_honoured(harness: Harness, headers: dict[str, str], expected: float) -> None:
    harness.api.gets = [Answer(status_code=429, body={"error": {}}, headers=headers), state("completed")]
    harness.run("poll", "resp_1")
    assert harness.clock.sleeps == [expected]


def test_a_success_resets_the_failure_count(harness: Harness) -> None:
    harness.api.gets = [UNAVAILABLE, UNAVAILABLE, state("in_progress"), UNAVAILABLE, UNAVAILABLE, state("completed")]
    assert harness.run("poll", "resp_1", max_poll_failures=3).status == "completed"


def test_exhausted_failures_raise_the_last_sdk_error_with_the_id(harness: Harness) -> None:
    harness.api.gets = [UNAVAILABLE]
    with pytest.raises(openai.InternalServerError) as caught:
        harness.run("poll", "resp_1", max_poll_failures=3)
    error = caught.value
    assert len(harness.api.polls) == 3
    assert error.response_id == "resp_1"  # type: ignore[attr-defined]
    assert "client.responses.poll('resp_1')" in _notes(error)
    assert "may still be running" in _notes(error)


def test_exhausted_connection_failures_name_the_id(harness: Harness) -> None:
    harness.api.gets = [Answer(error=httpx.ConnectError)]
    with pytest.raises(openai.APIConnectionError) as caught:
        harness.run("poll", "resp_1", max_poll_failures=2)
    assert caught.value.response_id == "resp_1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("status_code", "expected"),
    [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (403, openai.PermissionDeniedError),
        (404, openai.NotFoundError),
        (422, openai.UnprocessableEntityError),
    ],
)
def test_permanent_statuses_raise_at_once_with_the_id(
    harness: Harness, status_code: int, expected: type[Exception]
) -> None:
    harness.api.gets = [Answer(status_code=status_code, body={"error": {"message": "no"}}), state("completed")]
    with pytest.raises(expected) as caught:
        harness.run("poll", "resp_1")
    assert len(harness.api.polls) == 1
    assert caught.value.response_id == "resp_1"  # type: ignore[attr-defined]


def test_failures_stay_bounded_by_the_deadline(harness: Harness) -> None:
    harness.api.gets = [UNAVAILABLE]
    start = harness.clock.now
    with pytest.raises(ResponsePollTimeoutError):
        harness.run("poll", "resp_1", max_wait_seconds=5, max_poll_failures=1000)
    assert harness.clock.now - start == pytest.approx(5)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "3"])
def test_bad_failure_budget_is_a_value_error(harness: Harness, bad: object) -> None:
    with pytest.raises(ValueError, match="max_poll_failures"):
        harness.run("poll", "resp_1", max_poll_failures=bad)


def test_cancel_on_timeout_sends_cancel_then_raises(harness: Harness) -> None:
    harness.api.gets = [state("in_progress")]
    with pytest.raises(ResponsePollTimeoutError) as caught:
        harness.run("poll", "resp_1", max_wait_seconds=3, cancel_on_timeout=True)
    methods = [(method, path) for method, path, _, _ in harness.api.requests]
    assert methods[-1] == ("POST", "/v1/responses/resp_1/cancel")
    assert "cancel request was sent" in str(caught.value)


def test_without_cancel_on_timeout_nothing_is_cancelled(harness: Harness) -> None:
    harness.api.gets = [state("in_progress")]
    with pytest.raises(ResponsePollTimeoutError):
        harness.run("poll", "resp_1", max_wait_seconds=3)
    assert all(method == "GET" for method, *_ in harness.api.requests)


def test_failed_cancel_still_raises_the_timeout(harness: Harness) -> None:
    harness.api.gets = [state("in_progress")]
    harness.api.cancel = Answer(status_code=500, body={"error": {"message": "cannot cancel"}})
    with pytest.raises(ResponsePollTimeoutError) as caught:
        harness.run("poll", "resp_1", max_wait_seconds=1, cancel_on_timeout=True)
    assert isinstance(caught.value.__context__, openai.InternalServerError)
    assert "cancel" in _notes(caught.value)


def test_unreadable_bodies_count_as_failed_polls(harness: Harness) -> None:
    proxy_page = Answer(raw=b"<html>502 Bad Gateway</html>")
    harness.api.gets = [proxy_page, Answer(raw=b""), state("completed")]
    assert harness.run("poll", "resp_1").status == "completed"


def test_unreadable_bodies_exhausted_raise_a_malformed_error(harness: Harness) -> None:
    harness.api.gets = [Answer(raw=b"<html>oops</html>")]
    with pytest.raises(ResponseMalformedError) as caught:
        harness.run("poll", "resp_1", max_poll_failures=2)
    assert caught.value.response_id == "resp_1"
    assert "text/html" in str(caught.value)
