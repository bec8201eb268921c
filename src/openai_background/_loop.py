"""The poll loop, written once, with no I/O in it.

``poll_program`` is a generator: it *yields* what it needs done (``FETCH`` the response, ``Sleep`` for
some seconds, ``CANCEL`` the response) and is sent the result, or has the I/O's exception thrown into it.
Every decision (terminal or not, which error, how long to sleep, when the deadline has passed, whether a
failed poll is worth repeating) is made here. ``run_sync`` and ``run_async`` are the two thin drivers
that do the I/O; the resources in ``_resources.py`` only say how to fetch, sleep and cancel.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Collection, Generator
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from openai._types import NotGiven, Omit
from openai.types.responses import Response

from ._cadence import failure_backoff, failure_headers, is_transient, next_poll_delay
from ._codes import PENDING_STATUSES
from ._compat import HttpResponse
from ._dispatch import RawResponse, malformed_answer_error, normalize_raise_on, parse_answer, should_raise
from ._events import OnPoll, PollEvent
from ._exceptions import BackgroundResponseError, ResponsePollTimeoutError
from ._structured import StructuredOutput

logger = logging.getLogger("openai_background")

T = TypeVar("T")
S = TypeVar("S")  # the steps a program yields: ``Step`` here, more for the stream program
Dispatch = Callable[..., "BackgroundResponseError | None"]

DEFAULT_MAX_POLL_FAILURES: Final = 10


class Fetch:
    """Step: GET the response once and send back the raw answer."""


class Cancel:
    """Step: ask the server to cancel the response."""


@dataclass(frozen=True)
class Sleep:
    """Step: sleep this many seconds."""

    seconds: float


FETCH: Final = Fetch()
CANCEL: Final = Cancel()
Step = Fetch | Sleep | Cancel


@dataclass(frozen=True)
class WaitOptions:
    """The checked options of one wait. Build with ``WaitOptions.check``: bad values raise ``ValueError``."""

    interval: float | None
    max_wait: float | None
    raise_on: frozenset[str]
    max_poll_failures: int
    cancel_on_timeout: bool
    cancel_on_interrupt: bool
    on_poll: OnPoll | None = None
    output: StructuredOutput[Any] | None = None
    """``text_format``: how the shells parse the program's final response (``_structured.parsing``)."""

    @classmethod
    def check(
        cls,
        poll_interval_ms: object,
        max_wait_seconds: object,
        raise_on: Collection[str],
        max_poll_failures: object,
        cancel_on_timeout: bool,
        cancel_on_interrupt: bool,
        on_poll: OnPoll | None = None,
        output: StructuredOutput[Any] | None = None,
    ) -> WaitOptions:
        if not isinstance(max_poll_failures, int) or isinstance(max_poll_failures, bool) or max_poll_failures < 1:
            raise ValueError(f"max_poll_failures must be a whole number >= 1, not {max_poll_failures!r}")
        if on_poll is not None and not callable(on_poll):
            raise ValueError(f"on_poll must be a callable taking a PollEvent, or None, not {on_poll!r}")
        return cls(
            interval=_seconds("poll_interval_ms", poll_interval_ms, scale=1000),
            max_wait=_seconds("max_wait_seconds", max_wait_seconds, scale=1),
            raise_on=normalize_raise_on(raise_on),
            max_poll_failures=max_poll_failures,
            cancel_on_timeout=cancel_on_timeout,
            cancel_on_interrupt=cancel_on_interrupt,
            on_poll=on_poll,
            output=output,
        )


def check_response_id(response_id: object) -> str:
    """The id to poll; an empty or non-string id is a ``ValueError``, as in the SDK's ``retrieve``."""
    if not isinstance(response_id, str) or not response_id:
        raise ValueError(f"Expected a non-empty value for `response_id` but received {response_id!r}")
    return response_id


def _seconds(name: str, value: object, *, scale: int) -> float | None:
    """An optional, finite, non-negative duration; ``omit``/None mean "not given"."""
    if value is None or isinstance(value, (Omit, NotGiven)):
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError(f"{name} must be a number, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    return value / scale


def poll_program(
    rid: str,
    options: WaitOptions,
    *,
    dispatch: Dispatch,
    clock: Callable[[], float],
    first: tuple[Response, HttpResponse] | None = None,
    first_delay: float = 0.0,
) -> Generator[Step, Any, Response]:
    """Wait for response ``rid`` to finish; return it, or raise what its end means.

    ``first`` is an answer already in hand (the create call's), read as if it were the first poll.
    ``first_delay`` holds the first poll back (many jobs started together spread their polls).
    """
    deadline = None if options.max_wait is None else clock() + options.max_wait
    failures = polls = 0
    last: Response | None = None
    observed = first
    report = _reporter(rid, options)
    if first is None and first_delay > 0:
        yield Sleep(first_delay if options.max_wait is None else min(first_delay, options.max_wait))
    while True:
        delay = 0.0  # every path below sets it before use; a type checker cannot tell
        failed: Exception | None = None
        if observed is None:
            try:
                observed = _observe((yield FETCH), rid)
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
            observed, failures, last = None, 0, result
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
            logger.debug("poll %s: status=%s, next poll in %.3fs", rid, status, delay)
            # A sleeping job keeps its last ``Response``, not the HTTP exchange it came in (request,
            # headers, body: ~10 KB), which adds up over a thousand jobs waiting at once.
            del http_response
        if deadline is not None:
            remaining = deadline - clock()
            if remaining <= 0:
                report(_status_of(last) if failed is None else None, polls, failures, None, last, failed)
                yield from _time_out(rid, options, last)
            delay = min(delay, remaining)
        report(_status_of(last) if failed is None else None, polls, failures, delay, last, failed)
        failed = None
        yield Sleep(delay)


_Report = Callable[[str | None, int, int, "float | None", "Response | None", "Exception | None"], None]


def _reporter(rid: str, options: WaitOptions) -> _Report:
    """What tells ``options.on_poll`` of each poll; a no-op without one, so a plain wait builds no events.
    An observer's exception ends the wait, naming the response, so a failing journal is never silent."""
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
    found = getattr(result, "id", None)
    if isinstance(found, str) and found != rid:
        logger.debug("poll %s: answered for another response, raising ResponseMalformedError", rid)
        raise malformed_answer_error(rid, http_response, f"it is the answer for another response, {found!r}")


def _time_out(rid: str, options: WaitOptions, last: Response | None) -> Generator[Step, Any, None]:
    """Raise ``ResponsePollTimeoutError``, first sending the cancel request if the caller asked for it."""
    if not options.cancel_on_timeout:
        raise _timeout_error(rid, options, last, f"it may still be running: resume with client.responses.poll({rid!r})")
    try:
        yield CANCEL
    except Exception as cancel_error:
        error = _timeout_error(
            rid, options, last, f"cancelling it failed ({type(cancel_error).__name__}), so it may still be running"
        )
        _add_note(error, f"cancel_on_timeout: POST /responses/{rid}/cancel failed: {cancel_error}")
        raise error  # noqa: B904 - the cancel failure stays reachable as __context__
    raise _timeout_error(rid, options, last, "a cancel request was sent (cancel_on_timeout=True)")


def _timeout_error(rid: str, options: WaitOptions, last: Response | None, outcome: str) -> ResponsePollTimeoutError:
    status = _status_of(last)
    return ResponsePollTimeoutError(
        f"Background response {rid} did not finish within {options.max_wait:g} s "
        f"(last status: {status or 'none seen'}); {outcome}",
        response_id=rid,
        last_status=status,
        last_response=last,
    )


def attach_response_id(error: BaseException, rid: str, *, failures: int | None = None) -> None:
    """Name the response on an exception leaving a wait, so the job is never lost: attribute
    ``response_id`` and a note saying how to resume."""
    if getattr(error, "response_id", None) is not None:
        return
    try:
        error.response_id = rid  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - exceptions with __slots__
        return
    after = f" after {failures} failed poll(s) in a row" if failures else ""
    _add_note(
        error,
        f"Background response {rid}: polling stopped{after}; the job may still be running. "
        f"Resume with client.responses.poll({rid!r}).",
    )


def _add_note(error: BaseException, note: str) -> None:
    add_note = getattr(error, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(note)
    elif error.args and isinstance(error.args[0], str):  # Python 3.10: no notes, extend the message
        error.args = (f"{error.args[0]}\n{note}", *error.args[1:])


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
    "FETCH",
    "Finished",
    "Sleep",
    "WaitOptions",
    "advance",
    "check_response_id",
    "poll_program",
    "run_async",
    "run_sync",
]
