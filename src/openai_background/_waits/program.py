"""The poll loop, written once, with no I/O in it.

``poll_program`` is a generator: it *yields* what it needs done (``FETCH`` the response, ``Sleep`` for
some seconds, ``CANCEL`` the response) and is sent the result, or has the I/O's exception thrown into it.
Every decision (terminal or not, which error, how long to sleep, when the deadline has passed, whether a
failed poll is worth repeating) is made here. ``run_sync`` and ``run_async`` are the two thin drivers
that do the I/O; the resources in ``_resources.py`` only say how to fetch, sleep and cancel.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from openai.types.responses import Response

from .._compat import HttpResponse
from .._errors.answers import RawResponse, check_answer_id, parse_answer
from .._errors.codes import PENDING_STATUSES
from .._errors.dispatch import should_raise
from .._errors.exceptions import BackgroundResponseError
from .cadence import failure_backoff, failure_headers, is_transient, next_poll_delay
from .deadline import CANCEL_TIMEOUT, MIN_REQUEST_WINDOW
from .events import PollEvent
from .options import WaitOptions, check_response_id
from .timeouts import add_note, attach_response_id, time_out
from .wakeups import FALLBACK_BACKSTOP, HEARD

logger = logging.getLogger("openai_background")

T = TypeVar("T")
S = TypeVar("S")  # the steps a program yields: ``Step`` here, more for the stream program
Dispatch = Callable[..., "BackgroundResponseError | None"]

DEFAULT_MAX_POLL_FAILURES: Final = 10


@dataclass(frozen=True)
class Fetch:
    """Step: GET the response once and send back the raw answer. ``within``: the seconds the request may
    take in all (the time left before the deadline); None: no deadline, the request runs as the SDK runs it."""

    within: float | None = None


@dataclass(frozen=True)
class Cancel:
    """Step: ask the server to cancel the response, taking at most ``within`` seconds in all."""

    within: float = CANCEL_TIMEOUT


@dataclass(frozen=True)
class Sleep:
    """Step: sleep this many seconds; with ``listen``, wake earlier when the response's end is signalled
    (``wakeups``) and send back True if it was, ``HEARD`` if the channel carried other jobs' ends meanwhile,
    else False."""

    seconds: float
    listen: bool = False


FETCH: Final = Fetch()
CANCEL: Final = Cancel()
Step = Fetch | Sleep | Cancel


def poll_program(
    rid: str,
    options: WaitOptions,
    *,
    dispatch: Dispatch,
    clock: Callable[[], float],
    first: tuple[Response, HttpResponse] | None = None,
    first_delay: float = 0.0,
    reported: int = 0,
) -> Generator[Step, Any, Response]:
    """Wait for response ``rid`` to finish; return it, or raise what its end means.

    ``first`` is an answer already in hand (the create call's), read as if it were the first poll.
    ``first_delay`` holds the first poll back (many jobs started together spread their polls).
    ``reported``: the events an earlier part of the same wait already reported (a stream that handed
    over to polling); the polls are numbered after them.
    """
    deadline = None if options.max_wait is None else clock() + options.max_wait
    failures = 0
    polls = reported
    last: Response | None = None
    observed = first
    report = _reporter(rid, options)
    failed: Exception | None = None  # the last poll's failure, while the polls keep failing
    # wait="webhook": a pending job sleeps listening, up to the fallback delay. Once woken by a signal, a
    # still-pending answer (the end not visible to a GET yet) is polled at the usual cadence instead.
    listening = options.fallback is not None
    polled_at = clock()  # when the job's status was last read (the create answer counts)
    if first is None and first_delay > 0:
        yield Sleep(first_delay if options.max_wait is None else min(first_delay, options.max_wait))
    while True:
        delay = 0.0  # every path below sets it before use; a type checker cannot tell
        if observed is None:
            try:
                observed = _observe((yield _fetch(deadline, clock)), rid)
                polled_at = clock()
            except Exception as error:
                failures += 1
                polls += 1
                if not is_transient(error) or failures >= options.max_poll_failures:
                    logger.debug("poll %s failed (%s), failures=%d, giving up", rid, type(error).__name__, failures)
                    attach_response_id(error, rid, failures=failures)
                    report(None, polls, failures, None, None, error)
                    raise
                delay = failure_backoff(failures, failure_headers(error))
                failed = error
                logger.debug(
                    "poll %s failed (%s), failures=%d, next poll in %.3fs", rid, type(error).__name__, failures, delay
                )
        if observed is not None:
            result, http_response = observed
            observed, failures, failed, last = None, 0, None, result
            polls += 1
            _check_id(result, rid, http_response)
            status = result.status
            if not (isinstance(status, str) and status in PENDING_STATUSES):
                report(status if isinstance(status, str) else None, polls, 0, None, result, None)
                failure = dispatch(result, response=http_response, response_id=rid)
                if failure is not None and should_raise(failure, options.raise_on):
                    logger.debug("poll %s: status=%s, raising %s", rid, status, type(failure).__name__)
                    raise failure
                logger.debug("poll %s: status=%s, done", rid, status)
                return result
            delay = next_poll_delay(options.interval, http_response.headers)
            if listening and options.fallback is not None:
                delay = options.fallback
            logger.debug("poll %s: status=%s, next poll in %.3fs", rid, status, delay)
            # A sleeping job keeps its last ``Response``, not the HTTP exchange it came in (request,
            # headers, body: ~10 KB), which adds up over a thousand jobs waiting at once.
            del http_response
        if deadline is not None:
            remaining = deadline - clock()
            if remaining <= 0:
                report(_status_of(last) if failed is None else None, polls, failures, None, last, failed)
                yield from time_out(rid, options, last, cancel=CANCEL, failures=failures, failure=failed)
            delay = min(delay, remaining)
        report(_status_of(last) if failed is None else None, polls, failures, delay, last, failed)
        if listening and failed is None and options.fallback is not None:
            woke = yield Sleep(delay, listen=True)
            # Other jobs' ends came in meanwhile: the channel is alive, so this job is still running, not
            # lost; listen on without a poll, up to FALLBACK_BACKSTOP fallbacks since the last poll (a
            # delivery lost while others arrive) and never past the deadline.
            while woke == HEARD:
                left = options.fallback * FALLBACK_BACKSTOP - (clock() - polled_at)
                if deadline is not None:
                    left = min(left, deadline - clock())
                if left <= 0:
                    break
                woke = yield Sleep(min(options.fallback, left), listen=True)
            if woke is True:
                listening = False
        else:
            yield Sleep(delay)


def _fetch(deadline: float | None, clock: Callable[[], float]) -> Fetch:
    """The next poll, given the time left (at least ``MIN_REQUEST_WINDOW``: a poll at the deadline may
    still find the job done)."""
    if deadline is None:
        return FETCH
    return Fetch(max(MIN_REQUEST_WINDOW, deadline - clock()))


_add_note = add_note

_Report = Callable[[str | None, int, int, "float | None", "Response | None", "Exception | None"], None]


def _reporter(rid: str, options: WaitOptions) -> _Report:
    """What tells ``options.on_poll`` of each poll; a no-op without one, so a plain wait builds no events.
    An observer's exception ends the wait, naming the response, so a failing observer is never silent."""
    on_poll = options.on_poll
    if on_poll is None:
        return _no_report

    def report(
        status: str | None,
        polls: int,
        failures: int,
        next_delay: float | None,
        response: Response | None,
        error: Exception | None,
    ) -> None:
        try:
            on_poll(PollEvent(rid, status, polls, failures, next_delay, response, error))
        except Exception as observer_error:
            attach_response_id(observer_error, rid)
            raise

    return report


def _no_report(*_: object) -> None:
    return None


def _status_of(response: Response | None) -> str | None:
    status = getattr(response, "status", None)
    return status if isinstance(status, str) else None


def _observe(raw: RawResponse, rid: str) -> tuple[Response, HttpResponse]:
    """A poll's answer as the ``Response`` in it and the HTTP response it came in."""
    return parse_answer(raw, response_id=rid), raw.http_response


def _check_id(result: Response, rid: str, http_response: HttpResponse) -> None:
    if getattr(result, "id", None) != rid:
        logger.debug("poll %s: answered for another response, raising ResponseMalformedError", rid)
        check_answer_id(result, rid, http_response)


@dataclass(frozen=True)
class Finished:
    """What ``advance`` gives once a program has returned."""

    result: Any


def advance(program: Generator[S, Any, T], value: object, failure: Exception | None) -> S | Finished:
    """Resume ``program`` with the outcome of its last step: its next step, or ``Finished``.

    Raises what the program raises (its verdict on the wait)."""
    try:
        return program.send(value) if failure is None else program.throw(failure)
    except StopIteration as done:
        return Finished(done.value)


def run_sync(program: Generator[S, Any, T], perform: Callable[[S], object]) -> T:
    """Drive ``program`` to its end, doing each step with the blocking ``perform``."""
    value: object = None
    failure: Exception | None = None
    try:
        while True:  # not `while not isinstance(step := ...)`: pyright loses that narrowing across `try`
            step = advance(program, value, failure)
            if isinstance(step, Finished):
                return step.result  # type: ignore[no-any-return]
            value = failure = None  # the last answer is the program's now; do not hold it across a sleep
            try:
                value, failure = perform(step), None
            except Exception as error:
                value, failure = None, error
    finally:
        program.close()


async def run_async(program: Generator[S, Any, T], perform: Callable[[S], Awaitable[object]]) -> T:
    """Drive ``program`` to its end, awaiting each step with ``perform``."""
    value: object = None
    failure: Exception | None = None
    try:
        while True:
            step = advance(program, value, failure)
            if isinstance(step, Finished):
                return step.result  # type: ignore[no-any-return]
            value = failure = None  # the last answer is the program's now; do not hold it across a sleep
            try:
                value, failure = await perform(step), None
            except Exception as error:
                value, failure = None, error
    finally:
        program.close()


__all__ = [
    "CANCEL",
    "CANCEL_TIMEOUT",
    "FETCH",
    "Finished",
    "Sleep",
    "WaitOptions",
    "advance",
    "attach_response_id",
    "check_response_id",
    "poll_program",
    "run_async",
    "run_sync",
]
