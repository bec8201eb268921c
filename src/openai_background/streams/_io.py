"""The I/O of one background stream: open, read and close the SDK's stream, fetch, sleep and cancel.

``SyncStreamIO.perform`` / ``AsyncStreamIO.perform`` do one step of ``_streams.stream_program`` each:
``retrieve(id, stream=True, starting_after=N)`` (or ``create(background=True, stream=True)``) for
``OpenStream``, the next event for ``NextEvent``, the poll loop's ``FETCH``, ``Sleep`` and ``CANCEL``.
At most one stream is open at a time; ``close``/``aclose`` release it. Async reads are bounded by the
deadline exactly (a cancel scope); every request's timeouts are shortened to the time left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from openai._types import NotGiven, Omit

from .._compat import Timeout
from .._loop import Cancel, Fetch, Sleep
from .._waiting import CANCEL_TIMEOUT, sdk_method, sdk_raw
from ._steps import END, STALLED, CloseStream, Deliver, NextEvent, OpenStream, StreamPosition, StreamStep

if TYPE_CHECKING:
    from openai._streaming import AsyncStream, Stream
    from openai.resources.responses import AsyncResponses, Responses
    from openai.types.responses import ResponseStreamEvent

__all__ = ["AsyncStreamIO", "StreamRequest", "SyncStreamIO", "bounded_timeout"]

_NOT_GIVEN: Any = NotGiven()
_OMIT: Any = Omit()


@dataclass(frozen=True)
class StreamRequest:
    """What every request of one stream passes through: the caller's extras, timeout, create parameters."""

    extra_headers: Mapping[str, Any] | None = None
    extra_query: Mapping[str, object] | None = None
    extra_body: object | None = None
    timeout: Any = _NOT_GIVEN
    create_params: Mapping[str, Any] | None = None


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


class SyncStreamIO:
    """The blocking I/O of one stream program; at most one stream open at a time."""

    def __init__(self, resource: Responses, position: StreamPosition, request: StreamRequest) -> None:
        self._resource = resource
        self._position = position
        self._request = request
        self._stream: Stream[ResponseStreamEvent] | None = None

    def perform(self, step: StreamStep) -> object:
        if isinstance(step, NextEvent):
            assert self._stream is not None
            return next(self._stream, END)
        if isinstance(step, Deliver):
            return None
        if isinstance(step, OpenStream):
            self.close()
            self._stream = self._open(step)
            return self._stream
        if isinstance(step, CloseStream):
            self.close()
            return None
        if isinstance(step, Sleep):
            self._resource._sleep(step.seconds)
            return None
        rid = str(self._position.response_id)
        request = self._request
        if isinstance(step, Fetch):
            return sdk_raw(self._resource, "retrieve")(
                rid, extra_headers=request.extra_headers, extra_query=request.extra_query, timeout=request.timeout
            )
        assert isinstance(step, Cancel)
        return self._resource.cancel(rid, timeout=CANCEL_TIMEOUT)

    def _open(self, step: OpenStream) -> Stream[ResponseStreamEvent]:
        request = self._request
        timeout = bounded_timeout(request.timeout, step.within, self._resource._client.timeout)
        if step.response_id is None:
            create: Any = sdk_method(self._resource, "create")
            return create(  # type: ignore[no-any-return]
                **(request.create_params or {}),
                extra_headers=request.extra_headers,
                extra_query=request.extra_query,
                extra_body=request.extra_body,
                timeout=timeout,
            )
        return sdk_method(self._resource, "retrieve")(  # type: ignore[no-any-return]
            step.response_id,
            stream=True,
            starting_after=_OMIT if step.starting_after is None else step.starting_after,
            extra_headers=request.extra_headers,
            extra_query=request.extra_query,
            timeout=timeout,
        )

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()


class AsyncStreamIO:
    """The async I/O of one stream program; at most one stream open at a time."""

    def __init__(self, resource: AsyncResponses, position: StreamPosition, request: StreamRequest) -> None:
        self._resource = resource
        self._position = position
        self._request = request
        self._stream: AsyncStream[ResponseStreamEvent] | None = None

    async def perform(self, step: StreamStep) -> object:
        if isinstance(step, NextEvent):
            assert self._stream is not None
            if step.within is None:
                return await anext(self._stream, END)
            with anyio.move_on_after(step.within):
                return await anext(self._stream, END)
            return STALLED
        if isinstance(step, Deliver):
            return None
        if isinstance(step, OpenStream):
            await self.aclose()
            self._stream = await self._open(step)
            return self._stream
        if isinstance(step, CloseStream):
            await self.aclose()
            return None
        if isinstance(step, Sleep):
            await self._resource._sleep(step.seconds)
            return None
        rid = str(self._position.response_id)
        request = self._request
        if isinstance(step, Fetch):
            return await sdk_raw(self._resource, "retrieve")(
                rid, extra_headers=request.extra_headers, extra_query=request.extra_query, timeout=request.timeout
            )
        assert isinstance(step, Cancel)
        return await self._resource.cancel(rid, timeout=CANCEL_TIMEOUT)

    async def _open(self, step: OpenStream) -> AsyncStream[ResponseStreamEvent]:
        request = self._request
        timeout = bounded_timeout(request.timeout, step.within, self._resource._client.timeout)
        if step.response_id is None:
            create: Any = sdk_method(self._resource, "create")
            return await create(  # type: ignore[no-any-return]
                **(request.create_params or {}),
                extra_headers=request.extra_headers,
                extra_query=request.extra_query,
                extra_body=request.extra_body,
                timeout=timeout,
            )
        return await sdk_method(self._resource, "retrieve")(  # type: ignore[no-any-return]
            step.response_id,
            stream=True,
            starting_after=_OMIT if step.starting_after is None else step.starting_after,
            extra_headers=request.extra_headers,
            extra_query=request.extra_query,
            timeout=timeout,
        )

    async def aclose(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with anyio.CancelScope(shield=True):
                await stream.close()
