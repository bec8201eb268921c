"""Requests that cannot outlive a deadline: the I/O side of ``max_wait_seconds`` and of the cancel bound.

The poll and stream programs say how long each request may take (``Fetch.within``, ``Cancel.within``,
``OpenStream.within``, ``NextEvent.within``); the shells perform the request through this module, which
holds it to that bound whatever the server does:

* the SDK's own retries are off for it (``_requests.without_retries``): a ``503`` with ``retry-after: 100`` comes back
  at once as the ``APIStatusError`` it is, and the program's own backoff (clamped hints, bounded by the
  deadline) decides whether to try again. Every attempt counts toward ``max_poll_failures``;
* every phase timeout of the request (connect, read, write, pool) is at most the time left
  (``bounded_timeout``), so a stalled server is given up on in time;
* the whole request is bounded too, since a server dripping one byte per second never trips a read
  timeout: async, by a cancel scope (``call_within_async``); sync, by running the request on a daemon
  thread and abandoning it when the time is up (``call_within_sync``). An abandoned request ends on its own
  timeouts (at most the time it was given) and never holds up the process's exit.

A request that runs out of time raises ``openai.APITimeoutError``, the SDK's own, so callers and the
programs treat it as the transient failure a timeout always was. Without a deadline (``within`` None)
requests run exactly as the SDK runs them.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import anyio
from openai import APITimeoutError
from openai._types import NotGiven

from .._compat import Timeout, http_library

__all__ = [
    "CANCEL_TIMEOUT",
    "MIN_REQUEST_WINDOW",
    "OutOfTime",
    "bounded_timeout",
    "call_within_async",
    "call_within_sync",
    "out_of_time",
]

T = TypeVar("T")

CANCEL_TIMEOUT: Final = 10.0
"""Seconds a cancel request sent on timeout or interrupt may take in all (its one attempt, no SDK
retries); it must not hold the caller long."""

MIN_REQUEST_WINDOW: Final = 0.1
"""Seconds the last poll before a deadline is given even when the program slept right up to the
deadline: that poll may still find the job done. It is the most a deadline is overshot by design."""


def bounded_timeout(timeout: Any, within: float | None, default: Any) -> Any:
    """``timeout`` (or the client's ``default``), with no phase longer than ``within`` seconds."""
    if within is None:
        return timeout
    base = default if isinstance(timeout, NotGiven) else timeout
    if isinstance(base, Timeout):
        return Timeout(
            connect=_shorter(base.connect, within),
            read=_shorter(base.read, within),
            write=_shorter(base.write, within),
            pool=_shorter(base.pool, within),
        )
    return _shorter(base if isinstance(base, (int, float)) else None, within)


def _shorter(value: float | None, within: float) -> float:
    return within if value is None else min(value, within)


class OutOfTime(APITimeoutError):
    """A request cut short because its bound ran out (rather than one of its own phase timeouts): the SDK's
    ``APITimeoutError``, so it is handled as every timeout is."""


def out_of_time(what: str, within: float) -> OutOfTime:
    """The timeout error for a request cut short after ``within`` seconds."""
    request = http_library().Request("GET", "/responses")  # a stand-in: the SDK error needs a request
    error = OutOfTime(request=request)
    error.args = (f"{what} did not finish within {within:.3g} s (its bound: the time left, or the cancel bound)",)
    error.message = error.args[0]
    return error


def call_within_sync(
    request: Callable[[], T],
    within: float | None,
    what: str,
    *,
    abandon: Callable[[T], object] | None = None,
) -> T:
    """``request()``, given at most ``within`` seconds; None: no bound. Out of time, the request is left
    to finish on its daemon thread (``abandon`` then gets its result, to close it) and
    ``APITimeoutError`` is raised. A ``KeyboardInterrupt`` while waiting leaves it the same way."""
    if within is None:
        return request()
    result: list[T] = []
    failure: list[BaseException] = []
    done = threading.Event()
    lock = threading.Lock()
    left = [False]

    def work() -> None:
        try:
            value = request()
        except BaseException as error:
            failure.append(error)
        else:
            with lock:
                if not left[0]:
                    result.append(value)
                    done.set()
                    return
            if abandon is not None:
                abandon(value)
        done.set()

    threading.Thread(target=work, name="openai-background-request", daemon=True).start()
    try:
        finished = done.wait(max(0.0, within))
    finally:
        with lock:
            if not result and not failure:
                left[0] = True
    if not finished and not result and not failure:
        raise out_of_time(what, within)
    if failure:
        raise failure[0]
    return result[0]


async def call_within_async(request: Callable[[], Awaitable[T]], within: float | None, what: str) -> T:
    """``await request()``, given at most ``within`` seconds (None: no bound); out of time, the request is
    cancelled and ``APITimeoutError`` is raised."""
    if within is None:
        return await request()
    with anyio.move_on_after(max(0.0, within)):
        return await request()
    raise out_of_time(what, within)
