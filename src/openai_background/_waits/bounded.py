"""Reading a server's answer under the client's size limits (``_limits``): any answer ``retrieve()`` returns,
but no compression bomb.

A poll's answer is read through ``with_streaming_response.retrieve(...)``: its body arrives decompressed, chunk
by chunk (``iter_bytes``), and each chunk passes ``Ceiling.take``. By default nothing is capped; a 1 GiB gzip
bomb (~1 MB on the wire) is refused once it has inflated past 32 MiB and 200x what was received, as a
``ResponseMalformedError`` naming the response and the option to raise (``max_inflate_ratio``), which the poll
loop retries like any unreadable answer. With ``max_answer_bytes`` set, a larger body is refused the same way.
A background stream's events go through the same limits (``max_answer_bytes`` per event), by wrapping the SDK
stream's SSE decoder before its first read.

Its I/O shells: ``fetch_bounded_sync`` and ``fetch_bounded_async`` (a poll), ``create_bounded_sync``/
``create_bounded_async`` (the create answer of ``create_and_poll``, its first poll) and ``BoundedSSEDecoder``
(a stream). The SDK still reads the bodies of the error answers (4xx/5xx) it raises itself, before this
module sees them.
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

from .._errors.answers import malformed_answer_error
from .._errors.exceptions import ResponseMalformedError
from .limits import DEFAULT_LIMITS, AnswerLimits, Ceiling, limits_of, wire_counter
from .sdk_methods import sdk_streamed

if TYPE_CHECKING:
    from openai._streaming import AsyncStream, Stream
    from openai.resources.responses import AsyncResponses, Responses

    from .._compat import HttpResponse

__all__ = [
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

_PREVIEW_BYTES: Final = 4096


class AnswerTooLarge(Exception):
    """Raised inside a stream's decoder when the limits refuse an event; ``_endings.read_failure`` turns it
    into the ``ResponseMalformedError`` of that stream. ``str()`` says why, naming the option."""


@dataclass(frozen=True)
class BoundedAnswer:
    """A poll's answer read under the limits: what ``_dispatch.parse_answer`` needs (``http_response``,
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
    """GET response ``rid``, reading its body under the client's limits; a refused answer is a
    ``ResponseMalformedError`` raised without reading the rest. HTTP errors are raised as the SDK raises them."""
    answer = sdk_streamed(resource, "retrieve")(
        rid, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
    )
    return _read_sync(answer, rid, resource._client)


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
    return await _read_async(answer, rid, resource._client)


def create_bounded_sync(resource: Responses, **params: Any) -> BoundedAnswer:
    """``responses.create(**params)`` with its answer (the first poll) read under the client's limits; a
    refused one is a ``ResponseMalformedError`` (it names no response: the id was in the part not read)."""
    create: Any = sdk_streamed(resource, "create")
    return _read_sync(create(**params), None, resource._client)


async def create_bounded_async(resource: AsyncResponses, **params: Any) -> BoundedAnswer:
    """The async ``create_bounded_sync``."""
    create: Any = sdk_streamed(resource, "create")
    return await _read_async(create(**params), None, resource._client)


def _read_sync(answer: Any, rid: str | None, client: Any) -> BoundedAnswer:
    """Enter the SDK's streamed answer and read its body under the limits (closing it either way)."""
    chunks: list[bytes] = []
    with answer as streamed:
        ceiling = Ceiling(limits_of(client), wire_counter(streamed.http_response))
        try:
            for chunk in streamed.iter_bytes():
                refusal = ceiling.take(chunk)
                if refusal is not None:
                    raise _refused(rid, streamed.http_response, chunks, refusal)
                chunks.append(chunk)
        except Exception as error:
            mapped = _read_failure(error, rid, streamed.http_response)
            if mapped is error:
                raise
            raise mapped from error
        return _answer(streamed, chunks, client._process_response_data)


async def _read_async(answer: Any, rid: str | None, client: Any) -> BoundedAnswer:
    chunks: list[bytes] = []
    async with answer as streamed:
        ceiling = Ceiling(limits_of(client), wire_counter(streamed.http_response))
        try:
            async for chunk in streamed.iter_bytes():
                refusal = ceiling.take(chunk)
                if refusal is not None:
                    raise _refused(rid, streamed.http_response, chunks, refusal)
                chunks.append(chunk)
        except Exception as error:
            mapped = _read_failure(error, rid, streamed.http_response)
            if mapped is error:
                raise
            raise mapped from error
        return _answer(streamed, chunks, client._process_response_data)


def _answer(streamed: Any, chunks: list[bytes], process: Callable[..., object]) -> BoundedAnswer:
    """The answer read in full: its HTTP response is marked as read with the body (decompressed), as the
    HTTP library does after ``read()``, so the SDK's wrappers built around it parse it without a read.
    The chunks are joined once and dropped: the peak is the body twice, as in the HTTP library's ``read()``."""
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    chunks.clear()
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


def _refused(rid: str | None, http_response: HttpResponse, chunks: list[bytes], why: str) -> Exception:
    """The error for an answer the limits refuse, quoting only its first bytes (never joining the body)."""
    head: list[bytes] = []
    kept = 0
    for chunk in chunks:
        if kept >= _PREVIEW_BYTES:
            break
        head.append(chunk[: _PREVIEW_BYTES - kept])
        kept += len(head[-1])
    chunks.clear()
    return malformed_answer_error(rid, http_response, why, body=b"".join(head))


class BoundedSSEDecoder:
    """The SDK's SSE decoder, fed through a per-event ``Ceiling``: an event the limits refuse raises
    ``AnswerTooLarge`` before the decoder buffers more of it."""

    def __init__(self, inner: Any, limits: AnswerLimits = DEFAULT_LIMITS, http_response: object = None) -> None:
        self._inner = inner
        self._limits = limits
        self._http_response = http_response

    def iter_bytes(self, iterator: Iterator[bytes]) -> Iterator[Any]:
        return self._inner.iter_bytes(self._guard(iterator))  # type: ignore[no-any-return]

    def aiter_bytes(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[Any]:
        return self._inner.aiter_bytes(self._aguard(iterator))  # type: ignore[no-any-return]

    def _ceiling(self) -> Ceiling:
        return Ceiling(self._limits, wire_counter(self._http_response), per_event=True)

    def _guard(self, iterator: Iterator[bytes]) -> Iterator[bytes]:
        ceiling = self._ceiling()
        for chunk in iterator:
            refusal = ceiling.take(chunk)
            if refusal is not None:
                raise AnswerTooLarge(refusal)
            yield chunk

    async def _aguard(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        ceiling = self._ceiling()
        async for chunk in iterator:
            refusal = ceiling.take(chunk)
            if refusal is not None:
                raise AnswerTooLarge(refusal)
            yield chunk


def bound_stream_events(stream: Stream[Any] | AsyncStream[Any]) -> None:
    """Put ``stream``'s SSE decoding under its client's limits, per event. Must run before its first event
    is read: the SDK's stream looks its decoder up when it starts reading (every supported SDK major does)."""
    holder: Any = stream
    inner = getattr(holder, "_decoder", None)
    if inner is not None and not isinstance(inner, BoundedSSEDecoder):
        limits = limits_of(getattr(holder, "_client", None))
        holder._decoder = BoundedSSEDecoder(inner, limits, getattr(holder, "response", None))
