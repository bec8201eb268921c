"""``max_polls_per_second``: one poll budget for every wait of a client (sync threads, asyncio, trio), at most
N polls started in any second, served oldest-due first, paused for everyone by a 429, and never holding a wait
past its deadline or its cancellation."""

from __future__ import annotations

import threading
import time
from typing import Any

import anyio
import openai
import pytest
from _rates import most_in_one_second

import openai_background
from openai_background import OpenAI
from openai_background._compat import http_library
from openai_background._waits.budget import PollBudget, budget_of

BACKENDS = ["asyncio", "trio"]


def rate_limited(retry_after_ms: int | None) -> openai.RateLimitError:
    library = http_library()
    headers = {} if retry_after_ms is None else {"retry-after-ms": str(retry_after_ms)}
    response = library.Response(429, headers=headers, request=library.Request("GET", "http://127.0.0.1/v1/x"))
    return openai.RateLimitError("rate limited", response=response, body=None)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), True, "5"])
def test_a_bad_rate_is_refused_where_the_client_is_built(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_polls_per_second"):
        OpenAI(api_key="sk-test", max_polls_per_second=bad)
    with pytest.raises(ValueError, match="max_polls_per_second"):
        openai_background.install(max_polls_per_second=bad)
    assert not openai_background.installed()


def test_copies_of_a_client_share_its_budget_and_a_new_rate_makes_a_new_one() -> None:
    client = OpenAI(api_key="sk-test", max_polls_per_second=5)
    budget = budget_of(client)
    assert budget is not None and budget.per_second == 5
    assert budget_of(client.with_options(timeout=3)) is budget
    assert budget_of(client.copy(max_retries=0)) is budget
    other = budget_of(client.with_options(max_polls_per_second=6))
    assert other is not None and other is not budget and other.per_second == 6
    assert budget_of(client.with_options(max_polls_per_second=None)) is None
    assert budget_of(OpenAI(api_key="sk-test")) is None


def test_install_gives_every_sdk_client_one_shared_budget() -> None:
    openai_background.install(max_polls_per_second=7)
    try:
        sync = openai.OpenAI(api_key="sk-test")
        asynchronous = openai.AsyncOpenAI(api_key="sk-test")
        assert budget_of(sync) is not None and budget_of(sync) is budget_of(asynchronous)
    finally:
        openai_background.uninstall()
    assert budget_of(openai.OpenAI(api_key="sk-test")) is None


def test_threads_sharing_a_budget_never_start_more_than_n_a_second() -> None:
    budget = PollBudget(20)
    starts: list[float] = []
    lock = threading.Lock()

    def polls() -> None:
        for _ in range(8):
            slot = budget.wait_sync(None)
            with lock:
                starts.append(time.monotonic())
            budget.record(slot, None)  # answered at once

    threads = [threading.Thread(target=polls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(starts) == 64 and most_in_one_second(starts) <= 20
    assert max(starts) - min(starts) >= (64 - 20) / 20  # 64 polls at 20 a second: no burst beyond the window


def test_a_poll_counts_in_the_servers_second_until_its_answer_came_back() -> None:
    budget = PollBudget(2)
    first = budget.wait_sync(None)
    budget.wait_sync(None)  # half a second later; its answer never comes back here
    time.sleep(0.2)
    answered = time.monotonic()
    budget.record(first, None)
    budget.wait_sync(None)  # the second before it must hold only one poll: the first's answer plus a second
    assert time.monotonic() >= answered + 1.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_tasks_get_their_slots_in_the_order_they_asked(backend: str) -> None:
    budget = PollBudget(50)
    order: list[int] = []

    async def main() -> None:
        async def poll(number: int) -> None:
            await budget.wait_async(None)
            order.append(number)

        async with anyio.create_task_group() as tasks:
            for number in range(30):
                tasks.start_soon(poll, number)
                await anyio.sleep(0.001)  # asked in this order

    anyio.run(main, backend=backend)
    assert order == list(range(30))


def test_a_429_pauses_every_waiting_poll_for_its_retry_after() -> None:
    budget = PollBudget(100)
    budget.record(budget.wait_sync(None), rate_limited(400))
    started = time.monotonic()
    slot = budget.wait_sync(None)  # a wait that did not see the 429
    assert time.monotonic() - started >= 0.39
    budget.record(slot, None)
    again = time.monotonic()
    budget.wait_sync(None)
    assert time.monotonic() - again < 0.39  # the pause is over


def test_a_429_without_a_hint_backs_off_and_a_success_resets_the_backoff() -> None:
    budget = PollBudget(100)
    slot = budget.wait_sync(None)
    budget.record(slot, rate_limited(None))
    first = budget.paused_until - time.monotonic()
    budget.record(slot, rate_limited(None))
    second = budget.paused_until - time.monotonic()
    assert 0.3 < first <= 0.5 and second > first  # 0.5 s with jitter, then 1 s
    budget.record(slot, None)
    assert budget._rejections == 0


def test_tickets_taken_before_a_429_move_back_by_the_pause() -> None:
    budget = PollBudget(10)
    first = budget.wait_sync(None)
    started = time.monotonic()
    done: list[float] = []

    def wait() -> None:
        budget.wait_sync(None)
        done.append(time.monotonic())

    threads = [threading.Thread(target=wait) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)  # the three hold slots at about 0.1, 0.2 and 0.3 s
    budget.record(first, rate_limited(500))
    for thread in threads:
        thread.join(10)
    later = sorted(at - started for at in done)
    assert later[0] >= 0.5 and later[2] - later[0] >= 0.2 - 0.02  # spacing kept after the pause


def test_no_slot_before_the_deadline_raises_the_sdks_timeout_at_the_deadline() -> None:
    budget = PollBudget(1)
    budget.wait_sync(None)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError, match="max_polls_per_second"):
        budget.wait_sync(0.3)
    assert 0.29 <= time.monotonic() - started < 0.6
    assert budget._outstanding == 0


def test_a_pause_that_moves_a_slot_past_the_deadline_ends_the_wait_at_the_deadline() -> None:
    budget = PollBudget(5)
    first = budget.wait_sync(None)
    failure: list[BaseException] = []

    def wait() -> None:
        try:
            budget.wait_sync(0.5)
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=wait)
    started = time.monotonic()
    thread.start()
    time.sleep(0.05)
    budget.record(first, rate_limited(5000))
    thread.join(5)
    assert isinstance(failure[0], openai.APITimeoutError) and time.monotonic() - started < 1.0
    assert budget._outstanding == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancelled_waits_give_their_slots_back(backend: str) -> None:
    budget = PollBudget(2)

    async def main() -> float:
        with anyio.move_on_after(0.2):
            async with anyio.create_task_group() as tasks:
                for _ in range(40):  # 20 s of slots
                    tasks.start_soon(budget.wait_async, None)
        assert budget._outstanding == 0
        started = time.monotonic()
        await budget.wait_async(None)
        return time.monotonic() - started

    assert anyio.run(main, backend=backend) < 1.0  # not 20 s behind the cancelled ones


def test_an_interrupted_sync_wait_gives_its_slot_back(monkeypatch: pytest.MonkeyPatch) -> None:
    budget = PollBudget(1)
    budget.wait_sync(None)

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("openai_background._waits.budget.time.sleep", interrupted)
    with pytest.raises(KeyboardInterrupt):
        budget.wait_sync(None)
    assert budget._outstanding == 0
