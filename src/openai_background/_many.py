"""Waiting for many background responses at once, yielding each outcome as it finishes.

Every job runs the same ``poll_program`` as a single ``poll``; only the driving differs:

* sync: one scheduler thread advances all programs, keeps sleeping jobs in a heap by due time, and hands
  each fetch to a pool of ``concurrency`` worker threads (never a thread per job);
* async: one task per job in a task group, fetches bounded by a ``CapacityLimiter``.

The first poll of each job is jittered over one poll interval, so a thousand jobs started together do
not poll in lock-step. One job's failure is that job's outcome; it never stops the others.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import anyio
from openai.types.responses import Response

from ._cadence import DEFAULT_POLL_INTERVAL
from ._loop import FETCH, Finished, Sleep, Step, WaitOptions, advance, check_response_id, poll_program, run_async
from ._waiting import (
    CANCEL_TIMEOUT,
    _clock,
    _dispatch,
    cancel_quietly,
    cancel_quietly_async,
    logger,
    poll_headers,
    sdk_raw,
)

if TYPE_CHECKING:
    from openai.resources.responses import AsyncResponses, Responses

__all__ = ["DEFAULT_CONCURRENCY", "PollOutcome", "check_ids", "poll_many_async", "poll_many_sync"]

DEFAULT_CONCURRENCY: Final = 64
"""Polls in flight at once, by default."""


@dataclass(frozen=True)
class PollOutcome:
    """How one job of ``poll_many`` ended: its final ``response``, or the ``error`` ``poll`` would raise."""

    response_id: str
    response: Response | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> Response:
        """The final response; raises the job's error instead if it has one."""
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response


def check_ids(response_ids: Iterable[str], concurrency: object) -> list[str]:
    """The ids to wait for, checked: each non-empty, none twice; ``concurrency`` a whole number >= 1."""
    if isinstance(response_ids, str):
        raise ValueError("poll_many takes a collection of response ids, not one string")
    ids = [check_response_id(rid) for rid in response_ids]
    if len(set(ids)) != len(ids):
        raise ValueError("poll_many got the same response id twice; each job is waited for once")
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise ValueError(f"concurrency must be a whole number >= 1, not {concurrency!r}")
    return ids


def first_poll_jitter(options: WaitOptions) -> float:
    return random.uniform(0, options.interval or DEFAULT_POLL_INTERVAL)


def poll_many_sync(
    resource: Responses,
    ids: list[str],
    options: WaitOptions,
    *,
    concurrency: int,
    extra_headers: Mapping[str, Any] | None,
    extra_query: Mapping[str, object] | None,
    timeout: Any,
) -> Iterator[PollOutcome]:
    """Yield one ``PollOutcome`` per id, in the order the jobs finish."""
    headers = poll_headers(options, extra_headers)
    clock = _clock(resource, time.monotonic)
    dispatch = _dispatch(resource)
    programs = {
        rid: poll_program(rid, options, dispatch=dispatch, clock=clock, first_delay=first_poll_jitter(options))
        for rid in ids
    }
    sleeping: list[tuple[float, int, str]] = []
    waiting_to_fetch: deque[tuple[str, Step]] = deque()
    in_flight: dict[Future[object], str] = {}
    order = itertools.count()
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="openai-background-poll")

    def io(rid: str, step: Step) -> Callable[[], object]:
        if step is FETCH:
            return lambda: sdk_raw(resource, "retrieve")(
                rid, extra_headers=headers, extra_query=extra_query, timeout=timeout
            )
        return lambda: resource.cancel(rid, timeout=CANCEL_TIMEOUT)

    def resume(rid: str, value: object, failure: Exception | None) -> PollOutcome | None:
        """Advance one job; file its next step, or return its outcome."""
        try:
            step = advance(programs[rid], value, failure)
        except Exception as error:
            step = Finished(None)
            outcome: PollOutcome | None = PollOutcome(rid, error=error)
        else:
            outcome = PollOutcome(rid, response=step.result) if isinstance(step, Finished) else None
        if isinstance(step, Finished):
            del programs[rid]
        elif isinstance(step, Sleep):
            heapq.heappush(sleeping, (clock() + step.seconds, next(order), rid))
        else:
            waiting_to_fetch.append((rid, step))
        return outcome

    try:
        for rid in ids:
            if (outcome := resume(rid, None, None)) is not None:
                yield outcome
        while programs:
            while sleeping and sleeping[0][0] <= clock():
                if (outcome := resume(heapq.heappop(sleeping)[2], None, None)) is not None:
                    yield outcome
            while waiting_to_fetch and len(in_flight) < concurrency:
                rid, step = waiting_to_fetch.popleft()
                in_flight[pool.submit(io(rid, step))] = rid
            until_due = max(0.0, sleeping[0][0] - clock()) if sleeping else None
            if not in_flight:
                if until_due is not None:
                    resource._sleep(until_due)
                continue
            done, _ = wait(in_flight, timeout=until_due, return_when=FIRST_COMPLETED)
            for future in done:
                rid = in_flight.pop(future)
                error = future.exception()
                failure = error if isinstance(error, Exception) else None
                outcome = resume(rid, None if failure else future.result(), failure)
                if outcome is not None:
                    yield outcome
    except KeyboardInterrupt:
        if options.cancel_on_interrupt:
            _cancel_all_sync(resource, list(programs), pool)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for program in programs.values():
            program.close()


def _cancel_all_sync(resource: Responses, rids: list[str], pool: ThreadPoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)
    with ThreadPoolExecutor(max_workers=min(16, max(1, len(rids)))) as cancels:
        futures = [cancels.submit(cancel_quietly, resource, rid) for rid in rids]
        wait(futures, timeout=CANCEL_TIMEOUT)
    logger.debug("cancel_on_interrupt: sent cancel for %d unfinished job(s)", len(rids))


@asynccontextmanager
async def poll_many_async(
    resource: AsyncResponses,
    ids: list[str],
    options: WaitOptions,
    *,
    concurrency: int,
    extra_headers: Mapping[str, Any] | None,
    extra_query: Mapping[str, object] | None,
    timeout: Any,
) -> AsyncGenerator[AsyncIterator[PollOutcome], None]:
    """An async iterator of one ``PollOutcome`` per id, in the order the jobs finish, valid inside the
    ``async with`` block that owns the tasks (structured concurrency: leaving the block stops them)."""
    headers = poll_headers(options, extra_headers)
    clock = _clock(resource, anyio.current_time)
    dispatch = _dispatch(resource)
    limiter = anyio.CapacityLimiter(concurrency)
    unfinished = set(ids)
    send, receive = anyio.create_memory_object_stream[PollOutcome](max_buffer_size=max(1, len(ids)))

    async def one(rid: str) -> None:
        async def perform(step: Step) -> object:
            if isinstance(step, Sleep):
                await resource._sleep(step.seconds)
                return None
            async with limiter:
                if step is FETCH:
                    return await sdk_raw(resource, "retrieve")(
                        rid, extra_headers=headers, extra_query=extra_query, timeout=timeout
                    )
                return await resource.cancel(rid, timeout=CANCEL_TIMEOUT)

        program = poll_program(rid, options, dispatch=dispatch, clock=clock, first_delay=first_poll_jitter(options))
        try:
            outcome = PollOutcome(rid, response=await run_async(program, perform))
        except Exception as error:
            outcome = PollOutcome(rid, error=error)
        unfinished.discard(rid)
        send.send_nowait(outcome)

    async def outcomes() -> AsyncIterator[PollOutcome]:
        for _ in ids:
            yield await receive.receive()

    try:
        async with anyio.create_task_group() as tasks, send, receive:
            for rid in ids:
                tasks.start_soon(one, rid)
            yield outcomes()
            tasks.cancel_scope.cancel()
    except anyio.get_cancelled_exc_class():
        if options.cancel_on_interrupt and unfinished:
            await _cancel_all_async(resource, sorted(unfinished), limiter)
        raise


async def _cancel_all_async(resource: AsyncResponses, rids: list[str], limiter: anyio.CapacityLimiter) -> None:
    async def cancel(rid: str) -> None:
        async with limiter:
            await cancel_quietly_async(resource, rid)

    with anyio.CancelScope(shield=True), anyio.move_on_after(CANCEL_TIMEOUT):
        async with anyio.create_task_group() as tasks:
            for rid in rids:
                tasks.start_soon(cancel, rid)
    logger.debug("cancel_on_interrupt: sent cancel for %d unfinished job(s)", len(rids))
