"""A typed use of every public name, checked by ``nox -s types`` (mypy --strict and pyright strict).

Never run, never collected by pytest: it exists so that a changed signature, a return type that widens
to ``Any`` or a name that disappears fails the type check. ``tests/test_typing_usage.py`` checks that
every name in ``openai_background.__all__`` appears here.
"""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pydantic
from openai.types.responses import ParsedResponse, Response, ResponseStreamEvent
from typing_extensions import assert_type

import openai_background
from openai_background import (
    AsyncAzureOpenAI,
    AsyncBackgroundStream,
    AsyncOpenAI,
    AsyncResponses,
    AzureOpenAI,
    BackgroundResponseError,
    BackgroundStream,
    JobNotFinishedError,
    Journal,
    JournalError,
    JournalWriteError,
    OpenAI,
    PollEvent,
    PollOutcome,
    ResponseBadRequestError,
    ResponseCancelledError,
    ResponseFailedError,
    ResponseIncompleteError,
    ResponseMalformedError,
    ResponseNotFoundError,
    ResponsePermissionDeniedError,
    ResponsePollTimeoutError,
    ResponseRateLimitError,
    Responses,
    ResponseServerError,
    install,
    installed,
    make_background_failure_error,
    raise_for_status,
    uninstall,
)


def clients() -> None:
    sync = OpenAI(api_key="sk-x", base_url="http://localhost:1/v1", max_retries=0, timeout=openai.Timeout(5.0))
    assert_type(sync.responses, Responses)
    assert isinstance(sync, openai.OpenAI)
    assert_type(AsyncOpenAI(api_key="sk-x").responses, AsyncResponses)
    azure = AzureOpenAI(azure_endpoint="https://r.openai.azure.com", api_version="2025-04-01-preview", api_key="k")
    assert_type(azure.responses, Responses)
    assert isinstance(azure, openai.AzureOpenAI)
    async_azure = AsyncAzureOpenAI(azure_endpoint="https://r.openai.azure.com", api_version="v", azure_ad_token="t")
    assert_type(async_azure.responses, AsyncResponses)
    assert_type(sync.with_options(max_retries=2), OpenAI)


def waiting(client: OpenAI) -> None:
    done = client.responses.poll(
        "resp_1",
        poll_interval_ms=500,
        max_wait_seconds=600.0,
        raise_on={"failed", "incomplete"},
        max_poll_failures=5,
        cancel_on_timeout=True,
        cancel_on_interrupt=True,
        wait="stream",
        extra_headers={"X-Trace": "1"},
        extra_query={"include": "x"},
        timeout=30.0,
    )
    assert_type(done, Response)
    assert_type(client.responses.poll("resp_1", max_wait_seconds=None, timeout=openai.Timeout(3.0)), Response)
    created = client.responses.create_and_poll(
        model="gpt-4.1", input="hi", max_output_tokens=100, instructions="terse", metadata={"k": "v"}
    )
    assert_type(created, Response)
    assert_type(client.responses.retrieve("resp_1"), Response)  # the SDK's, unchanged

    def progress(event: PollEvent) -> None:
        assert_type(event.status, "str | None")
        assert_type(event.polls, int)
        assert_type(event.failures_in_a_row, int)
        assert_type(event.next_delay, "float | None")

    assert_type(client.responses.poll("resp_1", on_poll=progress), Response)
    outcomes = client.responses.poll_many(["resp_1", "resp_2"], concurrency=4, max_wait_seconds=60)
    assert_type(outcomes, Iterator[PollOutcome])
    for outcome in outcomes:
        assert_type(outcome, PollOutcome)
        assert_type(outcome.response_id, str)
        assert_type(outcome.ok, bool)
        assert_type(outcome.response, "Response | None")
        assert_type(outcome.error, "Exception | None")
        assert_type(outcome.result(), Response)


def streaming(client: OpenAI) -> None:
    with client.responses.stream_background("resp_1", starting_after=3, max_wait_seconds=60) as stream:
        assert_type(stream, BackgroundStream)
        for event in stream:
            assert_type(event, ResponseStreamEvent)
        assert_type(stream.response_id, "str | None")
        assert_type(stream.last_sequence_number, "int | None")
        assert_type(stream.final_response, "Response | None")
    assert_type(client.responses.create_and_stream(model="gpt-4.1", input="hi"), BackgroundStream)


def version() -> None:
    assert_type(openai_background.__version__, str)


async def async_waiting(client: AsyncOpenAI) -> None:
    assert_type(await client.responses.poll("resp_1", poll_interval_ms=250, wait="poll"), Response)
    assert_type(await client.responses.create_and_poll(model="gpt-4.1", input="hi", background=True), Response)
    async with client.responses.poll_many(["resp_1"], concurrency=2) as outcomes:
        async for outcome in outcomes:
            assert_type(outcome, PollOutcome)
    async with client.responses.stream_background("resp_1") as stream:
        assert_type(stream, AsyncBackgroundStream)
        async for event in stream:
            assert_type(event, ResponseStreamEvent)
    assert_type(client.responses.create_and_stream(model="gpt-4.1", input="hi"), AsyncBackgroundStream)


class Weather(pydantic.BaseModel):
    city: str


def structured(client: OpenAI) -> None:
    parsed = client.responses.create_and_poll(model="gpt-4.1", input="hi", text_format=Weather, max_wait_seconds=60)
    assert_type(parsed, ParsedResponse[Weather])
    assert_type(parsed.output_parsed, "Weather | None")
    assert_type(client.responses.poll("resp_1", text_format=Weather, wait="stream"), ParsedResponse[Weather])
    assert_type(client.responses.poll("resp_1", text_format=None), Response)
    for outcome in client.responses.poll_many(["resp_1"], text_format=Weather, concurrency=2):
        assert_type(outcome, PollOutcome[ParsedResponse[Weather]])
        assert_type(outcome.result(), ParsedResponse[Weather])
    with client.responses.stream_background("resp_1", text_format=Weather, starting_after=2) as stream:
        assert_type(stream, BackgroundStream[ParsedResponse[Weather]])
        assert_type(stream.final_response, "ParsedResponse[Weather] | None")
    created = client.responses.create_and_stream(model="gpt-4.1", input="hi", text_format=Weather)
    assert_type(created, BackgroundStream[ParsedResponse[Weather]])


async def async_structured(client: AsyncOpenAI) -> None:
    parsed = await client.responses.create_and_poll(model="gpt-4.1", input="hi", text_format=Weather)
    assert_type(parsed, ParsedResponse[Weather])
    assert_type(await client.responses.poll("resp_1", text_format=Weather), ParsedResponse[Weather])
    async with client.responses.poll_many(["resp_1"], text_format=Weather) as outcomes:
        async for outcome in outcomes:
            assert_type(outcome.result(), ParsedResponse[Weather])
    async with client.responses.stream_background("resp_1", text_format=Weather) as stream:
        assert_type(stream.final_response, "ParsedResponse[Weather] | None")
    created = client.responses.create_and_stream(model="gpt-4.1", input="hi", text_format=Weather)
    assert_type(created, AsyncBackgroundStream[ParsedResponse[Weather]])


def errors(client: OpenAI, raw_client: openai.OpenAI) -> None:
    try:
        client.responses.poll("resp_1")
    except ResponseServerError as error:
        assert_type(error.code, "str | None")
        assert_type(error.retryable, bool)
        assert isinstance(error, openai.InternalServerError)
    except ResponseRateLimitError as error:
        assert isinstance(error, openai.RateLimitError)
    except (ResponseBadRequestError, ResponseNotFoundError, ResponsePermissionDeniedError) as error:
        assert_type(error.param, "str | None")
    except ResponseFailedError as error:
        assert_type(error.message, str)
    except ResponseIncompleteError as error:
        assert_type(error.reason, "str | None")
    except (ResponseCancelledError, ResponseMalformedError) as error:
        assert_type(error.final_response, "Response | None")
    except BackgroundResponseError as error:
        assert_type(error.response_id, str)
        assert_type(error.status, "str | None")
        assert_type(error.request_id, "str | None")
        assert_type(error.http_response.status_code, int)  # the answer really received
        assert error.status_code == error.response.status_code  # as on the SDK's own errors
        assert isinstance(error, openai.APIStatusError)
    except ResponsePollTimeoutError as error:
        assert_type(error.response_id, str)
        assert_type(error.last_status, "str | None")
        assert_type(error.last_response, "Response | None")
        assert isinstance(error, TimeoutError)

    raw = raw_client.responses.with_raw_response.retrieve("resp_1")
    assert_type(raise_for_status(raw), Response)
    assert_type(raise_for_status(raw.parse(), raise_on=["failed"]), Response)
    found = make_background_failure_error(raw.parse(), response=raw.http_response, response_id="resp_1")
    assert_type(found, "BackgroundResponseError | None")


def frameworks() -> None:
    assert_type(install(), None)
    assert_type(installed(), bool)
    assert_type(uninstall(), None)


def framework_modes() -> None:
    waiting = OpenAI(api_key="sk-x", background_mode="wait", max_wait_seconds=600.0, raise_on=("failed",))
    assert_type(waiting.with_options(strict_retrieve=True, max_retries=3), OpenAI)
    assert_type(AsyncOpenAI(api_key="sk-x", background_mode="always").copy(poll_interval_ms=500), AsyncOpenAI)
    assert_type(waiting.responses.create(model="gpt-4.1", input="hi", background=True), Response)  # the SDK's type
    install(background_mode="always", strict_retrieve=True, max_poll_failures=5, cancel_on_interrupt=True)
    assert_type(raise_for_status({"id": "resp_1", "status": "failed"}), dict[str, str])


def journal(client: OpenAI, aclient: AsyncOpenAI) -> None:
    jobs = Journal("jobs.sqlite3", lease_seconds=30)
    assert_type(jobs.pending(), "list[str]")
    journaled = OpenAI(api_key="sk-x", journal=jobs)
    for outcome in journaled.responses.resume(jobs, concurrency=8, max_wait_seconds=60):
        assert_type(outcome, PollOutcome)
    assert_type(client.responses.poll_many(jobs.pending()), Iterator[PollOutcome])
    try:
        assert_type(jobs.get("resp_1"), Response)
    except JobNotFinishedError as error:
        assert_type(error.response_id, "str | None")
    except JournalWriteError as error:
        assert isinstance(error, JournalError)
    assert_type(jobs.forget("resp_1"), bool)
    install(journal=jobs)


async def async_journal(aclient: AsyncOpenAI, jobs: Journal) -> None:
    async with aclient.responses.resume(jobs) as outcomes:
        async for outcome in outcomes:
            assert_type(outcome, PollOutcome)


def webhooks(jobs: Journal) -> None:
    from openai_background.webhooks import WebhookReceiver

    receiver = WebhookReceiver(jobs, secret="whsec_x")
    assert_type(receiver.journal, Journal)
    client = OpenAI(api_key="sk-x", journal=jobs, background_wait="webhook", fallback_poll_seconds=600.0)
    assert_type(client.responses.poll("resp_1", wait="webhook", fallback_poll_seconds=60), Response)
    assert_type(client.responses.create_and_poll(model="m", input="x", wait="webhook"), Response)
    for outcome in client.responses.poll_many(["resp_1"], wait="webhook"):
        assert_type(outcome, PollOutcome)
    for resumed in client.responses.resume(jobs, wait="webhook", fallback_poll_seconds=30):
        assert_type(resumed, PollOutcome)
    assert_type(jobs.record_event("wh_1", "response.completed", "resp_1"), bool)


async def async_webhooks(aclient: AsyncOpenAI) -> None:
    assert_type(await aclient.responses.poll("resp_1", wait="webhook"), Response)
    async with aclient.responses.poll_many(["resp_1"], wait="webhook") as outcomes:
        async for outcome in outcomes:
            assert_type(outcome, PollOutcome)
