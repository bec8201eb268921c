"""Testing *your* retry code against background failures with the test kit: no API key, no network.

    pytest examples/test_with_test_kit.py

The fixtures come from the opt-in plugin named below (in a real project, put that line in the top-level
conftest.py). ``fake_responses_server`` is a started loopback fake of the Responses API;
``background_client`` / ``async_background_client`` are clients pointed at it. Script what each
``create`` gets with ``queue_create``, run your code, then check what it did with ``jobs`` / ``requests``.
For tests that mock at the HTTP layer, ``openai_background.testing.respx`` does the same on a respx router.
"""

from __future__ import annotations

import asyncio

import httpx
import openai
import pytest
import respx

from openai_background import AsyncOpenAI, BackgroundResponseError, OpenAI
from openai_background.testing import Answer, FakeResponsesServer, JobScript
from openai_background.testing.respx import mock_background_job

pytest_plugins = ["openai_background.testing.pytest_plugin"]


# -- the code under test: yours ----------------------------------------------------------------------


def summarize(client: OpenAI, text: str, *, attempts: int = 3) -> str:
    """Summarize ``text``; a failure a new create() can fix is retried, up to ``attempts`` creates."""
    for attempt in range(1, attempts + 1):
        try:
            response = client.responses.create_and_poll(model="gpt-4.1-mini", input=f"Summarize: {text}")
            return response.output_text
        except BackgroundResponseError as err:
            if not err.retryable or attempt == attempts:
                raise
    raise AssertionError("unreachable")


async def summarize_all(client: AsyncOpenAI, texts: list[str]) -> list[str | None]:
    """Summaries of ``texts``, None where that job failed."""

    async def one(text: str) -> str | None:
        try:
            return (await client.responses.create_and_poll(model="gpt-4.1-mini", input=text)).output_text
        except BackgroundResponseError:
            return None

    return list(await asyncio.gather(*(one(text) for text in texts)))


# -- its tests -----------------------------------------------------------------------------------------


def quick(script: JobScript) -> JobScript:
    """Polls 10 ms apart instead of the default second."""
    return script.with_create_hint(10)


def test_a_server_error_is_retried_with_a_new_create(
    fake_responses_server: FakeResponsesServer, background_client: OpenAI
) -> None:
    fake_responses_server.queue_create(quick(JobScript.failed("server_error", polls=1, poll_after_ms=10)))
    fake_responses_server.queue_create(quick(JobScript.completed(output_text="Short.", polls=1, poll_after_ms=10)))

    assert summarize(background_client, "A long text.") == "Short."
    assert [job.status for job in fake_responses_server.jobs] == ["failed", "completed"]


def test_a_refused_prompt_is_not_retried(fake_responses_server: FakeResponsesServer, background_client: OpenAI) -> None:
    fake_responses_server.queue_create(JobScript.failed("invalid_prompt").terminal_on_create())

    with pytest.raises(openai.BadRequestError):
        summarize(background_client, "Something refused.")
    assert len(fake_responses_server.jobs) == 1


def test_it_gives_up_after_three_creates(fake_responses_server: FakeResponsesServer, background_client: OpenAI) -> None:
    for _ in range(3):
        fake_responses_server.queue_create(JobScript.failed("rate_limit_exceeded").terminal_on_create())

    with pytest.raises(openai.RateLimitError) as caught:
        summarize(background_client, "Busy day.")
    assert caught.value.retryable
    assert len(fake_responses_server.jobs) == 3


def test_a_poll_that_fails_in_transit_does_not_lose_the_job(
    fake_responses_server: FakeResponsesServer, background_client: OpenAI
) -> None:
    outage = Answer.http_error(503, headers={"retry-after-ms": "5"})
    script = JobScript.completed(output_text="Survived.").with_faults(outage, outage)
    fake_responses_server.queue_create(quick(script))

    assert summarize(background_client, "Flaky network.") == "Survived."
    assert len(fake_responses_server.jobs) == 1  # the 503s were polls retried, not new creates


def test_one_failed_job_does_not_sink_the_batch(
    fake_responses_server: FakeResponsesServer, async_background_client: AsyncOpenAI
) -> None:
    fake_responses_server.queue_create(quick(JobScript.incomplete("max_output_tokens")))
    for _ in range(2):
        fake_responses_server.queue_create(quick(JobScript.completed(output_text="ok")))

    summaries = asyncio.run(summarize_all(async_background_client, ["a", "b", "c"]))

    assert sorted(summaries, key=str) == [None, "ok", "ok"]


def test_the_same_code_against_respx_mocks() -> None:
    with respx.mock as router:
        mock_background_job(router, "failed:server_error")
        mock_background_job(router, "completed")
        client = OpenAI(api_key="sk-test", http_client=httpx.Client())  # respx mocks httpx clients

        assert summarize(client, "Mocked at the HTTP layer.") == "done"
