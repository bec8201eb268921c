"""Poll rate limiting of the fake server: past N polls in any one second, a poll gets 429 as OpenAI answers it.

The window slides: a poll is refused while ``limit`` polls were served in the second before it. A refused
poll does not count. The 429 carries OpenAI's headers: ``retry-after`` (whole seconds, rounded up),
``retry-after-ms`` (which the SDK reads first), ``x-ratelimit-limit-requests``,
``x-ratelimit-remaining-requests: 0`` and ``x-ratelimit-reset-requests`` (``"350ms"``), and a
``rate_limit_exceeded`` error body.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque

from ._http import Reply

__all__ = ["PollRateLimit"]

_WINDOW = 1.0


class PollRateLimit:
    """At most ``limit`` polls served per sliding second; ``check`` says whether one more may be served."""

    def __init__(self, limit: int) -> None:
        self.limit = _checked_limit(limit)
        self._lock = threading.Lock()
        self._served: deque[float] = deque()
        self._refused: list[float] = []

    def check(self) -> Reply | None:
        """Count a poll now: None if it may be served, else the 429 reply it gets."""
        now = time.monotonic()
        with self._lock:
            while self._served and self._served[0] <= now - _WINDOW:
                self._served.popleft()
            if len(self._served) < self.limit:
                self._served.append(now)
                return None
            self._refused.append(now)
            wait = max(0.001, self._served[0] + _WINDOW - now)
        return _too_many(self.limit, wait)

    @property
    def refused(self) -> list[float]:
        """``time.monotonic()`` of every poll answered 429, in order."""
        with self._lock:
            return list(self._refused)


def _checked_limit(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"max_polls_per_second must be a whole number >= 1, not {value!r}")
    return value


def _too_many(limit: int, wait: float) -> Reply:
    milliseconds = math.ceil(wait * 1000)
    body = {
        "error": {
            "message": f"Rate limit reached for requests: limit {limit} per 1s (fake server). "
            f"Please try again in {milliseconds}ms.",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    headers = {
        "content-type": "application/json",
        "retry-after": str(math.ceil(wait)),
        "retry-after-ms": str(milliseconds),
        "x-ratelimit-limit-requests": str(limit),
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": f"{milliseconds}ms",
    }
    return Reply(429, json.dumps(body).encode(), headers)
