"""``max_polls_per_second`` through the clients: every kind of wait (``poll``, ``create_and_poll``, ``poll_many``,
``resume``, a stream's fallback polls, the modes' waits) shares the client's budget, sync, asyncio and trio, against
the fake server's own rate limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from _rates import most_in_one_second

import openai_background
from openai_background import AsyncOpenAI, OpenAI, ResponsePollTimeoutError
from openai_background.testing import Answer, FakeResponsesServer, JobScript, StreamScript

BACKENDS = ["asyncio", "trio"]


def run(mode: str, use: Callable[[Any], Any], base_url: str, **settings: Any) -> Any:
    if mode == "sync":
        return use(OpenAI(api_key="sk-test", base_url=base_url, **settings))

    async def main() -> Any:
        return await use(AsyncOpenAI(api_key="sk-test", base_url=base_url, **settings))

    return anyio.run(main, backend=mode)


@pytest.mark.parametrize("mode", ["sync", *BACKENDS])
def test_every_kind_of_wait_shares_the_budget_and_no_poll_is_refused(mode: str) -> None:
    with FakeResponsesServer(max_polls_per_second=10) as server:
        script = JobScript.completed(polls=2, poll_after_ms=50)
        many = [server.add_job(script) for _ in range(6)]
        single = [server.add_job(script) for _ in range(4)]
        for _ in range(2):
            server.queue_create(script)

        def sync_use(client: OpenAI) -> int:
            outcomes: list[Any] = []
            threads = [
                threading.Thread(target=lambda: outcomes.extend(client.responses.poll_many(many))),
                *[threading.Thread(target=lambda r=r: outcomes.append(client.responses.poll(r))) for r in single],
                *[
                    threading.Thread(
                        target=lambda: outcomes.append(client.responses.create_and_poll(model="m", input="hi"))
                    )
                    for _ in range(2)
                ],
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            return len(outcomes)

        async def async_use(client: AsyncOpenAI) -> int:
            outcomes: list[Any] = []

            async def gather_many() -> None:
                async with client.responses.poll_many(many) as results:
                    outcomes.extend([outcome.result() async for outcome in results])

            async def one(rid: str) -> None:
                outcomes.append(await client.responses.poll(rid))

            async def created() -> None:
                outcomes.append(await client.responses.create_and_poll(model="m", input="hi"))

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(gather_many)
                for rid in single:
                    tasks.start_soon(one, rid)
                for _ in range(2):
                    tasks.start_soon(created)
            return len(outcomes)

        finished = run(mode, sync_use if mode == "sync" else async_use, server.base_url, max_polls_per_second=10)
        polls = [r.received_at for r in server.requests if r.method == "GET"]
        assert finished == 12 and server.rate_limited == []
        assert len(polls) == 36 and most_in_one_second(polls) <= 10


@pytest.mark.parametrize("mode", ["sync", *BACKENDS])
def test_a_429_on_one_job_pauses_the_polls_of_all(mode: str) -> None:
    with FakeResponsesServer(max_polls_per_second=10) as server:
        ids = [server.add_job(JobScript.completed(polls=3, poll_after_ms=50)) for _ in range(8)]

        # Polls due every 10 ms, the budget lets 50 a second through: the server's 10 are used in 0.2 s, and the
        # first 429 asks for the rest of that second (about 0.8 s).
        def sync_use(client: OpenAI) -> list[Any]:
            return list(client.responses.poll_many(ids, poll_interval_ms=10))

        async def async_use(client: AsyncOpenAI) -> list[Any]:
            async with client.responses.poll_many(ids, poll_interval_ms=10) as outcomes:
                return [outcome async for outcome in outcomes]

        outcomes = run(mode, sync_use if mode == "sync" else async_use, server.base_url, max_polls_per_second=50)
        assert len(outcomes) == 8 and all(outcome.ok for outcome in outcomes)
        refused = server.rate_limited
        assert refused, "a budget above the server's limit meets a 429"
        first = refused[0]
        answers = [r.received_at for r in server.requests if r.method == "GET"]
        window = [at for at in answers if first + 0.15 < at < first + 0.5]
        assert window == [] and len(refused) < len(answers) / 4


def test_a_budgeted_poll_is_one_request_the_sdk_does_not_retry() -> None:
    with FakeResponsesServer() as server:
        refused = Answer.http_error(429, headers={"retry-after-ms": "60"})
        rid = server.add_job(JobScript.completed().with_faults(refused))
        client = OpenAI(api_key="sk-test", base_url=server.base_url, max_polls_per_second=100)
        assert client.responses.poll(rid).status == "completed"
        assert server.job(rid).polls == 2  # the 429, then the program's own retry: no SDK retry between


def test_a_deadline_that_comes_before_a_slot_is_the_usual_timeout_error() -> None:
    with FakeResponsesServer() as server:
        rid = server.add_job(JobScript.completed(polls=100, poll_after_ms=50))
        client = OpenAI(api_key="sk-test", base_url=server.base_url, max_polls_per_second=0.5)
        client.responses.retrieve(rid)  # not budgeted: retrieve is the SDK's own call
        started = time.monotonic()
        with pytest.raises(ResponsePollTimeoutError) as caught:
            client.responses.poll(rid, max_wait_seconds=1.0)
        assert caught.value.response_id == rid and time.monotonic() - started < 1.0 + 0.5
        assert "max_polls_per_second" in str(caught.value)


@pytest.mark.parametrize("mode", ["sync", *BACKENDS])
def test_the_polls_a_refused_stream_falls_back_to_are_budgeted(mode: str) -> None:
    refused = StreamScript.refused(Answer.http_error(400, body={"error": {"message": "no stream", "code": None}}))
    with FakeResponsesServer(max_polls_per_second=5) as server:
        ids = [server.add_job(JobScript.completed(polls=2).with_stream(refused)) for _ in range(4)]

        def sync_use(client: OpenAI) -> list[Any]:
            done: list[Any] = []
            threads = [
                threading.Thread(target=lambda r=r: done.append(client.responses.poll(r, wait="stream"))) for r in ids
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            return done

        async def async_use(client: AsyncOpenAI) -> list[Any]:
            done: list[Any] = []

            async def one(rid: str) -> None:
                done.append(await client.responses.poll(rid, wait="stream"))

            async with anyio.create_task_group() as tasks:
                for rid in ids:
                    tasks.start_soon(one, rid)
            return done

        done = run(mode, sync_use if mode == "sync" else async_use, server.base_url, max_polls_per_second=5)
        assert [response.status for response in done] == ["completed"] * 4
        assert all(server.job(rid).streams >= 1 for rid in ids) and server.rate_limited == []
        polls = [r.received_at for r in server.requests if r.method == "GET" and "stream" not in r.query]
        assert len(polls) == 12 and most_in_one_second(polls) <= 5


def test_the_waits_background_mode_starts_are_budgeted() -> None:
    with FakeResponsesServer(max_polls_per_second=4) as server:
        for _ in range(3):
            server.queue_create(JobScript.completed(polls=3, poll_after_ms=50))
        client = OpenAI(api_key="sk-test", base_url=server.base_url, background_mode="wait", max_polls_per_second=4)
        done: list[Any] = []
        threads = [
            threading.Thread(
                target=lambda: done.append(client.responses.create(model="m", input="hi", background=True))
            )
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        polls = [r.received_at for r in server.requests if r.method == "GET"]
        assert [response.status for response in done] == ["completed"] * 3
        assert server.rate_limited == [] and len(polls) == 12 and most_in_one_second(polls) <= 4


def test_resuming_from_a_journal_is_budgeted(tmp_path: Any) -> None:
    with FakeResponsesServer(max_polls_per_second=4) as server:
        journal = openai_background.Journal(str(tmp_path / "jobs.sqlite3"))
        client = OpenAI(api_key="sk-test", base_url=server.base_url, journal=journal, max_polls_per_second=4)
        for _ in range(4):
            server.queue_create(JobScript.completed(polls=2, poll_after_ms=50))
            client.responses.create(model="m", input="hi", background=True)
        outcomes = list(client.responses.resume(journal))
        polls = [r.received_at for r in server.requests if r.method == "GET"]
        assert len(outcomes) == 4 and all(outcome.ok for outcome in outcomes)
        assert server.rate_limited == [] and len(polls) == 12 and most_in_one_second(polls) <= 4
