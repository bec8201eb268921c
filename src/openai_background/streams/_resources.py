"""``client.responses.stream_background`` / ``create_and_stream``: a background response's events, read
to the end, with the typed errors of ``poll``.

The methods only check their arguments and build a ``BackgroundStream`` (``AsyncBackgroundStream``)
over the shells in ``_waiting.py``; nothing is sent before the first event is asked for.
``Responses``/``AsyncResponses`` in ``_resources.py`` inherit them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Collection, Generator
from typing import TYPE_CHECKING, Any, Generic, cast, overload

from openai._types import NOT_GIVEN, NotGiven, Omit
from openai.resources.responses import AsyncResponses as _AsyncResponses
from openai.resources.responses import Responses as _Responses
from openai.types.responses import ParsedResponse, Response, ResponseStreamEvent
from typing_extensions import Self, TypeVar, Unpack

from .._compat import Timeout
from .._errors.dispatch import DEFAULT_RAISE_ON
from .._waits.program import DEFAULT_MAX_POLL_FAILURES, WaitOptions, check_response_id
from .._waits.signatures import CreateAndStreamParams, StreamOptions
from .._waits.structured import StructuredOutput, structured_create, structured_output
from ._io import StreamRequest
from ._steps import StreamPosition
from ._waiting import stream_create_params, stream_events_async, stream_events_sync

if TYPE_CHECKING:
    from openai._types import Body, Headers, Query
    from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming

__all__ = ["AsyncBackgroundStream", "AsyncStreamingResponses", "BackgroundStream", "StreamingResponses"]

_OMIT: Any = Omit()
T = TypeVar("T")
R = TypeVar("R", bound=Response, default=Response)


class _Position(Generic[R]):
    _position: StreamPosition

    @property
    def response_id(self) -> str | None:
        """The response streamed; for ``create_and_stream``, None until its first event arrives."""
        return self._position.response_id

    @property
    def last_sequence_number(self) -> int | None:
        """The sequence number of the last event yielded: ``starting_after`` for a later resume."""
        return self._position.last_sequence_number

    @property
    def final_response(self) -> R | None:
        """The terminal ``Response`` once the stream ended on one (also when it was not raised); with
        ``text_format``, the SDK's ``ParsedResponse`` (the unparsed one when parsing it raised)."""
        return cast("R | None", self._position.final_response)


class BackgroundStream(_Position[R]):
    """The events of one background response, in order, each once: ``for event in stream``.

    A dropped connection is resumed after the last event yielded (``starting_after``), with the backoff,
    ``max_poll_failures`` budget and ``max_wait_seconds`` deadline of ``poll``. The terminal event is
    yielded, then the iteration raises what ``poll`` raises for that response (per ``raise_on``), or
    ends. An SSE ``error`` event is yielded, then raised as a failed response with its code would be.
    ``with`` (or ``close()``) releases the connection if you stop early.
    """

    def __init__(self, events: Generator[ResponseStreamEvent, None, None], position: StreamPosition) -> None:
        self._events = events
        self._position = position

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> ResponseStreamEvent:
        return next(self._events)

    def close(self) -> None:
        """Stop reading and close the connection. The background job itself keeps running."""
        self._events.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncBackgroundStream(_Position[R]):
    """The async ``BackgroundStream``: ``async for event in stream``; ``async with`` closes it."""

    def __init__(self, events: AsyncGenerator[ResponseStreamEvent, None], position: StreamPosition) -> None:
        self._events = events
        self._position = position

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ResponseStreamEvent:
        return await self._events.__anext__()

    async def close(self) -> None:
        """Stop reading and close the connection. The background job itself keeps running."""
        await self._events.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _starting_after(value: object) -> int | None:
    if isinstance(value, Omit) or value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"starting_after must be a sequence number (a whole number >= 0), not {value!r}")
    return value


def _options(
    max_wait_seconds: object,
    raise_on: Collection[str],
    max_failures: object,
    cancel: bool,
    output: StructuredOutput[Any] | None,
) -> WaitOptions:
    return WaitOptions.check(_OMIT, max_wait_seconds, raise_on, max_failures, cancel, False, output=output)


class StreamingResponses(_Responses):
    """The SDK's ``Responses`` plus ``stream_background`` and ``create_and_stream``."""

    @overload
    def stream_background(
        self, response_id: str, *, text_format: type[T], **options: Unpack[StreamOptions]
    ) -> BackgroundStream[ParsedResponse[T]]: ...
    @overload
    def stream_background(
        self, response_id: str, *, text_format: Omit | None = ..., **options: Unpack[StreamOptions]
    ) -> BackgroundStream: ...

    def stream_background(
        self,
        response_id: str,
        *,
        starting_after: int | Omit = _OMIT,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        text_format: type[Any] | Omit | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
    ) -> BackgroundStream[Any]:
        """Stream the events of background response ``response_id`` (after ``starting_after``) to its end.

        Yields each event once, in order, resuming dropped connections; raises at the end what ``poll``
        raises (see ``BackgroundStream``). An error that ends the stream early names the response
        (``response_id``) and says where to resume; ``ResponsePollTimeoutError`` when
        ``max_wait_seconds`` passes. A response that can no longer be streamed (the API answers 400 for
        one more than a few minutes old) raises the SDK's error: ``poll`` it instead.
        """
        position = StreamPosition(check_response_id(response_id), _starting_after(starting_after))
        options = _options(
            max_wait_seconds, raise_on, max_poll_failures, cancel_on_timeout, structured_output(text_format)
        )
        request = StreamRequest(extra_headers, extra_query, timeout=timeout)
        return BackgroundStream(stream_events_sync(self, position, options, request), position)

    @overload
    def create_and_stream(
        self, *, text_format: type[T], **params: Unpack[CreateAndStreamParams]
    ) -> BackgroundStream[ParsedResponse[T]]: ...
    @overload
    def create_and_stream(
        self, *, text_format: Omit | None = ..., **params: Unpack[CreateAndStreamParams]
    ) -> BackgroundStream: ...

    def create_and_stream(
        self,
        *,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        text_format: type[Any] | Omit | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        **params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> BackgroundStream[Any]:
        """Create a response with ``background=True, stream=True`` and stream it as ``stream_background``.

        Takes every parameter of ``responses.create`` except ``stream`` and ``background``. The request is
        sent when the first event is asked for; its own errors are raised as the SDK raises them, as is a
        drop before the first event names the response (there is nothing to resume yet).
        """
        sent, output = structured_create(text_format, params)  # text.format and tools as `parse` sends them
        options = _options(max_wait_seconds, raise_on, max_poll_failures, cancel_on_timeout, output)
        request = StreamRequest(extra_headers, extra_query, extra_body, timeout, stream_create_params(sent))
        position = StreamPosition(None)
        return BackgroundStream(stream_events_sync(self, position, options, request), position)


class AsyncStreamingResponses(_AsyncResponses):
    """The SDK's ``AsyncResponses`` plus ``stream_background`` and ``create_and_stream``."""

    @overload
    def stream_background(
        self, response_id: str, *, text_format: type[T], **options: Unpack[StreamOptions]
    ) -> AsyncBackgroundStream[ParsedResponse[T]]: ...
    @overload
    def stream_background(
        self, response_id: str, *, text_format: Omit | None = ..., **options: Unpack[StreamOptions]
    ) -> AsyncBackgroundStream: ...

    def stream_background(
        self,
        response_id: str,
        *,
        starting_after: int | Omit = _OMIT,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        text_format: type[Any] | Omit | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
    ) -> AsyncBackgroundStream[Any]:
        """The async ``Responses.stream_background`` (not awaited: ``async for event in ...``)."""
        position = StreamPosition(check_response_id(response_id), _starting_after(starting_after))
        options = _options(
            max_wait_seconds, raise_on, max_poll_failures, cancel_on_timeout, structured_output(text_format)
        )
        request = StreamRequest(extra_headers, extra_query, timeout=timeout)
        return AsyncBackgroundStream(stream_events_async(self, position, options, request), position)

    @overload
    def create_and_stream(
        self, *, text_format: type[T], **params: Unpack[CreateAndStreamParams]
    ) -> AsyncBackgroundStream[ParsedResponse[T]]: ...
    @overload
    def create_and_stream(
        self, *, text_format: Omit | None = ..., **params: Unpack[CreateAndStreamParams]
    ) -> AsyncBackgroundStream: ...

    def create_and_stream(
        self,
        *,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        text_format: type[Any] | Omit | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        **params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> AsyncBackgroundStream[Any]:
        """The async ``Responses.create_and_stream`` (not awaited: ``async for event in ...``)."""
        sent, output = structured_create(text_format, params)  # text.format and tools as `parse` sends them
        options = _options(max_wait_seconds, raise_on, max_poll_failures, cancel_on_timeout, output)
        request = StreamRequest(extra_headers, extra_query, extra_body, timeout, stream_create_params(sent))
        position = StreamPosition(None)
        return AsyncBackgroundStream(stream_events_async(self, position, options, request), position)
