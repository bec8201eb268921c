"""A deadline is a deadline: with ``max_wait_seconds``, no request (poll, stream open or read, cancel) and no
SDK retry carries the caller past it, whatever a hostile loopback server does. Sync, asyncio, trio.

Timings are asserted only as generous bounds that prove boundedness (the servers below would hold a caller
for 30 s, the hostile server's cap; the SDK's defaults would wait 600 s and retry twice); the overshoot
itself is measured in ``benchmarks/_deadlines.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio
import openai
import pytest
from _target import AsyncOpenAI, OpenAI, ResponseMalformedError, ResponsePollTimeoutError
from conftest import CANARY_KEY
from hostile.server import Answer, Behaviour, Drip, HostileServer, Stall, response_answer, route

MODES = ("sync", "asyncio", "trio")
RID = "resp_hostile"
DEADLINE = 1.0
BOUND = 4.0  # generous: a deadline of 1 s ends well within it, a stalled or retrying request would not

RUNNING = response_answer(RID, "in_progress", [("openai-poll-after-ms", "200")])
SSE = [("content-type", "text/event-stream")]

BEHAVIOURS: dict[str, Behaviour] = {
    "stall": Stall(),
    "drip": Drip(RUNNING, interval=0.2, chunk=4),
    "503-retry-after-100": Answer(503, [("retry-after", "100"), ("content-type", "application/json")], b"{}"),
    "429-retry-after-ms-60000": Answer(429, [("retry-after-ms", "60000"), ("content-type", "application/json")], b"{}"),
}


def call(mode: str, server: HostileServer, use: Callable[[Any], Any], **client: Any) -> tuple[Any, float]:
    """``use(client)`` in ``mode`` (a client with the SDK's default timeout and retries); its outcome (the
    result, or the exception it raised) and the seconds it took."""
    kwargs = {"api_key": CANARY_KEY, "base_url": server.base_url, **client}
    started = time.monotonic()
    try:
        if mode == "sync":
            with OpenAI(**kwargs) as sync_client:
                outcome = use(sync_client)
        else:

            async def main() -> Any:
                async with AsyncOpenAI(**kwargs) as async_client:
                    return await use(async_client)

            outcome = anyio.run(main, backend=mode)
    except Exception as error:
        outcome = error
    return outcome, time.monotonic() - started


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("behaviour", list(BEHAVIOURS))
def test_a_deadline_bounds_every_poll(mode: str, behaviour: str) -> None:
    with HostileServer(route(get=BEHAVIOURS[behaviour])) as server:
        error, took = call(mode, server, lambda c: c.responses.poll(RID, max_wait_seconds=DEADLINE))
    assert isinstance(error, ResponsePollTimeoutError), error
    assert error.response_id == RID
    assert took < BOUND


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "behaviour",
    [
        pytest.param(Stall(), id="stall"),
        pytest.param(Drip(Answer(200, SSE, b": keep-alive\n" * 200), interval=0.05, chunk=1), id="drip"),
        pytest.param(BEHAVIOURS["503-retry-after-100"], id="503-retry-after-100"),
    ],
)
def test_a_deadline_bounds_a_stream_wait(mode: str, behaviour: Behaviour) -> None:
    with HostileServer(route(stream=behaviour, get=RUNNING)) as server:
        error, took = call(mode, server, lambda c: c.responses.poll(RID, wait="stream", max_wait_seconds=DEADLINE))
    assert isinstance(error, ResponsePollTimeoutError), error
    assert took < BOUND


@pytest.mark.parametrize("mode", MODES)
def test_a_deadline_bounds_many_jobs_whatever_their_hints(mode: str) -> None:
    ids = [f"resp_{n}" for n in range(5)]

    def job(request: Any) -> Behaviour:
        rid = request.path.split("?")[0].rsplit("/", 1)[-1]
        return response_answer(rid, "in_progress", [("openai-poll-after-ms", "1e13")])

    def sync_use(c: Any) -> Any:
        return list(c.responses.poll_many(ids, max_wait_seconds=DEADLINE))

    async def async_use(c: Any) -> Any:
        async with c.responses.poll_many(ids, max_wait_seconds=DEADLINE) as outcomes:
            return [outcome async for outcome in outcomes]

    with HostileServer(route(get=job)) as server:
        outcomes, took = call(mode, server, sync_use if mode == "sync" else async_use)
    assert sorted(outcome.response_id for outcome in outcomes) == ids
    assert all(isinstance(outcome.error, ResponsePollTimeoutError) for outcome in outcomes)
    assert took < BOUND


@pytest.mark.parametrize("mode", MODES)
def test_a_timeout_after_unreadable_answers_says_so_and_carries_the_cause(mode: str) -> None:
    html = Answer(200, [("content-type", "text/html")], b"<html>502 from a proxy</html>")
    with HostileServer(route(get=html)) as server:
        error, _ = call(mode, server, lambda c: c.responses.poll(RID, max_wait_seconds=DEADLINE, max_poll_failures=50))
    assert isinstance(error, ResponsePollTimeoutError), error
    assert isinstance(error.__cause__, ResponseMalformedError)
    assert "answers could not be read" in str(error) and "HTTP 200, text/html" in str(error)
    assert "last status: none seen" in str(error)


@pytest.mark.parametrize("mode", MODES)
def test_a_timeout_after_failing_polls_counts_them(mode: str) -> None:
    with HostileServer(route(get=BEHAVIOURS["503-retry-after-100"])) as server:
        error, _ = call(mode, server, lambda c: c.responses.poll(RID, max_wait_seconds=DEADLINE))
    assert isinstance(error, ResponsePollTimeoutError), error
    assert isinstance(error.__cause__, openai.InternalServerError)
    assert "polls failed in a row: InternalServerError" in str(error)


@pytest.mark.parametrize("mode", MODES)
def test_a_timeout_after_a_good_answer_has_no_cause(mode: str) -> None:
    with HostileServer(route(get=RUNNING)) as server:
        error, _ = call(mode, server, lambda c: c.responses.poll(RID, max_wait_seconds=0.5))
    assert isinstance(error, ResponsePollTimeoutError), error
    assert error.__cause__ is None and "last status: in_progress)" in str(error)
