"""``poll_many``: every job accounted for once, in completion order, bounded, stoppable (sync, asyncio, trio)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import anyio
import openai
import pytest
from _target import (
    AsyncOpenAI,
    OpenAI,
    PollOutcome,
    ResponseCancelledError,
    ResponseIncompleteError,
    ResponsePollTimeoutError,
    ResponseServerError,
)
from conftest import CANARY_KEY

from openai_background.testing import Answer, FakeResponsesServer, JobScript

MODES = ("sync", "asyncio", "trio")


@pytest.fixture(params=MODES)
def collect(request: pytest.FixtureRequest, server: FakeResponsesServer) -> Callable[..., list[Any]]:
    """``collect(ids, **options)``: every outcome of ``poll_many`` in the order it was yielded."""
    mode = request.param

    def run(ids: list[str], **options: Any) -> list[Any]:
        kwargs = {"api_key": CANARY_KEY, "base_url": server.base_url, "max_retries": 0}
        if mode == "sync":
            with OpenAI(**kwargs) as client:
                return list(client.responses.poll_many(ids, **options))

        async def main() -> list[Any]:
            async with AsyncOpenAI(**kwargs) as client, client.responses.poll_many(ids, **options) as outcomes:
                return [outcome async for outcome in outcomes]

        return anyio.run(main, backend=mode)

    return run


def test_mixed_outcomes_are_each_reported_once(collect: Callable[..., list[Any]], server: FakeResponsesServer) -> None:
    scripts = {
        "completed": JobScript.completed(output_text="ok", polls=1),
        "server_error": JobScript.failed("server_error", polls=2),
        "incomplete": JobScript.incomplete("max_output_tokens"),
        "cancelled": JobScript.cancelled(polls=1),
        "never_ends": JobScript.of(Answer.state("in_progress")),
    }
    ids = {name: server.add_job(script) for name, script in scripts.items()}
    outcomes = collect(list(ids.values()), poll_interval_ms=5, max_wait_seconds=0.3)
    by_id = {outcome.response_id: outcome for outcome in outcomes}
    assert len(outcomes) == len(by_id) == len(ids)
    assert all(isinstance(outcome, PollOutcome) for outcome in outcomes)
    assert by_id[ids["completed"]].ok and by_id[ids["completed"]].result().output_text == "ok"
    assert isinstance(by_id[ids["server_error"]].error, ResponseServerError)
    assert isinstance(by_id[ids["incomplete"]].error, ResponseIncompleteError)
    assert isinstance(by_id[ids["cancelled"]].error, ResponseCancelledError)
    assert isinstance(by_id[ids["never_ends"]].error, ResponsePollTimeoutError)
    assert outcomes[-1].response_id == ids["never_ends"]
    with pytest.raises(openai.InternalServerError):
        by_id[ids["server_error"]].result()


def test_outcomes_come_in_completion_order(collect: Callable[..., list[Any]], server: FakeResponsesServer) -> None:
    slow = [server.add_job(JobScript.completed(polls=30)) for _ in range(3)]
    fast = [server.add_job(JobScript.completed(polls=0)) for _ in range(3)]
    outcomes = collect(slow + fast, poll_interval_ms=5)
    assert {o.response_id for o in outcomes[:3]} == set(fast)
    assert {o.response_id for o in outcomes[3:]} == set(slow)


@pytest.mark.once  # a thousand jobs: run by `nox -s tests`, not the matrix
def test_a_thousand_jobs_all_accounted_for_in_completion_order(
    collect: Callable[..., list[Any]], server: FakeResponsesServer
) -> None:
    rng = random.Random(1000)
    makers = [
        lambda polls: JobScript.completed(polls=polls),
        lambda polls: JobScript.failed("server_error", polls=polls),
        lambda polls: JobScript.failed("rate_limit_exceeded", polls=polls),
        lambda polls: JobScript.incomplete("content_filter", polls=polls),
        lambda polls: JobScript.cancelled(polls=polls),
    ]
    expected: dict[str, str] = {}
    polls: dict[str, int] = {}
    for _ in range(1000):
        kind, poll_count = rng.randrange(len(makers)), rng.choice([0, 6])
        rid = server.add_job(makers[kind](poll_count))
        expected[rid] = ["completed", "failed", "failed", "incomplete", "cancelled"][kind]
        polls[rid] = poll_count
    outcomes = collect(list(expected), poll_interval_ms=20)
    assert sorted(o.response_id for o in outcomes) == sorted(expected)
    for outcome in outcomes:
        seen = outcome.response.status if outcome.ok else outcome.error.status
        assert seen == expected[outcome.response_id]
    # jobs that end on their first poll finish, and so are yielded, well before jobs that need seven polls
    position = {o.response_id: i for i, o in enumerate(outcomes)}
    quick = [position[rid] for rid, count in polls.items() if count == 0]
    slow = [position[rid] for rid, count in polls.items() if count == 6]
    assert sum(quick) / len(quick) < sum(slow) / len(slow) - 250


@pytest.mark.parametrize(
    ("ids", "options", "match"),
    [
        (["resp_a", "resp_a"], {}, "twice"),
        ("resp_a", {}, "collection"),
        (["resp_a", ""], {}, "response_id"),
        (["resp_a"], {"concurrency": 0}, "concurrency"),
        (["resp_a"], {"max_wait_seconds": -1}, "max_wait_seconds"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    collect: Callable[..., list[Any]], server: FakeResponsesServer, ids: Any, options: dict[str, Any], match: str
) -> None:
    server.clear_requests()
    with pytest.raises(ValueError, match=match):
        collect(ids, **options)
    assert server.requests == []


def test_concurrency_bounds_the_polls_in_flight(server: FakeResponsesServer) -> None:
    slow_poll = Answer.slow(0.05, Answer.state("completed"))
    ids = [server.add_job(JobScript.of(slow_poll)) for _ in range(12)]
    with OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0) as client:
        outcomes = list(client.responses.poll_many(ids, concurrency=3, poll_interval_ms=1))
    assert all(o.ok for o in outcomes)
    starts = sorted(r.received_at for r in server.requests if r.method == "GET" and r.path.rsplit("/", 1)[-1] in ids)
    peak = max(sum(1 for s in starts if t <= s < t + 0.045) for t in starts)
    assert peak <= 3


def test_sync_interrupt_stops_and_cancels_every_unfinished_job(server: FakeResponsesServer) -> None:
    ids = [server.add_job(JobScript.of(Answer.state("in_progress"))) for _ in range(5)]
    with OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0) as client:

        def interrupted(seconds: float) -> None:
            raise KeyboardInterrupt

        client.responses._sleep = interrupted  # type: ignore[method-assign]
        with pytest.raises(KeyboardInterrupt):
            list(client.responses.poll_many(ids, poll_interval_ms=50, cancel_on_interrupt=True))
    assert [server.job(rid).cancel_requests for rid in ids] == [1] * 5


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("cancel_on_interrupt", [True, False])
def test_async_cancellation_stops_every_poll_promptly(
    server: FakeResponsesServer, backend: str, cancel_on_interrupt: bool
) -> None:
    ids = [server.add_job(JobScript.of(Answer.state("in_progress", poll_after_ms=60_000))) for _ in range(5)]
    seen: list[Any] = []

    async def main() -> None:
        async with AsyncOpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0) as client:
            with anyio.move_on_after(0.3):
                async with client.responses.poll_many(ids, cancel_on_interrupt=cancel_on_interrupt) as outcomes:
                    seen.extend([o async for o in outcomes])

    started = time.monotonic()
    anyio.run(main, backend=backend)
    assert time.monotonic() - started < 5
    assert seen == []
    assert [server.job(rid).cancel_requests for rid in ids] == [1 if cancel_on_interrupt else 0] * 5


def test_leaving_the_sync_loop_early_stops_polling(server: FakeResponsesServer) -> None:
    done = server.add_job(JobScript.completed())
    pending = [server.add_job(JobScript.of(Answer.state("in_progress"))) for _ in range(3)]
    with OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0) as client:
        outcomes = client.responses.poll_many([done, *pending], poll_interval_ms=10)
        first = next(outcomes)
        outcomes.close()  # type: ignore[attr-defined]
        time.sleep(0.1)  # a poll already in flight when the loop closed may still land
        polls_after_close = sum(server.job(rid).polls for rid in pending)
        time.sleep(0.2)  # twenty poll intervals: a loop still running would poll again
    assert first.response_id == done
    assert sum(server.job(rid).polls for rid in pending) == polls_after_close
