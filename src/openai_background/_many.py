"""Waiting for many background responses at once, yielding each outcome as it finishes.

Every job runs the same ``poll_program`` as a single ``poll``; only the driving differs:

* sync: one scheduler thread advances all programs, keeps sleeping jobs in a heap by due time, and hands
  each fetch to a pool of ``concurrency`` worker threads (never a thread per job);
* async: one task per job in a task group, fetches bounded by a ``CapacityLimiter``.

The first poll of each job is jittered over one poll interval, so a thousand jobs started together do
not poll in lock-step. One job's failure is that job's outcome; it never stops the others.
"""

from __future__ import annotations

import functools
import random
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Generic

import anyio
from openai.types.responses import Response
from typing_extensions import TypeVar

from ._errors.redact import redacting, redactor_for
from ._waits.cadence import DEFAULT_POLL_INTERVAL
from ._waits.daemon_pool import DaemonPool
from ._waits.deadline import CANCEL_TIMEOUT
from ._waits.program import (
    Cancel,
    Fetch,
    Finished,
    Sleep,
    Step,
    WaitOptions,
    advance,
    check_response_id,
    poll_program,
    run_async,
)
from ._waits.requests import cancel_async, cancel_sync, fetch_async, fetch_sync
from ._waits.shells import _clock, _dispatch, cancel_quietly, cancel_quietly_async, logger, poll_headers
from ._waits.sleeping import Sleepers, listening, sleep_async
from ._waits.structured import parsing

if TYPE_CHECKING:
    from openai.resources.responses import AsyncResponses, Responses

__all__ = ["DEFAULT_CONCURRENCY", "AsyncPollMany", "PollOutcome", "check_ids", "poll_many_async", "poll_many_sync"]

DEFAULT_CONCURRENCY: Final = 64
"""Polls in flight at once, by default."""

R = TypeVar("R", bound=Response, default=Response)


@dataclass(frozen=True)
class PollOutcome(Generic[R]):
    """How one job of ``poll_many`` ended: its final ``response`` (a ``ParsedResponse`` with
    ``text_format``), or the ``error`` ``poll`` would raise."""

    response_id: str
    response: R | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> R:
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
    redactor = redactor_for(resource)
    programs = {
        rid: redacting(
            parsing(
                poll_program(rid, options, dispatch=dispatch, clock=clock, first_delay=first_poll_jitter(options)),
                options.output,
            ),
            redactor,
        )
        for rid in ids
    }
    sleepers = Sleepers(options, clock)  # wait="webhook": a signalled job is due at once
    waiting_to_fetch: deque[tuple[str, Step]] = deque()
    in_flight: dict[Future[object], str] = {}
    pool = DaemonPool(concurrency, "openai-background-poll")

    def io(rid: str, step: Step) -> Callable[[], object]:
        if isinstance(step, Fetch):
            within = step.within
            return lambda: fetch_sync(
                resource, rid, within, extra_headers=headers, extra_query=extra_query, timeout=timeout
            )
        assert isinstance(step, Cancel)
        bound = step.within
        return lambda: cancel_sync(resource, rid, bound)

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
            sleepers.board.forget(rid)
        elif isinstance(step, Sleep):
            sleepers.sleep(rid, step)
        else:
            waiting_to_fetch.append((rid, step))
        return outcome

    try:
        for rid in ids:
            sleepers.board.listen(rid)
        for rid in ids:
            if (outcome := resume(rid, None, None)) is not None:
                yield outcome
        while programs:
            for rid, value in sleepers.due():
                if (outcome := resume(rid, value, None)) is not None:
                    yield outcome
            while waiting_to_fetch and len(in_flight) < concurrency:
                rid, step = waiting_to_fetch.popleft()
                in_flight[pool.submit(io(rid, step))] = rid
            until_due = sleepers.until_due()
            if not in_flight:
                if sleepers.listening:
                    sleepers.board.event.wait(until_due)
                elif until_due is not None:
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
        sleepers.board.close()
        pool.shutdown()
        for program in programs.values():
            program.close()


def _cancel_all_sync(resource: Responses, rids: list[str], pool: DaemonPool) -> None:
    """Send every cancel, 16 at a time, and return within ``CANCEL_TIMEOUT`` whatever the endpoint does:
    a cancel not done by then is abandoned on its daemon thread."""
    pool.shutdown()
    cancels = DaemonPool(min(16, max(1, len(rids))), "openai-background-cancel")
    try:
        futures = [cancels.submit(functools.partial(cancel_quietly, resource, rid)) for rid in rids]
        wait(futures, timeout=CANCEL_TIMEOUT)
    finally:
        cancels.shutdown()
    logger.debug("cancel_on_interrupt: sent cancel for %d unfinished job(s)", len(rids))


class AsyncPollMany(AbstractAsyncContextManager[AsyncIterator[PollOutcome]]):
    """What the async ``poll_many`` returns: an ``async with`` block whose value is the async iterator of
    outcomes. ``async for`` directly on it is a ``TypeError`` that shows the ``async with`` form."""

    def __init__(self, block: AbstractAsyncContextManager[AsyncIterator[PollOutcome]]) -> None:
        self._block = block

    async def __aenter__(self) -> AsyncIterator[PollOutcome]:
        return await self._block.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self._block.__aexit__(*exc_info)

    if not TYPE_CHECKING:  # at run time only, so type checkers still flag `async for` on it

        def __aiter__(self):
            raise TypeError(_NOT_AN_ITERATOR.format(what="an async iterator"))

        def __iter__(self):  # a plain `for`: the sync client's form, used on the async client
            raise TypeError(_NOT_AN_ITERATOR.format(what="an iterator (this is the async client's poll_many)"))


_NOT_AN_ITERATOR: Final = (
    "the async poll_many is an `async with` block, not {what}: write "
    "`async with client.responses.poll_many(ids) as outcomes: async for outcome in outcomes: ...`"
)


def poll_many_async(
    resource: AsyncResponses,
    ids: list[str],
    options: WaitOptions,
    *,
    concurrency: int,
    extra_headers: Mapping[str, Any] | None,
    extra_query: Mapping[str, object] | None,
    timeout: Any,
) -> AsyncPollMany:
    """The async ``poll_many`` as an ``AsyncPollMany`` block (nothing runs before it is entered)."""
    block = _poll_many_block(
        resource,
        ids,
        options,
        concurrency=concurrency,
        extra_headers=extra_headers,
        extra_query=extra_query,
        timeout=timeout,
    )
    return AsyncPollMany(block)


@asynccontextmanager
async def _poll_many_block(
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
    redactor = redactor_for(resource)
    limiter = anyio.CapacityLimiter(concurrency)
    unfinished = set(ids)
    send, receive = anyio.create_memory_object_stream[PollOutcome](max_buffer_size=max(1, len(ids)))

    async def one(rid: str) -> None:
        async def perform(step: Step) -> object:
            if isinstance(step, Sleep):
                return await sleep_async(resource, step, listener)
            async with limiter:
                if isinstance(step, Fetch):
                    return await fetch_async(
                        resource, rid, step.within, extra_headers=headers, extra_query=extra_query, timeout=timeout
                    )
                assert isinstance(step, Cancel)
                return await cancel_async(resource, rid, step.within)

        program = parsing(
            poll_program(rid, options, dispatch=dispatch, clock=clock, first_delay=first_poll_jitter(options)),
            options.output,
        )
        program = redacting(program, redactor)
        try:
            with listening(options, rid) as listener:
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
