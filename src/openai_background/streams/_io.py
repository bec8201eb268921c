"""The I/O of one background stream: open, read and close the SDK's stream, fetch, sleep and cancel.

``SyncStreamIO.perform`` / ``AsyncStreamIO.perform`` do one step of ``_streams.stream_program`` each:
``retrieve(id, stream=True, starting_after=N)`` (or ``create(background=True, stream=True)``) for
``OpenStream``, the next event for ``NextEvent``, the poll loop's ``FETCH``, ``Sleep`` and ``CANCEL``.
At most one stream is open at a time; ``close``/``aclose`` release it. With a deadline, every open and read
is bounded by the time left its step carries (``_deadline``): async by a cancel scope, sync by a daemon
thread it is abandoned to; an open runs without the SDK's retries, its phase timeouts shortened. A read
that runs out of time answers ``STALLED``; a sync stream left so is closed by its reader when it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from openai._types import NotGiven, Omit

from .._waits.bounded import bound_stream_events
from .._waits.deadline import OutOfTime, bounded_timeout, call_within_async, call_within_sync
from .._waits.program import Cancel, Fetch, Sleep
from .._waits.requests import cancel_async, cancel_sync, fetch_async, fetch_sync, without_retries
from .._waits.sdk_methods import sdk_method
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


class SyncStreamIO:
    """The blocking I/O of one stream program; at most one stream open at a time."""

    def __init__(self, resource: Responses, position: StreamPosition, request: StreamRequest) -> None:
        self._resource = resource
        self._position = position
        self._request = request
        self._stream: Stream[ResponseStreamEvent] | None = None

    def perform(self, step: StreamStep) -> object:
        if isinstance(step, NextEvent):
            return self._next(step.within)
        if isinstance(step, Deliver):
            return None
        if isinstance(step, OpenStream):
            self.close()
            self._stream = self._open_within(step)
            bound_stream_events(self._stream)
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
            return fetch_sync(
                self._resource,
                rid,
                step.within,
                extra_headers=request.extra_headers,
                extra_query=request.extra_query,
                timeout=request.timeout,
            )
        assert isinstance(step, Cancel)
        return cancel_sync(self._resource, rid, step.within)

    def _next(self, within: float | None) -> object:
        stream = self._stream
        assert stream is not None
        if within is None:
            return next(stream, END)
        try:
            return call_within_sync(
                lambda: next(stream, END), within, "reading the stream", abandon=_close_later(stream)
            )
        except OutOfTime:
            self._stream = None  # its reader closes it when the read ends
            return STALLED

    def _open_within(self, step: OpenStream) -> Stream[ResponseStreamEvent]:
        if step.within is None:
            return self._open(step, self._resource)
        quick = without_retries(self._resource)
        return call_within_sync(
            lambda: self._open(step, quick), step.within, "opening the stream", abandon=lambda stream: stream.close()
        )

    def _open(self, step: OpenStream, resource: Responses) -> Stream[ResponseStreamEvent]:
        request = self._request
        timeout = bounded_timeout(request.timeout, step.within, self._resource._client.timeout)
        if step.response_id is None:
            create: Any = sdk_method(resource, "create")
            return create(  # type: ignore[no-any-return]
                **(request.create_params or {}),
                extra_headers=request.extra_headers,
                extra_query=request.extra_query,
                extra_body=request.extra_body,
                timeout=timeout,
            )
        return sdk_method(resource, "retrieve")(  # type: ignore[no-any-return]
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
            self._stream = await self._open_within(step)
            bound_stream_events(self._stream)
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
            return await fetch_async(
                self._resource,
                rid,
                step.within,
                extra_headers=request.extra_headers,
                extra_query=request.extra_query,
                timeout=request.timeout,
            )
        assert isinstance(step, Cancel)
        return await cancel_async(self._resource, rid, step.within)

    async def _open_within(self, step: OpenStream) -> AsyncStream[ResponseStreamEvent]:
        if step.within is None:
            return await self._open(step, self._resource)
        quick = without_retries(self._resource)
        return await call_within_async(lambda: self._open(step, quick), step.within, "opening the stream")

    async def _open(self, step: OpenStream, resource: AsyncResponses) -> AsyncStream[ResponseStreamEvent]:
        request = self._request
        timeout = bounded_timeout(request.timeout, step.within, self._resource._client.timeout)
        if step.response_id is None:
            create: Any = sdk_method(resource, "create")
            return await create(  # type: ignore[no-any-return]
                **(request.create_params or {}),
                extra_headers=request.extra_headers,
                extra_query=request.extra_query,
                extra_body=request.extra_body,
                timeout=timeout,
            )
        return await sdk_method(resource, "retrieve")(  # type: ignore[no-any-return]
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


def _close_later(stream: Stream[ResponseStreamEvent]) -> Callable[[object], None]:
    """What a read abandoned at the deadline does once it ends: close the stream it read from."""

    def close(_: object) -> None:
        stream.close()

    return close
