"""Calls that must stay type errors; checked by ``nox -s types`` the other way round.

Each line carries the ignore that hides its error. mypy (``--strict`` turns on ``warn_unused_ignores``) and
pyright (``reportUnnecessaryTypeIgnoreComment``) both fail on an ignore that hides nothing, so if one of
these calls starts to type-check (a parameter widened to ``Any``, ``**params`` no longer typed by the SDK's
``ResponseCreateParamsNonStreaming``), ``nox -s types`` fails. mypy also checks the error code (the methods
are overloaded on ``text_format``, so a wrong argument is ``call-overload``).
"""

# pyright: reportUnnecessaryTypeIgnoreComment=true

from __future__ import annotations

from openai.types.responses import ParsedResponse

from openai_background import AsyncOpenAI, OpenAI, PollOutcome, install


async def wrong_arguments(client: OpenAI, async_client: AsyncOpenAI) -> None:
    # create_and_poll keeps the SDK's parameter types:
    client.responses.create_and_poll(model="gpt-4.1", max_output_tokens="x")  # type: ignore[call-overload]
    client.responses.create_and_poll(model="gpt-4.1", no_such_parameter=1)  # type: ignore[call-overload]
    client.responses.create_and_poll(model="gpt-4.1", temperature="hot")  # type: ignore[call-overload]
    await async_client.responses.create_and_poll(model="gpt-4.1", max_output_tokens="x")  # type: ignore[call-overload]
    # ...and poll its own:
    client.responses.poll(123)  # type: ignore[call-overload]
    client.responses.poll("resp_1", poll_interval_ms="fast")  # type: ignore[call-overload]
    client.responses.poll("resp_1", max_wait_seconds="1m")  # type: ignore[call-overload]
    client.responses.poll("resp_1", wait="sse")  # type: ignore[call-overload]
    client.responses.poll("resp_1", unknown=True)  # type: ignore[call-overload]
    client.responses.poll_many("resp_1", concurrency="4")  # type: ignore[call-overload]
    # text_format takes a class, and only a class gives a ParsedResponse:
    client.responses.poll("resp_1", text_format="Weather")  # type: ignore[call-overload]


def wrong_results(client: OpenAI, outcome: PollOutcome) -> None:
    text: str = client.responses.poll("resp_1")  # type: ignore[assignment]
    parsed: ParsedResponse[str] = client.responses.poll("resp_1")  # type: ignore[assignment]
    flag: str = install()  # type: ignore[assignment, func-returns-value]
    response_id: int = outcome.response_id  # type: ignore[assignment]
    print(text, parsed, flag, response_id)


async def not_awaited(async_client: AsyncOpenAI) -> object:
    return async_client.responses.poll("resp_1").status  # type: ignore[attr-defined]


async def async_for_without_async_with(async_client: AsyncOpenAI) -> None:
    # the async poll_many is an `async with` block (a TypeError at run time says so)
    async for _ in async_client.responses.poll_many(["resp_1"]):  # type: ignore[attr-defined]
        pass


def journal_targets() -> None:
    from openai_background import Journal

    Journal(123)  # type: ignore[arg-type]  # a path, a URL, a libpq string or a pool; a TypeError at run time
