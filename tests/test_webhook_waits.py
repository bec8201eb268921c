"""Waits that listen (``wait="webhook"``): no poll while nothing happens, one GET once the job's end event is
recorded in the journal, and the same outcomes, events, deadline and cancel rules as a poll. Sync, asyncio
and trio, against the fake server, with the receiver under uvicorn on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from _webhooks import OTHER_SECRET, SECRET, deliver, serving

from openai_background import AsyncOpenAI, OpenAI, PollEvent, ResponsePollTimeoutError, ResponseServerError
from openai_background.journal import Journal
from openai_background.testing import FakeResponsesServer, JobScript
from openai_background.webhooks import WebhookReceiver

LONG = 60.0  # a fallback no test waits for: a wait that ends quickly was woken by the event


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class World:
    """A fake Responses server, a journal file, a receiver on loopback writing to its own ``Journal`` of that
    file (as another process would), and clients whose journal is the waiters' one."""

    def __init__(self, server: FakeResponsesServer, path: Path, url: str) -> None:
        self.server = server
        self.journal = Journal(path)
        self.url = url

    def client(self, **settings: Any) -> OpenAI:
        return OpenAI(api_key="sk-test", base_url=self.server.base_url, journal=self.journal, **settings)

    def async_client(self) -> AsyncOpenAI:
        return AsyncOpenAI(api_key="sk-test", base_url=self.server.base_url, journal=self.journal)

    def deliver_later(self, seconds: float, rid: str | Callable[[], str | None], **signing: Any) -> threading.Thread:
        def run() -> None:
            time.sleep(seconds)
            target = rid if isinstance(rid, str) else None
            while target is None:  # a job being created: deliver once it exists
                target = rid()  # type: ignore[operator]
                time.sleep(0.01)
            deliver(self.url, target, str(signing.pop("event_type", "response.completed")), **signing)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    path = tmp_path / "jobs.sqlite3"
    with FakeResponsesServer() as server, serving(WebhookReceiver(Journal(path), secret=SECRET)) as url:
        yield World(server, path, url)


def test_poll_sends_no_poll_while_waiting_and_one_get_after_the_event(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=1))
    seen: list[PollEvent] = []
    world.deliver_later(0.6, rid)
    started = time.monotonic()
    response = world.client().responses.poll(rid, wait="webhook", fallback_poll_seconds=LONG, on_poll=seen.append)
    elapsed = time.monotonic() - started
    assert response.status == "completed" and 0.5 < elapsed < 10
    assert world.server.job(rid).polls == 2  # the first look, then the one GET the event asked for
    assert [event.status for event in seen] == ["in_progress", "completed"]
    assert seen[0].next_delay == LONG
    assert world.journal.job(rid).finished


@pytest.mark.anyio
async def test_async_poll_listens(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=1))
    world.deliver_later(0.4, rid)
    started = time.monotonic()
    async with world.async_client() as client:  # closed in its own event loop (asyncio or trio)
        response = await client.responses.poll(rid, wait="webhook", fallback_poll_seconds=LONG)
    assert response.status == "completed" and time.monotonic() - started < 10
    assert world.server.job(rid).polls == 2


@pytest.mark.anyio
async def test_a_failed_job_raises_as_a_poll_would(world: World) -> None:
    rid = world.server.add_job(JobScript.failed("server_error", polls=1))
    world.deliver_later(0.2, rid, event_type="response.failed")
    with pytest.raises(ResponseServerError) as raised:
        async with world.async_client() as client:
            await client.responses.poll(rid, wait="webhook", fallback_poll_seconds=LONG)
    assert raised.value.response_id == rid and world.server.job(rid).polls == 2


def test_a_lost_delivery_ends_by_the_fallback_poll(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=1))
    started = time.monotonic()
    response = world.client().responses.poll(rid, wait="webhook", fallback_poll_seconds=0.5)
    assert response.status == "completed" and time.monotonic() - started >= 0.5
    assert world.server.job(rid).polls == 2


@pytest.mark.parametrize("tamper", [{"secret": OTHER_SECRET}, {"timestamp": int(time.time()) - 3600}])
def test_a_forged_or_stale_delivery_never_wakes_a_waiter(world: World, tamper: dict[str, Any]) -> None:
    rid = world.server.add_job(JobScript.completed(polls=1))
    world.deliver_later(0.1, rid, **tamper)
    started = time.monotonic()
    world.client().responses.poll(rid, wait="webhook", fallback_poll_seconds=1.5)
    assert time.monotonic() - started >= 1.5  # ended by the fallback, not by the forged event
    assert world.server.job(rid).polls == 2


def test_poll_many_listens_and_a_duplicate_gives_one_outcome(world: World) -> None:
    rids = [world.server.add_job(JobScript.completed(polls=1)) for _ in range(5)]
    for index, rid in enumerate(rids):
        world.deliver_later(0.3 + 0.1 * index, rid, webhook_id=f"wh_{index}")
        world.deliver_later(0.35 + 0.1 * index, rid, webhook_id=f"wh_{index}")  # OpenAI delivering it again
    world.deliver_later(0.5, rids[0])  # and another delivery of the same end, with its own id
    started = time.monotonic()
    outcomes = list(world.client().responses.poll_many(rids, wait="webhook", fallback_poll_seconds=LONG))
    assert time.monotonic() - started < 10
    assert sorted(outcome.response_id for outcome in outcomes) == sorted(rids)
    assert all(outcome.ok for outcome in outcomes)
    assert [world.server.job(rid).polls for rid in rids] == [2] * 5


@pytest.mark.anyio
async def test_async_poll_many_listens(world: World) -> None:
    rids = [world.server.add_job(JobScript.completed(polls=1)) for _ in range(4)]
    for index, rid in enumerate(rids):
        world.deliver_later(0.3 + 0.1 * index, rid)
    async with (
        world.async_client() as client,
        client.responses.poll_many(rids, wait="webhook", fallback_poll_seconds=LONG) as outcomes,
    ):
        ended = [outcome.response_id async for outcome in outcomes]
    assert sorted(ended) == sorted(rids)
    assert [world.server.job(rid).polls for rid in rids] == [2] * 4


def test_create_and_poll_listens(world: World) -> None:
    world.server.queue_create(JobScript.completed(polls=1))
    world.deliver_later(0.3, lambda: world.server.jobs[0].id if world.server.jobs else None)
    response = world.client().responses.create_and_poll(
        model="gpt-4.1", input="hi", wait="webhook", fallback_poll_seconds=LONG
    )
    assert response.status == "completed" and world.server.job(response.id).polls <= 2


def test_resume_listens_and_an_end_recorded_before_the_wait_counts(world: World) -> None:
    """The receiver records a job it never saw; resume claims it, polls once and, the event already being in
    the journal, GETs it again at once instead of waiting for the fallback."""
    rid = world.server.add_job(JobScript.completed(polls=1))
    assert deliver(world.url, rid).status_code == 200
    assert world.journal.pending() == [rid]
    started = time.monotonic()
    outcomes = list(world.client().responses.resume(world.journal, wait="webhook", fallback_poll_seconds=LONG))
    assert [outcome.response_id for outcome in outcomes] == [rid] and outcomes[0].ok
    assert time.monotonic() - started < 10 and world.server.job(rid).polls == 2
    assert world.journal.pending() == []


def test_the_deadline_holds_while_listening(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=100))
    started = time.monotonic()
    with pytest.raises(ResponsePollTimeoutError):
        world.client().responses.poll(rid, wait="webhook", fallback_poll_seconds=LONG, max_wait_seconds=0.5)
    assert 0.5 <= time.monotonic() - started < 10


@pytest.mark.anyio
async def test_a_cancelled_listening_wait_cancels_the_job_with_cancel_on_interrupt(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=100))
    async with world.async_client() as client:
        with anyio.move_on_after(0.5):
            await client.responses.poll(rid, wait="webhook", fallback_poll_seconds=LONG, cancel_on_interrupt=True)
    assert world.server.job(rid).cancel_requests == 1 and world.server.job(rid).polls == 1


def test_background_mode_clients_wait_by_listening(world: World) -> None:
    world.server.queue_create(JobScript.completed(polls=1))
    client = world.client(background_mode="wait", background_wait="webhook", fallback_poll_seconds=LONG)
    world.deliver_later(0.3, lambda: world.server.jobs[0].id if world.server.jobs else None)
    response = client.responses.create(model="gpt-4.1", input="hi", background=True)
    assert response.status == "completed" and world.server.job(response.id).polls <= 2


def test_bad_arguments_are_refused_before_anything_is_sent(world: World) -> None:
    plain = OpenAI(api_key="sk-test", base_url=world.server.base_url)
    with pytest.raises(ValueError, match="journal"):
        plain.responses.poll("resp_1", wait="webhook")
    with pytest.raises(ValueError, match="journal"):
        plain.responses.create_and_poll(model="gpt-4.1", input="hi", wait="webhook")
    with pytest.raises(ValueError, match="journal"):
        OpenAI(api_key="sk-test", background_wait="webhook")
    client = world.client()
    for bad in (0, -1, float("nan"), float("inf"), "300", True):
        with pytest.raises(ValueError, match="fallback_poll_seconds"):
            client.responses.poll("resp_1", wait="webhook", fallback_poll_seconds=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="wait"):
        client.responses.poll("resp_1", wait="webhooks")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stream"):
        client.responses.poll_many(["resp_1"], wait="stream")  # type: ignore[arg-type]
    assert world.server.jobs == [] and world.server.requests == []


README_SNIPPET = """
from openai_background import Journal, OpenAI
from openai_background.testing import FakeResponsesServer, JobScript

with FakeResponsesServer() as server:
    journal = Journal("jobs.sqlite3")
    client = OpenAI(api_key="sk-test", base_url=server.base_url, journal=journal)
    rid = server.add_job(JobScript.completed(polls=1))
    journal.record_event("wh_1", "response.completed", rid)  # what WebhookReceiver does with a verified delivery
    print(client.responses.poll(rid, wait="webhook").status)  # completed, after 2 GETs and no polling delay
"""


def test_the_readme_snippet_runs_on_the_fake_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    exec(compile(README_SNIPPET, "README", "exec"), {})
    assert capsys.readouterr().out == "completed\n" and time.monotonic() - started < 10


def test_a_wake_that_may_have_missed_an_event_looks_once_and_listens_on(world: World) -> None:
    """When the journal watcher was down a while, every wait is woken uncertainly: one GET each, then they
    listen again (no switch to polling at the usual cadence, which would storm the API after a blip)."""
    rid = world.server.add_job(JobScript.completed(polls=5))
    hub = world.journal.wakeups()._hub
    ended: list[str] = []
    client = world.client()
    waiter = threading.Thread(
        target=lambda: ended.append(client.responses.poll(rid, wait="webhook", fallback_poll_seconds=LONG).status)
    )
    waiter.start()
    deadline = time.monotonic() + 10
    while world.server.job(rid).polls < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    hub.signal_all()
    time.sleep(0.8)
    assert world.server.job(rid).polls == 2  # one look, then listening again
    deliver(world.url, rid)
    waiter.join(10)
    assert ended == ["completed"]  # after the event: polled at the usual cadence until the end shows


# -- the fallback while the channel is alive ------------------------------------------------------------------


class OthersEnding:
    """Other jobs' ends delivered every ``every`` seconds while the block runs: webhooks flowing."""

    def __init__(self, world: World, every: float = 0.05) -> None:
        self._stop = threading.Event()

        def run() -> None:
            for index in range(100_000):
                if self._stop.wait(every):
                    return
                deliver(world.url, f"resp_other_{index}")

        self._thread = threading.Thread(target=run, daemon=True)

    def __enter__(self) -> OthersEnding:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(5)


def test_while_other_ends_arrive_a_silent_job_is_not_polled_at_each_fallback(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=1).running_for(1.5))  # in_progress until then
    world.deliver_later(1.5, rid)
    with OthersEnding(world):
        response = world.client().responses.poll(rid, wait="webhook", fallback_poll_seconds=0.3)
    assert response.status == "completed"
    assert world.server.job(rid).polls == 2  # the first look and the one after the event: no fallback poll


def test_a_quiet_channel_still_polls_at_each_fallback(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=3))
    response = world.client().responses.poll(rid, wait="webhook", fallback_poll_seconds=0.2)
    assert response.status == "completed" and world.server.job(rid).polls == 4


def test_a_delivery_lost_while_others_arrive_ends_by_the_backstop(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=1))
    started = time.monotonic()
    with OthersEnding(world):
        response = world.client().responses.poll(rid, wait="webhook", fallback_poll_seconds=0.1)
    waited = time.monotonic() - started
    assert response.status == "completed" and world.server.job(rid).polls == 2
    assert 1.1 <= waited < 6  # 12 fallbacks (1.2 s) without a poll, then one


@pytest.mark.anyio
async def test_async_waits_keep_listening_while_others_end_and_keep_the_deadline(world: World) -> None:
    rid = world.server.add_job(JobScript.completed(polls=1_000))
    started = time.monotonic()
    with OthersEnding(world), pytest.raises(ResponsePollTimeoutError):
        async with world.async_client() as client:
            await client.responses.poll(rid, wait="webhook", fallback_poll_seconds=0.2, max_wait_seconds=1.0)
    assert 1.0 <= time.monotonic() - started < 4
    assert world.server.job(rid).polls == 2  # the first look and the last, at the deadline


def test_sync_poll_many_keeps_listening_while_others_end(world: World) -> None:
    rids = [world.server.add_job(JobScript.completed(polls=1).running_for(1.2)) for _ in range(3)]
    for rid in rids:
        world.deliver_later(1.2, rid)
    with OthersEnding(world):
        outcomes = list(world.client().responses.poll_many(rids, wait="webhook", fallback_poll_seconds=0.3))
    assert sorted(outcome.response_id for outcome in outcomes) == sorted(rids)
    assert [world.server.job(rid).polls for rid in rids] == [2, 2, 2]
