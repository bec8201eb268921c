"""``client.responses.resume(journal)``: wait for a journal's pending jobs, leasing them, and record their ends.

Resume is ``poll_many`` over batches of leased jobs, with the journal's ``record_poll`` as the observer
(``must_hold_lease``: a job whose lease another process took is dropped, never waited for twice). It
never creates a job, and never polls a finished one (only unfinished rows are claimed). While other
processes hold leases on pending jobs, it sleeps and claims again, so a dead process's jobs are taken
over when its leases expire; it returns once no pending job is left that it has not waited for.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Collection, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

import anyio
from openai._types import NOT_GIVEN, NotGiven, Omit
from openai.resources.responses import AsyncResponses as _AsyncResponses
from openai.resources.responses import Responses as _Responses

from .._compat import Timeout
from .._errors.dispatch import DEFAULT_RAISE_ON
from .._many import DEFAULT_CONCURRENCY, PollOutcome, check_ids, poll_many_async, poll_many_sync
from .._waits.events import OnPoll
from .._waits.listening import DEFAULT_FALLBACK_POLL_SECONDS, listening_options, many_listening_for
from .._waits.observers import observed
from .._waits.program import DEFAULT_MAX_POLL_FAILURES, WaitOptions
from ._journal import ANY, Journal
from ._outcomes import Entered, Outcomes

if TYPE_CHECKING:
    from openai._types import Headers, Query

__all__ = ["AsyncResumingResponses", "ResumingResponses"]

_OMIT: Any = Omit()
OnWait = Callable[[str], None]
logger = logging.getLogger("openai_background.journal")
MAX_IDLE_SLEEP = 1.0
"""While other processes hold every pending job, look again at least this often (seconds)."""


class _Batches:
    """Which jobs to wait for next: leased from the journal, each at most once per resume."""

    def __init__(self, journal: Journal, batch: int, base_url: Any = ANY, on_wait: OnWait | None = None) -> None:
        self.journal = journal
        self.batch = batch
        self.base_url = base_url
        self.on_wait = on_wait
        self.said: tuple[int, int] | None = None
        self.seen: set[str] = set()
        self.unfinished: set[str] = set()

    def next(self) -> list[str] | float | None:
        """Ids to wait for now; or seconds to sleep before asking again; or None when done."""
        claimed = self.journal.claim(self.batch, base_url=self.base_url)
        fresh = [rid for rid in claimed if rid not in self.seen]
        self.journal.release([rid for rid in claimed if rid in self.seen])
        if fresh:
            self.seen.update(fresh)
            self.unfinished.update(fresh)
            return fresh
        held = self.journal.held_elsewhere(base_url=self.base_url)
        if held is None:
            return None
        count, seconds = held
        self._say(count, seconds)
        return min(seconds + 0.01, MAX_IDLE_SLEEP)

    def _say(self, count: int, seconds: float) -> None:
        """Tell (once per count, and every minute) that other live processes hold pending jobs."""
        said = (count, int(time.monotonic() // 60))
        if said == self.said:
            return
        self.said = said
        message = (
            f"waiting for {count} pending job(s) leased by another live process; the first lease ends in "
            f"{seconds:.0f} s unless its holder renews it"
        )
        logger.info("%s", message)
        if self.on_wait is not None:
            self.on_wait(message)

    def ended(self, outcome: PollOutcome) -> PollOutcome:
        self.unfinished.discard(outcome.response_id)
        return outcome

    def release(self) -> None:
        """On the way out (interrupt, error, caller stopped early): others may take these now."""
        unfinished, self.unfinished = self.unfinished, set()
        self.journal.release(unfinished)


def _check(journal: object, batch: object, concurrency: int) -> tuple[Journal, int]:
    if not isinstance(journal, Journal):
        raise ValueError(f"resume takes an openai_background.Journal, not {journal!r}")
    if batch is None:
        batch = max(4 * concurrency, 16)
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValueError(f"batch must be a whole number >= 1, not {batch!r}")
    check_ids([], concurrency)
    return journal, batch


def resume_sync(
    resource: _Responses,
    journal: Journal,
    options: WaitOptions,
    *,
    batch: int,
    base_url: Any = ANY,
    on_wait: OnWait | None = None,
    **many: Any,
) -> Iterator[PollOutcome]:
    batches = _Batches(journal, batch, base_url, on_wait)
    options = observed(options, journal, must_hold_lease=True)
    sleep: Callable[[float], None] = resource._sleep
    try:
        while (step := batches.next()) is not None:
            if not isinstance(step, list):
                sleep(step)
                continue
            for outcome in poll_many_sync(resource, step, options, **many):
                yield batches.ended(outcome)
    finally:
        batches.release()


@asynccontextmanager
async def resume_async(
    resource: _AsyncResponses,
    journal: Journal,
    options: WaitOptions,
    *,
    batch: int,
    base_url: Any = ANY,
    on_wait: OnWait | None = None,
    **many: Any,
) -> AsyncGenerator[AsyncIterator[PollOutcome], None]:
    batches = _Batches(journal, batch, base_url, on_wait)
    options = observed(options, journal, must_hold_lease=True)
    sleep: Callable[[float], Awaitable[None]] = resource._sleep
    send, receive = anyio.create_memory_object_stream[PollOutcome](max_buffer_size=math.inf)

    async def drive() -> None:
        async with send:
            try:
                while (step := batches.next()) is not None:
                    if not isinstance(step, list):
                        await sleep(step)
                        continue
                    async with poll_many_async(resource, step, options, **many) as outcomes:
                        async for outcome in outcomes:
                            await send.send(batches.ended(outcome))
            finally:
                batches.release()

    async with anyio.create_task_group() as tasks, receive:
        tasks.start_soon(drive)
        yield receive
        tasks.cancel_scope.cancel()


def _options(
    poll_interval_ms: object, max_wait_seconds: object, raise_on: Collection[str], failures: object, on_poll: Any
) -> WaitOptions:
    return WaitOptions.check(poll_interval_ms, max_wait_seconds, raise_on, failures, False, False, on_poll=on_poll)


def _listening(resource: object, options: WaitOptions, wait: object, fallback: object, journal: Journal) -> WaitOptions:
    """``wait`` checked; "webhook" listens to the journal being resumed (not the client's, if it has one)."""
    if wait == "webhook":
        return listening_options(resource, options, fallback, journal)
    return many_listening_for(resource, options, wait, fallback)


class ResumingResponses(_Responses):
    """The SDK's ``Responses`` plus ``resume``."""

    def resume(
        self,
        journal: Journal,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        batch: int | None = None,
        poll_interval_ms: int | Omit = _OMIT,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        on_poll: OnPoll | None = None,
        on_wait: OnWait | None = None,
        only_base_url: Any = ANY,
        wait: Literal["poll", "webhook"] = "poll",
        fallback_poll_seconds: float = DEFAULT_FALLBACK_POLL_SECONDS,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
    ) -> Outcomes:
        """Wait for every pending job of ``journal``; yield one ``PollOutcome`` per job as it ends, as
        ``poll_many`` does, and record each end in the journal. Never creates a job, never polls a finished one.

        Jobs are leased ``batch`` at a time (default ``4 * concurrency``), so processes sharing the journal
        share the work; a job another live process waits for is left to it, and taken over when its lease
        expires. Returns when no pending job is left that this call has not waited for (a job whose wait
        timed out or gave up stays pending, for a later resume). Raises ``JournalError`` if the journal
        cannot be read; a failed write ends that job's wait with ``JournalWriteError`` (its outcome).

        The work happens as the result is iterated (one dropped unused warns: ``RuntimeWarning``). ``on_wait``
        is called with a message when only jobs leased by other live processes are left (they are waited
        for; a dead holder's are taken over: at once on this host, when its lease expires elsewhere).
        ``only_base_url``: only the jobs recorded with that base URL (``None``: recorded without one).
        """
        checked, size = _check(journal, batch, concurrency)
        options = _options(poll_interval_ms, max_wait_seconds, raise_on, max_poll_failures, on_poll)
        options = _listening(self, options, wait, fallback_poll_seconds, checked)
        request: Mapping[str, Any] = {"extra_headers": extra_headers, "extra_query": extra_query, "timeout": timeout}
        outcomes = resume_sync(
            self,
            checked,
            options,
            batch=size,
            base_url=only_base_url,
            on_wait=on_wait,
            concurrency=concurrency,
            **request,
        )
        return Outcomes(outcomes)


class AsyncResumingResponses(_AsyncResponses):
    """The SDK's ``AsyncResponses`` plus ``resume``."""

    def resume(
        self,
        journal: Journal,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        batch: int | None = None,
        poll_interval_ms: int | Omit = _OMIT,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        on_poll: OnPoll | None = None,
        on_wait: OnWait | None = None,
        only_base_url: Any = ANY,
        wait: Literal["poll", "webhook"] = "poll",
        fallback_poll_seconds: float = DEFAULT_FALLBACK_POLL_SECONDS,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
    ) -> AbstractAsyncContextManager[AsyncIterator[PollOutcome]]:
        """The async ``resume``: ``async with client.responses.resume(journal) as outcomes: async for ...``.
        The block owns the polling tasks; leaving it stops them and releases the unfinished jobs' leases.
        ``on_wait``, ``only_base_url`` as in the sync one; one never entered warns (``RuntimeWarning``)."""
        checked, size = _check(journal, batch, concurrency)
        options = _options(poll_interval_ms, max_wait_seconds, raise_on, max_poll_failures, on_poll)
        options = _listening(self, options, wait, fallback_poll_seconds, checked)
        request: Mapping[str, Any] = {"extra_headers": extra_headers, "extra_query": extra_query, "timeout": timeout}
        manager = resume_async(
            self,
            checked,
            options,
            batch=size,
            base_url=only_base_url,
            on_wait=on_wait,
            concurrency=concurrency,
            **request,
        )
        return Entered(manager)
