"""What the integration tests share: the loopback guard (installed when this module is imported, before any
framework is), the job scripts, and small readers of what the fake server saw."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from openai_background.testing import Answer, FakeResponsesServer, JobScript

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
OUTSIDE: list[str] = []
"""Every refused connect or lookup since the last test started (and those made while importing)."""


def _refuse(target: object) -> OSError:
    OUTSIDE.append(repr(target))
    return ConnectionRefusedError(f"tests/integrations: no network but loopback (tried {target!r})")


def _guard(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(self: socket.socket, address: Any, *args: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            raise _refuse(address)
        return original(self, address, *args)

    return connect


_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name not in LOOPBACK:
        raise socket.gaierror(socket.EAI_NONAME, str(_refuse(name)))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guard(socket.socket.connect)  # type: ignore[method-assign]
socket.socket.connect_ex = _guard(socket.socket.connect_ex)  # type: ignore[method-assign]
socket.getaddrinfo = _loopback_getaddrinfo


POLL = {"poll_interval_ms": 20, "max_wait_seconds": 30}
"""Poll options for every mode: fast polls, and a bound so no test can hang."""


def script(outcome: str, text: str = "hello") -> JobScript:
    """A job that is still queued when created and polls once in progress, then ends in ``outcome``:
    ``completed``, ``cancelled``, ``error_null`` (``failed`` with ``error: null``), or a failure code."""
    if outcome == "completed":
        return JobScript.completed(output_text=text, polls=1)
    if outcome == "cancelled":
        return JobScript.cancelled(polls=1)
    if outcome == "error_null":
        return JobScript.of(Answer.state("in_progress"), Answer.state("failed"))
    return JobScript.failed(outcome, message=f"the fake job failed with {outcome}", polls=1)


def creates(server: FakeResponsesServer) -> int:
    """How many ``POST /v1/responses`` (jobs started) the server saw."""
    return sum(1 for r in server.requests if r.method == "POST" and r.path == "/v1/responses")


def background_failure(err: BaseException) -> Any:
    """The package's ``BackgroundResponseError`` in ``err``'s cause/context chain, or None."""
    from openai_background import BackgroundResponseError

    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, BackgroundResponseError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
