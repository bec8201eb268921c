"""``strict_retrieve=True``: ``responses.retrieve()`` raises the typed error of a failed or cancelled response,
returns every other one; a job failure never reads as a failure of the retrieve call (never a 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from _target import FORK

if FORK:
    pytest.skip("strict_retrieve belongs to the openai-background package", allow_module_level=True)

from _modes_run import maybe, modes_run_fixture

import openai_background
from openai_background import ResponseBadRequestError, ResponseCancelledError, ResponseFailedError
from openai_background.testing import Answer, FakeResponsesServer, JobScript

run = modes_run_fixture()

Run = Callable[..., Any]


def retrieve(rid: str, **extra: Any) -> Callable[[Any], Any]:
    async def body(client: Any) -> Any:
        return await maybe(client.responses.retrieve(rid, **extra))

    return body


def raw_retrieve(rid: str) -> Callable[[Any], Any]:
    async def body(client: Any) -> Any:
        raw = await maybe(client.responses.with_raw_response.retrieve(rid))
        return raw.parse()

    return body


@pytest.mark.parametrize("how", [retrieve, raw_retrieve], ids=["retrieve", "with_raw_response"])
@pytest.mark.parametrize(
    ("script", "expected", "code", "retryable"),
    [
        (JobScript.failed("server_error"), openai.InternalServerError, "server_error", True),
        (JobScript.failed("rate_limit_exceeded"), openai.RateLimitError, "rate_limit_exceeded", True),
        (JobScript.failed("invalid_prompt"), openai.BadRequestError, "invalid_prompt", False),
        (JobScript.of(Answer.state("failed", error=None)), ResponseFailedError, None, False),
        (JobScript.cancelled(), ResponseCancelledError, None, False),
    ],
    ids=["server_error", "rate_limit", "invalid_prompt", "error-null", "cancelled"],
)
def test_strict_retrieve_raises_for_failed_and_cancelled(
    run: Run,
    server: FakeResponsesServer,
    how: Callable[[str], Any],
    script: JobScript,
    expected: type[Exception],
    code: str | None,
    retryable: bool,
) -> None:
    rid = server.add_job(script)
    with pytest.raises(expected) as caught:
        run(how(rid), strict_retrieve=True)
    error: Any = caught.value
    assert (error.response_id, getattr(error, "code", None), error.retryable) == (rid, code, retryable)
    assert error.response.status_code == error.status_code and error.http_response.status_code == 200
    assert error.request_id == error.response.headers.get("x-request-id") == error.http_response.headers["x-request-id"]
    assert error.response.json()["id"] == rid  # read: the poll's body


@pytest.mark.parametrize("how", [retrieve, raw_retrieve], ids=["retrieve", "with_raw_response"])
@pytest.mark.parametrize(
    ("script", "status"),
    [
        (JobScript.completed(polls=5), "queued"),  # the first GET answers in progress
        (JobScript.of(Answer.state("in_progress")), "in_progress"),
        (JobScript.incomplete("max_output_tokens"), "incomplete"),
        (JobScript.completed(output_text="fine"), "completed"),
    ],
)
def test_strict_retrieve_returns_every_other_status(
    run: Run, server: FakeResponsesServer, how: Callable[[str], Any], script: JobScript, status: str
) -> None:
    rid = server.add_job(script)
    response = run(how(rid), strict_retrieve=True)
    assert response.id == rid
    assert response.status in (status, "in_progress")


@pytest.mark.parametrize("how", [retrieve, raw_retrieve], ids=["retrieve", "with_raw_response"])
def test_a_failed_job_is_never_a_404_from_retrieve(run: Run, server: FakeResponsesServer, how: Any) -> None:
    rid = server.add_job(JobScript.failed("image_file_not_found"))
    with pytest.raises(ResponseBadRequestError) as caught:
        run(how(rid), strict_retrieve=True)
    assert not isinstance(caught.value, openai.NotFoundError)
    assert caught.value.status_code == 400
    assert (caught.value.code, caught.value.response_id, caught.value.retryable) == ("image_file_not_found", rid, False)


def test_a_missing_response_is_still_the_sdks_404(run: Run, server: FakeResponsesServer) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        run(retrieve("resp_gone"), strict_retrieve=True)
    assert not isinstance(caught.value, openai_background.BackgroundResponseError)


def test_without_strict_retrieve_a_failed_response_is_returned(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.failed("server_error"))
    assert run(retrieve(rid)).status == "failed"
    assert run(retrieve(rid), background_mode="always").status == "failed"


def test_the_poll_helpers_of_a_strict_client_still_poll(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(output_text="polled", polls=2))
    failing = server.add_job(JobScript.failed("server_error", polls=1))

    async def body(client: Any) -> Any:
        done = await maybe(client.responses.poll(rid, poll_interval_ms=5))
        try:
            await maybe(client.responses.poll(failing, poll_interval_ms=5))
        except openai.InternalServerError as error:
            return done, error
        raise AssertionError("poll returned a failed response")

    done, error = run(body, strict_retrieve=True)
    assert done.output_text == "polled" and server.job(rid).polls == 3
    assert error.response_id == failing and server.job(failing).polls == 2


def test_strict_retrieve_passes_a_stream_request_through(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.failed("server_error"))

    async def body(client: Any) -> Any:
        stream = await maybe(client.responses.retrieve(rid, stream=True))
        if isinstance(client, openai.AsyncOpenAI):
            return [event.type async for event in stream]
        return [event.type for event in stream]

    types = run(body, strict_retrieve=True)
    assert types[-1] == "response.failed"  # the SDK's own stream: events, no raise


def test_a_hand_written_loop_that_catches_sdk_errors_works_unchanged(server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.failed("rate_limit_exceeded", polls=2))
    client = openai_background.OpenAI(api_key="sk-test", base_url=server.base_url, strict_retrieve=True)
    seen = []
    with pytest.raises(openai.RateLimitError) as caught:
        for _ in range(10):
            seen.append(client.responses.retrieve(rid).status)
    assert len(seen) == 2 and set(seen) <= {"queued", "in_progress"}
    assert caught.value.response_id == rid  # type: ignore[attr-defined]
