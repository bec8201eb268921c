"""The sync and async shells of background streams, as functions of a responses resource.

Each shell only does the program's steps, through the I/O of ``_io.py``; the decisions are
``_streams.stream_program``'s. Waiting (``poll(..., wait="stream")``) drives it with ``run_sync``/
``run_async`` and, when the stream cannot finish the wait, hands over to the poll shells of
``_waiting.py`` with what is left of the deadline. The event iterators drive it with ``iterate_sync``/
``iterate_async``. Async reads are bounded by the deadline exactly (a cancel scope); sync reads by the
stream request's timeouts, shortened to the time left when the stream was opened.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Literal

import anyio
from openai.types.responses import Response

from .._errors.redact import redacting, redactor_for
from .._waits.observers import StreamRecorder
from .._waits.program import WaitOptions, run_async, run_sync
from .._waits.shells import (
    CANCEL_TIMEOUT,
    _clock,
    _dispatch,
    cancel_quietly,
    cancel_quietly_async,
    wait_async,
    wait_sync,
)
from .._waits.structured import parsing
from ._endings import pending
from ._io import AsyncStreamIO, StreamRequest, SyncStreamIO
from ._program import Program, stream_program
from ._steps import StreamPosition, iterate_async, iterate_sync

if TYPE_CHECKING:
    from openai.resources.responses import AsyncResponses, Responses
    from openai.types.responses import ResponseStreamEvent

    from .._compat import HttpResponse
    from .._waits.program import Dispatch

__all__ = [
    "check_wait",
    "stream_create_params",
    "stream_events_async",
    "stream_events_sync",
    "stream_wait_async",
    "stream_wait_sync",
]

logger = logging.getLogger("openai_background")

WaitMode = Literal["poll", "stream"]


def check_wait(wait: object) -> WaitMode:
    """``wait`` checked: "poll" or "stream", anything else is a ``ValueError``."""
    if wait == "poll":
        return "poll"
    if wait == "stream":
        return "stream"
    raise ValueError(f'wait must be "poll" or "stream", not {wait!r}')


def stream_create_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``responses.create`` parameters for a streamed background job: ``stream`` refused, ``background``
    forced."""
    if "stream" in params:
        raise ValueError("create_and_stream always streams; leave `stream` out")
    if params.get("background", True) is not True:
        raise ValueError("create_and_stream always creates with background=True; leave `background` out")
    return {**params, "background": True, "stream": True}


def stream_wait_sync(
    resource: Responses,
    rid: str,
    options: WaitOptions,
    *,
    first: tuple[Response, HttpResponse] | None = None,
    extra_headers: Mapping[str, Any] | None = None,
    extra_query: Mapping[str, object] | None = None,
    timeout: Any,
) -> Response:
    """``poll(..., wait="stream")``: the outcomes of ``wait_sync``, read from the stream; polls instead when
    the stream is refused. A terminal ``first`` answer is dispatched without any request; a pending one is
    ``on_poll``'s first event, and the fallback's polls are numbered after the events already reported."""
    if first is not None and not pending(first[0]):
        return wait_sync(resource, rid, options, first=first, extra_headers=extra_headers, timeout=timeout)
    position = StreamPosition(rid)
    clock = _clock(resource, time.monotonic)
    started = clock()
    io = SyncStreamIO(resource, position, StreamRequest(extra_headers, extra_query, timeout=timeout))
    program = _program(resource, position, options, clock, fallback=True, first=None if first is None else first[0])
    try:
        outcome = run_sync(program, io.perform)
    except KeyboardInterrupt:
        if options.cancel_on_interrupt:
            cancel_quietly(resource, rid)
        raise
    finally:
        io.close()
    if isinstance(outcome, Response):
        return outcome
    logger.debug("stream %s: %s; polling", rid, outcome.reason)
    rest = _rest_of(options, started, clock)
    return wait_sync(
        resource,
        rid,
        rest,
        extra_headers=extra_headers,
        extra_query=extra_query,
        timeout=timeout,
        reported=outcome.reported,
    )


async def stream_wait_async(
    resource: AsyncResponses,
    rid: str,
    options: WaitOptions,
    *,
    first: tuple[Response, HttpResponse] | None = None,
    extra_headers: Mapping[str, Any] | None = None,
    extra_query: Mapping[str, object] | None = None,
    timeout: Any,
) -> Response:
    """The async ``stream_wait_sync``; a cancelled task with ``cancel_on_interrupt`` sends the cancel
    request in a shielded, bounded scope, then re-raises the cancellation."""
    if first is not None and not pending(first[0]):
        return await wait_async(resource, rid, options, first=first, extra_headers=extra_headers, timeout=timeout)
    position = StreamPosition(rid)
    clock = _clock(resource, anyio.current_time)
    started = clock()
    io = AsyncStreamIO(resource, position, StreamRequest(extra_headers, extra_query, timeout=timeout))
    program = _program(resource, position, options, clock, fallback=True, first=None if first is None else first[0])
    try:
        outcome = await run_async(program, io.perform)
    except anyio.get_cancelled_exc_class():
        if options.cancel_on_interrupt:
            with anyio.CancelScope(shield=True), anyio.move_on_after(CANCEL_TIMEOUT):
                await cancel_quietly_async(resource, rid)
        raise
    finally:
        await io.aclose()
    if isinstance(outcome, Response):
        return outcome
    logger.debug("stream %s: %s; polling", rid, outcome.reason)
    rest = _rest_of(options, started, clock)
    return await wait_async(
        resource,
        rid,
        rest,
        extra_headers=extra_headers,
        extra_query=extra_query,
        timeout=timeout,
        reported=outcome.reported,
    )


def _program(
    resource: Responses | AsyncResponses,
    position: StreamPosition,
    options: WaitOptions,
    clock: Callable[[], float],
    *,
    fallback: bool,
    dispatch: Dispatch | None = None,
    first: Response | None = None,
    deliver_failures: bool = True,
) -> Program:
    """The one stream program every shell drives: its final ``Response`` parsed (``text_format``) and kept on
    ``position``, every exception scrubbed of the client's secrets. ``dispatch`` replaces the client's
    ``_make_background_failure_error``; ``first`` is the create answer a wait starts from; ``deliver_failures``
    as in ``stream_program``."""
    program = stream_program(
        position,
        options,
        dispatch=dispatch or _dispatch(resource),
        clock=clock,
        fallback=fallback,
        first=first,
        deliver_failures=deliver_failures,
    )
    return redacting(parsing(program, options.output, keep=position.keep_final), redactor_for(resource))


def _rest_of(options: WaitOptions, started: float, clock: Callable[[], float]) -> WaitOptions:
    """The options for polling the rest of a wait: the same, with what is left of the deadline."""
    if options.max_wait is None:
        return options
    return dataclasses.replace(options, max_wait=max(0.0, options.max_wait - (clock() - started)))


def stream_events_sync(
    resource: Responses,
    position: StreamPosition,
    options: WaitOptions,
    request: StreamRequest,
    dispatch: Dispatch | None = None,
    *,
    deliver_failures: bool = True,
) -> Generator[ResponseStreamEvent, None, None]:
    """The events of ``position``'s stream, read to its end with blocking I/O. ``dispatch`` replaces the
    client's ``_make_background_failure_error``; ``deliver_failures`` as in ``stream_program``."""
    io = SyncStreamIO(resource, position, request)
    clock = _clock(resource, time.monotonic)
    program = _program(
        resource, position, options, clock, fallback=False, dispatch=dispatch, deliver_failures=deliver_failures
    )
    recorder = StreamRecorder(resource, position, request.create_params)  # the client's journal, if any
    try:
        for event in iterate_sync(program, io.perform):
            recorder.seen()
            yield event
    finally:
        io.close()
        recorder.ended()


async def stream_events_async(
    resource: AsyncResponses,
    position: StreamPosition,
    options: WaitOptions,
    request: StreamRequest,
    dispatch: Dispatch | None = None,
    *,
    deliver_failures: bool = True,
) -> AsyncGenerator[ResponseStreamEvent, None]:
    """The events of ``position``'s stream, read to its end in a task. ``dispatch`` and ``deliver_failures``
    as in the sync one."""
    io = AsyncStreamIO(resource, position, request)
    clock = _clock(resource, anyio.current_time)
    program = _program(
        resource, position, options, clock, fallback=False, dispatch=dispatch, deliver_failures=deliver_failures
    )
    events = iterate_async(program, io.perform)
    recorder = StreamRecorder(resource, position, request.create_params)  # the client's journal, if any
    try:
        async for event in events:
            recorder.seen()
            yield event
    finally:
        await events.aclose()
        await io.aclose()
        recorder.ended()
