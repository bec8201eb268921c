"""How long to wait, kept apart from what to do.

Two different waits live here and never mix:

* the *cadence* of polling a response that is still running: the caller's ``poll_interval_ms`` if given,
  else the ``openai-poll-after-ms`` hint of the latest answer (read again on every poll), else one second;
* the *backoff* after one poll that failed (connection error, timeout, 408/409/429/5xx, an unreadable
  body): capped exponential with jitter, or the failing answer's own ``retry-after`` style hint.

Both are bounded by the caller's deadline in ``_loop.py``. Every server hint (``openai-poll-after-ms``,
``retry-after``, ``retry-after-ms``) is clamped to ``[HINT_FLOOR, HINT_CEILING]`` seconds: an infinite or
absurdly large one waits the ceiling, a negative or zero one the floor, a non-number (NaN included) is
ignored. The caller's own ``poll_interval_ms`` is not a hint and is used as given.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Final

from openai._exceptions import APIConnectionError, APIStatusError

from .._errors.exceptions import ResponseMalformedError

DEFAULT_POLL_INTERVAL: Final = 1.0
"""Seconds between polls when neither the caller nor the server says otherwise."""

BACKOFF_INITIAL: Final = 0.5
BACKOFF_MAX: Final = 30.0
HINT_CEILING: Final = 60.0
"""A server hint is honoured up to this many seconds, so a stray proxy header cannot stall a job for hours
(or, as ``1e13`` ms, overflow a sleep)."""
HINT_FLOOR: Final = 0.05
"""A server hint waits at least this many seconds, so a ``0`` hint polls a job at most 20 times a second
instead of hammering the server (a ``0`` once gave 1,715 polls in 3 s); fast hints of 50 ms and more are
honoured as given."""
MAX_RETRY_HINT: Final = HINT_CEILING

_TRANSIENT_STATUS_CODES: Final = frozenset({408, 409, 429})


def next_poll_delay(custom_interval: float | None, headers: Mapping[str, str]) -> float:
    """Seconds until the next poll of a running response."""
    if custom_interval is not None:
        return custom_interval
    hint = _milliseconds(headers.get("openai-poll-after-ms"))
    return DEFAULT_POLL_INTERVAL if hint is None else clamp_hint(hint)


def failure_backoff(failures: int, headers: Mapping[str, str] | None) -> float:
    """Seconds until the poll after the ``failures``-th consecutive failed one."""
    if headers is not None:
        hint = retry_hint(headers)
        if hint is not None:
            return hint
    ceiling = min(BACKOFF_MAX, BACKOFF_INITIAL * 2.0 ** min(failures - 1, 32))
    jitter: float = random.random()
    return ceiling * (1 - 0.25 * jitter)


def worst_failure_backoff(max_poll_failures: int) -> float:
    """The most a job whose every poll fails waits between its polls before giving up, without a deadline
    and without hints: 121.5 s for the default ten failures (0.5, 1, 2, ... 16, then 30 s each), plus the
    time of the polls themselves. A failing answer's hint can stretch one wait to ``HINT_CEILING``."""
    return sum(min(BACKOFF_MAX, BACKOFF_INITIAL * 2.0 ** min(n - 1, 32)) for n in range(1, max_poll_failures))


def retry_hint(headers: Mapping[str, str]) -> float | None:
    """The wait a failing answer asks for, in seconds, clamped: ``retry-after-ms``, ``retry-after`` (seconds
    or an HTTP date) or ``openai-poll-after-ms``, first one readable wins."""
    hint = _milliseconds(headers.get("retry-after-ms"))
    if hint is None:
        hint = _retry_after(headers.get("retry-after"))
    if hint is None:
        hint = _milliseconds(headers.get("openai-poll-after-ms"))
    return None if hint is None else clamp_hint(hint)


def clamp_hint(seconds: float) -> float:
    """A server's hint in seconds, held to ``[HINT_FLOOR, HINT_CEILING]`` (infinity included)."""
    return min(HINT_CEILING, max(HINT_FLOOR, seconds))


def is_transient(error: BaseException) -> bool:
    """Whether one failed poll is worth repeating: the job is likely still running and fine."""
    if isinstance(error, APIConnectionError):  # APITimeoutError included
        return True
    if isinstance(error, ResponseMalformedError):  # an HTML page from a proxy, an empty body
        return True
    if isinstance(error, APIStatusError):
        code = error.status_code
        return code in _TRANSIENT_STATUS_CODES or code >= 500
    return False


def failure_headers(error: BaseException) -> Mapping[str, str] | None:
    """The headers of the HTTP answer behind a failed poll, if there was one."""
    if isinstance(error, APIStatusError):
        return error.response.headers
    return None


def _milliseconds(value: str | None) -> float | None:
    seconds = _number(value)
    return None if seconds is None else seconds / 1000


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
        return when.timestamp() - time.time()
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number
