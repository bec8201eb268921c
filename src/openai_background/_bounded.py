"""Reading a server's answer with a ceiling on its size, so no answer can make a wait hold unbounded memory.

A poll's answer is read through ``with_streaming_response.retrieve(...)``: its body arrives decompressed, chunk
by chunk (``iter_bytes``), and reading stops as soon as it passes ``MAX_ANSWER_BYTES``. A 1 GiB gzip bomb or
a 200 MB body is refused after the first ~32 MiB, as a ``ResponseMalformedError`` naming the response, which
the poll loop retries like any unreadable answer. A background stream's events go through the same ceiling,
per event (``MAX_EVENT_BYTES``), by wrapping the SDK stream's SSE decoder before its first read.

One decision, ``Ceiling.take``, says whether a chunk may be kept. Its I/O shells: ``fetch_bounded_sync``
and ``fetch_bounded_async`` (a poll), ``create_bounded_sync``/``create_bounded_async`` (the create answer of
``create_and_poll``, its first poll) and ``BoundedSSEDecoder`` (a stream). The SDK still reads the bodies of
the error answers (4xx/5xx) it raises itself, before this module sees them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from openai._exceptions import APIConnectionError, APITimeoutError
from openai._models import BaseModel, add_request_id
from openai.types.responses import Response

from ._answers import malformed_answer_error
from ._exceptions import ResponseMalformedError
from ._sdk_methods import sdk_streamed

if TYPE_CHECKING:
    from openai._streaming import AsyncStream, Stream
    from openai.resources.responses import AsyncResponses, Responses

    from ._compat import HttpResponse

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_EVENT_BYTES",
    "AnswerTooLarge",
    "BoundedAnswer",
    "BoundedSSEDecoder",
    "Ceiling",
    "bound_stream_events",
    "create_bounded_async",
    "create_bounded_sync",
    "fetch_bounded_async",
    "fetch_bounded_sync",
]

MAX_ANSWER_BYTES: Final = 32 * 1024 * 1024
"""A poll answer (decompressed) larger than this is refused unread. Real answers are kilobytes; the largest
(several base64 images from ``image_generation`` calls, very long outputs) are a few MiB. 32 MiB keeps an
order of magnitude of room while bounding what one answer costs to parse (a few hundred MB at worst)."""
MAX_EVENT_BYTES: Final = MAX_ANSWER_BYTES
"""One SSE event (decompressed) larger than this ends the stream as unreadable. The terminal event carries
the whole ``Response``, so one event may be as large as a poll answer, and no larger."""

_BOUNDARIES: Final = (b"\n\n", b"\r\r", b"\n\r")


class AnswerTooLarge(Exception):
    """Raised inside a stream's decoder when one event passes its ceiling; ``_endings.read_failure`` turns it
    into the ``ResponseMalformedError`` of that stream."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"an answer passed {_mebibytes(limit)}")
        self.limit = limit


@dataclass
class Ceiling:
    """The one decision: may this chunk be kept? Counts bytes since the last reset (a whole body, or one
    SSE event when ``per_event``); ``take`` returns False once ``limit`` is passed."""

    limit: int
    per_event: bool = False
    size: int = 0
    _tail: bytes = b""  # the last byte seen, for a blank line split across two chunks

    def take(self, chunk: bytes) -> bool:
        if not self.per_event:
            self.size += len(chunk)
            return self.size <= self.limit
        end = _last_event_end(self._tail, chunk)
        self.size = self.size + len(chunk) if end is None else len(chunk) - end
        self._tail = chunk[-1:] or self._tail
        return self.size <= self.limit


def _last_event_end(tail: bytes, chunk: bytes) -> int | None:
    """Where in ``chunk`` the last event ended (just after two line ends in a row: ``\\n\\n``, ``\\r\\r``,
    ``\\n\\r``, which every SSE blank line contains), or None. A pair may straddle ``tail`` and ``chunk``."""
    ends = [chunk.rfind(mark) + 2 for mark in _BOUNDARIES if mark in chunk]
    if not ends and tail + chunk[:1] in _BOUNDARIES:
        return 1
    return max(ends, default=None)


@dataclass(frozen=True)
class BoundedAnswer:
    """A poll's answer read within the ceiling: what ``_dispatch.parse_answer`` needs (``http_response``,
    ``parse()``), plus ``body``, the decompressed bytes, for an error to quote."""

    http_response: HttpResponse
    body: bytes
    process: Callable[..., object] = field(repr=False)
    """The client's ``_process_response_data``: the SDK's own lenient (or strict) model building."""
    wrapper: Any = field(default=None, repr=False)
    """The SDK's streamed answer this was read from (its ``http_response`` now holds ``body`` as read), so a
    caller can hand back the SDK's own raw wrapper around the final poll."""

    def parse(self) -> object:
        """The ``Response`` in the body, built as the SDK builds it; raises what decoding raises."""
        data = json.loads(self.body)
        parsed = self.process(data=data, cast_to=Response, response=self.http_response)
        if isinstance(parsed, BaseModel):
            add_request_id(parsed, self.http_response.headers.get("x-request-id"))
        return parsed


def fetch_bounded_sync(
    resource: Responses,
    rid: str,
    *,
    extra_headers: Mapping[str, Any] | None = None,
    extra_query: Mapping[str, object] | None = None,
    timeout: Any,
) -> BoundedAnswer:
    """GET response ``rid`` reading at most ``MAX_ANSWER_BYTES`` of its body; a larger answer is a
    ``ResponseMalformedError`` raised without reading the rest. HTTP errors are raised as the SDK raises them."""
    answer = sdk_streamed(resource, "retrieve")(
        rid, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
    )
    return _read_sync(answer, rid, resource._client._process_response_data)


async def fetch_bounded_async(
    resource: AsyncResponses,
    rid: str,
    *,
    extra_headers: Mapping[str, Any] | None = None,
    extra_query: Mapping[str, object] | None = None,
    timeout: Any,
) -> BoundedAnswer:
    """The async ``fetch_bounded_sync``."""
    answer = sdk_streamed(resource, "retrieve")(
        rid, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
    )
    return await _read_async(answer, rid, resource._client._process_response_data)


def create_bounded_sync(resource: Responses, **params: Any) -> BoundedAnswer:
    """``responses.create(**params)`` with its answer (the first poll) read within ``MAX_ANSWER_BYTES``; a
    larger one is a ``ResponseMalformedError`` (it names no response: the id was in the part not read)."""
    create: Any = sdk_streamed(resource, "create")
    return _read_sync(create(**params), None, resource._client._process_response_data)


async def create_bounded_async(resource: AsyncResponses, **params: Any) -> BoundedAnswer:
    """The async ``create_bounded_sync``."""
    create: Any = sdk_streamed(resource, "create")
    return await _read_async(create(**params), None, resource._client._process_response_data)


def _read_sync(answer: Any, rid: str | None, process: Callable[..., object]) -> BoundedAnswer:
    """Enter the SDK's streamed answer and read its body under the ceiling (closing it either way)."""
    ceiling = Ceiling(MAX_ANSWER_BYTES)
    chunks: list[bytes] = []
    with answer as streamed:
        try:
            for chunk in streamed.iter_bytes():
                if not ceiling.take(chunk):
                    raise _too_large(rid, streamed.http_response, chunks)
                chunks.append(chunk)
        except Exception as error:
            mapped = _read_failure(error, rid, streamed.http_response)
            if mapped is error:
                raise
            raise mapped from error
        return _answer(streamed, b"".join(chunks), process)


async def _read_async(answer: Any, rid: str | None, process: Callable[..., object]) -> BoundedAnswer:
    ceiling = Ceiling(MAX_ANSWER_BYTES)
    chunks: list[bytes] = []
    async with answer as streamed:
        try:
            async for chunk in streamed.iter_bytes():
                if not ceiling.take(chunk):
                    raise _too_large(rid, streamed.http_response, chunks)
                chunks.append(chunk)
        except Exception as error:
            mapped = _read_failure(error, rid, streamed.http_response)
            if mapped is error:
                raise
            raise mapped from error
        return _answer(streamed, b"".join(chunks), process)


def _answer(streamed: Any, body: bytes, process: Callable[..., object]) -> BoundedAnswer:
    """The answer read in full: its HTTP response is marked as read with ``body`` (decompressed), as the
    HTTP library does after ``read()``, so the SDK's wrappers built around it parse it without a read."""
    http_response = streamed.http_response
    http_response._content = body
    return BoundedAnswer(http_response, body, process, streamed)


def _read_failure(error: Exception, rid: str | None, http_response: HttpResponse) -> Exception:
    """A failed body read as the SDK reports one it reads itself: a dropped connection is its
    ``APIConnectionError``, a read timeout its ``APITimeoutError`` (both retried by the poll loop); a body
    that cannot be decompressed is a ``ResponseMalformedError``. Other errors are returned as they are."""
    if isinstance(error, ResponseMalformedError):
        return error
    loaded = [module for module in (sys.modules.get("httpx2"), sys.modules.get("httpx")) if module is not None]
    if isinstance(error, tuple(module.DecodingError for module in loaded)):
        return malformed_answer_error(rid, http_response, f"its body could not be decoded ({error})", body=b"")
    if isinstance(error, tuple(module.TimeoutException for module in loaded)):
        return APITimeoutError(request=http_response.request)
    if isinstance(error, tuple(module.RequestError for module in loaded)):
        return APIConnectionError(request=http_response.request)
    return error


def _too_large(rid: str | None, http_response: HttpResponse, chunks: list[bytes]) -> Exception:
    why = f"its body is larger than {_mebibytes(MAX_ANSWER_BYTES)} (decompressed); the rest was not read"
    return malformed_answer_error(rid, http_response, why, body=b"".join(chunks)[:4096])


class BoundedSSEDecoder:
    """The SDK's SSE decoder, fed through a per-event ``Ceiling``: an event passing ``limit`` raises
    ``AnswerTooLarge`` before the decoder buffers more of it."""

    def __init__(self, inner: Any, limit: int = MAX_EVENT_BYTES) -> None:
        self._inner = inner
        self._limit = limit

    def iter_bytes(self, iterator: Iterator[bytes]) -> Iterator[Any]:
        return self._inner.iter_bytes(self._guard(iterator))  # type: ignore[no-any-return]

    def aiter_bytes(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[Any]:
        return self._inner.aiter_bytes(self._aguard(iterator))  # type: ignore[no-any-return]

    def _guard(self, iterator: Iterator[bytes]) -> Iterator[bytes]:
        ceiling = Ceiling(self._limit, per_event=True)
        for chunk in iterator:
            if not ceiling.take(chunk):
                raise AnswerTooLarge(self._limit)
            yield chunk

    async def _aguard(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        ceiling = Ceiling(self._limit, per_event=True)
        async for chunk in iterator:
            if not ceiling.take(chunk):
                raise AnswerTooLarge(self._limit)
            yield chunk


def bound_stream_events(stream: Stream[Any] | AsyncStream[Any]) -> None:
    """Put ``stream``'s SSE decoding under the per-event ceiling. Must run before its first event is read:
    the SDK's stream looks its decoder up when it starts reading (every supported SDK major does)."""
    holder: Any = stream
    inner = getattr(holder, "_decoder", None)
    if inner is not None and not isinstance(inner, BoundedSSEDecoder):
        holder._decoder = BoundedSSEDecoder(inner)


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"
