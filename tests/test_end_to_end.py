"""End to end: the SDK's real default transport against the loopback fake server (sync, asyncio, trio)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import openai
import pytest
from _target import (
    AsyncOpenAI,
    OpenAI,
    ResponseIncompleteError,
    ResponseMalformedError,
    ResponsePollTimeoutError,
    ResponseRateLimitError,
    ResponseServerError,
    internal,
)
from conftest import CANARY_KEY

from openai_background.testing import MISSING, Answer, FakeResponsesServer, JobScript

MODES = ("sync", "asyncio", "trio")


@pytest.fixture(params=MODES)
def run(
    request: pytest.FixtureRequest, server: FakeResponsesServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    """``run(use, **client_kwargs)``: ``use(client)`` with a real client in this mode (awaited if async).

    Backoff after a failed poll starts at 10 ms instead of 500 ms, so fault tests take real but short time.
    """
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


def create_and_poll(client: Any, **kwargs: Any) -> Any:
    """The fake's create answer carries no poll hint; a 5 ms interval keeps these tests quick."""
    return client.responses.create_and_poll(model="gpt-fake", input="hi", poll_interval_ms=5, **kwargs)


def test_a_completed_job_returns_its_output(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(output_text="forty-two", polls=2, poll_after_ms=5))
    response = run(create_and_poll)
    assert response.status == "completed"
    assert response.output_text == "forty-two"
    job = server.job(response.id)
    assert job.polls == 3  # two in-progress answers, then the terminal one
    assert job.create_body["background"] is True


def test_a_server_error_is_an_internal_server_error(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("server_error", message="boom", polls=1, poll_after_ms=5))
    with pytest.raises(openai.InternalServerError) as caught:
        run(create_and_poll)
    error = caught.value
    assert isinstance(error, ResponseServerError)
    assert server.job(error.response_id).polls == 2
    assert error.request_id is not None and error.request_id.startswith("req_fake_")
    assert error.retryable is True


def test_poll_of_an_existing_job(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.incomplete("max_output_tokens", polls=1, poll_after_ms=5))
    with pytest.raises(ResponseIncompleteError) as caught:
        run(lambda client: client.responses.poll(rid))
    assert caught.value.reason == "max_output_tokens"
    assert caught.value.response_id == rid


def test_poll_helper_headers_reach_the_server(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(polls=1, poll_after_ms=5))
    run(lambda client: client.responses.poll(rid, poll_interval_ms=5))
    polls = [r for r in server.requests if r.method == "GET" and r.path.endswith(rid)]
    assert [r.headers["x-stainless-poll-helper"] for r in polls] == ["true", "true"]
    assert all(r.headers["x-stainless-custom-poll-interval"] == "5" for r in polls)
    assert all(CANARY_KEY in r.headers["authorization"] for r in polls)


def test_no_request_is_wasted(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(polls=3, poll_after_ms=5))
    response = run(create_and_poll)
    gets = [r for r in server.requests if r.method == "GET" and response.id in r.path]
    assert len(gets) == 3 + 1  # every non-terminal answer was needed, plus the one that saw the end


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(Answer.http_error(503), id="503"),
        pytest.param(Answer.http_error(502, headers={"retry-after-ms": "5"}), id="502-retry-after-ms"),
        pytest.param(Answer.http_error(429, headers={"retry-after-ms": "5"}), id="429-retry-after-ms"),
        pytest.param(Answer.drop(), id="dropped-connection"),
        pytest.param(Answer.drop(after_headers=True), id="dropped-mid-answer"),
        pytest.param(Answer.raw(b"<html>proxy error</html>"), id="html-body"),
    ],
)
def test_transient_faults_do_not_lose_the_job(
    run: Callable[..., Any], server: FakeResponsesServer, fault: Answer
) -> None:
    rid = server.add_job(JobScript.completed(poll_after_ms=5).with_faults(fault, fault))
    response = run(lambda client: client.responses.poll(rid))
    assert response.status == "completed"
    assert server.job(rid).polls == 3


def test_an_answer_slower_than_the_request_timeout_is_retried(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    slow = Answer.slow(0.5, Answer.state("in_progress"))
    rid = server.add_job(JobScript.completed(poll_after_ms=5).with_faults(slow))
    response = run(lambda client: client.responses.poll(rid, timeout=0.2))
    assert response.status == "completed"


def test_the_sdk_retries_first_then_we_do(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    fault = Answer.http_error(500, headers={"retry-after-ms": "1"})
    rid = server.add_job(JobScript.completed().with_faults(fault, fault, fault))
    response = run(lambda client: client.responses.poll(rid), max_retries=1)
    assert response.status == "completed"
    assert server.job(rid).polls == 4


def test_exhausted_poll_failures_name_the_job(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.of(Answer.http_error(503, headers={"retry-after-ms": "1"})))
    with pytest.raises(openai.InternalServerError) as caught:
        run(lambda client: client.responses.poll(rid, max_poll_failures=3))
    assert caught.value.response_id == rid  # type: ignore[attr-defined]
    assert server.job(rid).polls == 3


def test_a_rate_limited_job_is_a_rate_limit_error(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("rate_limit_exceeded").terminal_on_create())
    with pytest.raises(openai.RateLimitError) as caught:
        run(create_and_poll)
    assert isinstance(caught.value, ResponseRateLimitError)
    assert server.job(caught.value.response_id).polls == 0


def test_a_missing_status_is_not_success(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.of(Answer.state("completed", extra={"status": MISSING})))
    with pytest.raises(openai.APIStatusError) as caught:
        run(lambda client: client.responses.poll(rid))
    assert caught.value.status is None  # type: ignore[attr-defined]


def test_an_answer_for_another_job_is_malformed(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.of(Answer.state("completed", extra={"id": "resp_someone_else"})))
    with pytest.raises(ResponseMalformedError):
        run(lambda client: client.responses.poll(rid))


def test_cancel_on_timeout_cancels_the_job(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.of(Answer.state("in_progress", poll_after_ms=20)))
    with pytest.raises(ResponsePollTimeoutError) as caught:
        run(lambda client: client.responses.poll(rid, max_wait_seconds=0.1, cancel_on_timeout=True))
    job = server.job(rid)
    assert job.cancel_requests == 1
    assert job.status == "cancelled"
    assert caught.value.last_status == "in_progress"
