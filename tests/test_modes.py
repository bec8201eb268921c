"""``background_mode="wait"`` / ``"always"``: ``responses.create`` as frameworks call it, on the loopback fake
server with the SDK's real transport, sync, asyncio and trio."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import openai
import pytest
from _target import FORK

if FORK:
    pytest.skip("the framework modes belong to the openai-background package", allow_module_level=True)

from _modes_run import Body, maybe, modes_run_fixture

from openai_background import (
    AsyncBackgroundStream,
    BackgroundStream,
    ResponseBadRequestError,
    ResponseCancelledError,
    ResponseFailedError,
    ResponsePollTimeoutError,
    ResponseServerError,
)
from openai_background.testing import Answer, FakeResponsesServer, JobScript, StreamScript

run = modes_run_fixture()


def create(**extra: Any) -> Body:
    async def body(client: Any) -> Any:
        return await maybe(client.responses.create(model="gpt-fake", input="hi", **extra))

    return body


def sent(server: FakeResponsesServer, method: str = "POST") -> list[Any]:
    return [r for r in server.requests if r.method == method]


def test_wait_returns_the_final_response_of_a_background_create(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.completed(output_text="forty two", polls=2, poll_after_ms=5))
    response = run(create(background=True), background_mode="wait")
    assert response.status == "completed"
    assert response.output_text == "forty two"
    assert response.usage is not None and response.usage.output_tokens == 2
    assert server.job(response.id).polls == 3


@pytest.mark.parametrize(
    ("script", "expected", "code", "retryable"),
    [
        (JobScript.failed("server_error", polls=1), openai.InternalServerError, "server_error", True),
        (JobScript.failed("rate_limit_exceeded"), openai.RateLimitError, "rate_limit_exceeded", True),
        (JobScript.failed("invalid_prompt"), openai.BadRequestError, "invalid_prompt", False),
        (JobScript.cancelled(polls=1), ResponseCancelledError, None, False),
        (JobScript.of(Answer.state("failed", error=None)), ResponseFailedError, None, False),
    ],
    ids=["server_error", "rate_limit", "invalid_prompt", "cancelled", "error-null"],
)
def test_wait_raises_the_typed_error_for_failed_and_cancelled_jobs(
    run: Callable[..., Any],
    server: FakeResponsesServer,
    script: JobScript,
    expected: type[Exception],
    code: str | None,
    retryable: bool,
) -> None:
    server.queue_create(script)
    with pytest.raises(expected) as caught:
        run(create(background=True), background_mode="wait")
    error: Any = caught.value
    assert error.response_id.startswith("resp_")
    assert error.response_id in {job.id for job in server.jobs}
    assert getattr(error, "code", None) == code
    assert error.retryable is retryable
    # As on the SDK's own errors (frameworks classify by either, and read the body): one status, a read answer.
    assert error.status_code == error.response.status_code
    assert error.response.json()["id"] == error.response_id


def test_wait_returns_an_incomplete_response_for_the_framework_to_read(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.incomplete("max_output_tokens", polls=1))
    response = run(create(background=True), background_mode="always")
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"


def test_a_job_failure_is_never_a_404_from_create(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("image_file_not_found"))
    with pytest.raises(ResponseBadRequestError) as caught:
        run(create(background=True), background_mode="wait")
    assert not isinstance(caught.value, openai.NotFoundError)
    assert caught.value.status_code == 400 and caught.value.code == "image_file_not_found"
    assert caught.value.response.status_code == 400  # as the class says
    assert caught.value.http_response.status_code == 200  # the poll's real answer


def test_client_poll_options_apply_to_the_wait(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(polls=10_000))
    with pytest.raises(ResponsePollTimeoutError) as caught:
        run(create(background=True), background_mode="wait", max_wait_seconds=0.05, cancel_on_timeout=True)
    assert server.job(caught.value.response_id).cancel_requests == 1


def test_raise_on_is_a_client_option(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.cancelled())
    response = run(create(background=True), background_mode="wait", raise_on=["failed"])
    assert response.status == "cancelled"


def test_wait_leaves_a_create_without_background_to_the_sdk(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.completed(polls=3))
    response = run(create(), background_mode="wait")
    assert response.status == "queued"  # the SDK's own answer: this mode only waits for what asked for it
    assert "background" not in json.loads(sent(server)[-1].body)
    assert server.job(response.id).polls == 0


def test_always_sends_a_create_that_says_nothing_as_a_background_job(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.completed(output_text="ok", polls=1))
    response = run(create(), background_mode="always")
    assert response.output_text == "ok"
    assert json.loads(sent(server)[-1].body)["background"] is True


@pytest.mark.parametrize(
    "extra",
    [{"store": False}, {"background": False}, {"extra_body": {"store": False}}, {"extra_body": {"background": False}}],
    ids=["store-false", "background-false", "extra_body-store-false", "extra_body-background-false"],
)
def test_always_leaves_store_false_and_explicit_opt_outs_alone(
    run: Callable[..., Any], server: FakeResponsesServer, extra: dict[str, Any]
) -> None:
    server.queue_create(JobScript.completed(polls=3))
    response = run(create(**extra), background_mode="always")
    assert response.status == "queued"
    body = json.loads(sent(server)[-1].body)
    assert body.get("background", False) is False
    assert server.job(response.id).polls == 0


def test_background_asked_for_in_extra_body_waits_and_extra_body_and_headers_pass_untouched(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.completed(output_text="ok", polls=1))
    extra_body = {"background": True, "vendor_flag": 1}
    extra_headers = {"X-Framework-Trace": "abc"}
    response = run(create(extra_body=extra_body, extra_headers=extra_headers), background_mode="wait")
    assert response.output_text == "ok"
    assert extra_body == {"background": True, "vendor_flag": 1} and extra_headers == {"X-Framework-Trace": "abc"}
    create_request = sent(server)[-1]
    assert json.loads(create_request.body)["vendor_flag"] == 1
    polls = sent(server, "GET")[-2:]
    for request in (create_request, *polls):
        assert request.headers["x-framework-trace"] == "abc"


def test_a_mode_needs_no_change_for_with_options_copies(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("server_error"))

    async def body(client: Any) -> Any:
        return await maybe(client.with_options(max_retries=0).responses.create(model="m", input="x", background=True))

    with pytest.raises(ResponseServerError):
        run(body, background_mode="wait")


def test_with_raw_response_create_gives_the_final_poll(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(output_text="raw ok", polls=2))

    async def body(client: Any) -> Any:
        raw = await maybe(client.responses.with_raw_response.create(model="m", input="x", background=True))
        return raw, raw.parse()

    raw, parsed = run(body, background_mode="wait")
    assert parsed.status == "completed" and parsed.output_text == "raw ok"
    assert raw.http_response.request.method == "GET"
    assert raw.http_response.request.url.path == f"/v1/responses/{parsed.id}"
    assert raw.http_response.headers.get("x-request-id") == parsed._request_id


def test_with_streaming_response_create_gives_the_final_poll(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.completed(output_text="streamed ok", polls=1))

    async def body(client: Any) -> Any:
        wrapper = client.responses.with_streaming_response.create(model="m", input="x", background=True)
        if isinstance(client, openai.AsyncOpenAI):
            async with wrapper as answer:
                return answer.http_response.request.method, await answer.parse()
        with wrapper as answer:
            return answer.http_response.request.method, answer.parse()

    method, parsed = run(body, background_mode="wait")
    assert method == "GET" and parsed.output_text == "streamed ok"


def test_with_raw_response_create_raises_the_typed_error(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("server_error"))

    async def body(client: Any) -> Any:
        return await maybe(client.responses.with_raw_response.create(model="m", input="x", background=True))

    with pytest.raises(openai.InternalServerError):
        run(body, background_mode="wait")


def test_stream_true_gives_the_resumable_background_stream_with_typed_errors(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.failed("server_error").with_stream(StreamScript.dropping(2)))

    async def body(client: Any) -> Any:
        stream = await maybe(client.responses.create(model="m", input="x", background=True, stream=True))
        assert isinstance(stream, (BackgroundStream, AsyncBackgroundStream))
        seen: list[int] = []
        try:
            if isinstance(stream, AsyncBackgroundStream):
                async with stream:
                    async for event in stream:
                        seen.append(event.sequence_number)
            else:
                with stream:
                    seen.extend(event.sequence_number for event in stream)
        except openai.InternalServerError as error:
            return seen, error
        raise AssertionError("the stream ended without the typed error")

    seen, error = run(body, background_mode="always")
    assert seen == [0, 1]  # nothing twice; the response.failed event (2) is raised in its place, not delivered
    assert server.job(error.response_id).streams == 2  # resumed after the drop


def test_off_is_exactly_the_sdk(run: Callable[..., Any], server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("server_error", polls=3))
    response = run(create(background=True))
    assert response.status == "queued"
    assert server.job(response.id).polls == 0


def test_the_helpers_of_a_mode_client_create_once_and_wait_once(
    run: Callable[..., Any], server: FakeResponsesServer
) -> None:
    server.queue_create(JobScript.completed(output_text="polled", polls=1))
    server.queue_create(JobScript.completed(output_text="streamed"))

    async def body(client: Any) -> Any:
        polled = await maybe(client.responses.create_and_poll(model="m", input="x", poll_interval_ms=5))
        stream = client.responses.create_and_stream(model="m", input="x")
        if isinstance(stream, AsyncBackgroundStream):
            async with stream:
                async for _ in stream:
                    pass
        else:
            with stream:
                for _ in stream:
                    pass
        return polled, stream.final_response

    before = len(sent(server))
    polled, streamed = run(body, background_mode="always", max_wait_seconds=0.001)  # the helpers' own options win
    assert polled.output_text == "polled" and streamed.output_text == "streamed"
    assert len(sent(server)) - before == 2  # one create each: never created twice, never waited by the mode
