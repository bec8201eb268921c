"""What the events of a background stream mean: which one ends it, and what its end raises.

A terminal event's ``response`` goes through the same dispatcher as a poll's answer
(``client._make_background_failure_error``), so a stream and a poll of the same response raise the same
class. An SSE ``error`` event carries a code but no response: it goes through that dispatcher too, as a
failed response with that error, so its code meets the same ``FAILURE_CLASSES`` table.

A stream's HTTP answer is read as it arrives and never kept; the error's ``err.response`` is still a read
answer (``.json()`` gives the ``Response`` the event carried), built where every typed error builds it
(``_exceptions.background_error_response``); the stream itself stays at ``err.http_response``.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, Final, TypeGuard, cast

from openai._exceptions import APIConnectionError, APIError, APIStatusError, APITimeoutError
from openai.types.responses import Response

from .._compat import HttpResponse
from .._errors.codes import PENDING_STATUSES
from .._errors.dispatch import safe_repr, shorten, should_raise
from .._errors.exceptions import BackgroundResponseError, ResponseMalformedError
from .._waits.bounded import AnswerTooLarge
from .._waits.program import Dispatch, WaitOptions, _add_note
from .._waits.timeouts import is_unknown_id, no_response_id, unknown_id_note
from ._steps import Handover, StreamPosition

__all__ = [
    "REFUSED_STATUS_CODES",
    "TERMINAL_EVENTS",
    "attach_stream_position",
    "ends_stream",
    "error_event_outcome",
    "finish",
    "has_terminal_event",
    "is_event_stream",
    "is_sse_error",
    "learn_response",
    "malformed_stream_error",
    "pending",
    "read_failure",
    "refuses_streaming",
    "sequence_number",
]

logger = logging.getLogger("openai_background")

TERMINAL_EVENTS: Final = frozenset({"response.completed", "response.failed", "response.incomplete"})
"""Event types that end a stream. No event type announces a cancellation: a cancelled response is known
by the status an event carries, or by its stream ending and a GET saying so."""

REFUSED_STATUS_CODES: Final = frozenset({400, 404, 405, 406, 415, 501})
"""Answers to a stream request meaning "this response cannot be streamed here" (too old to stream, an
endpoint or proxy without SSE), after which ``wait="stream"`` polls instead."""


def sequence_number(event: object) -> int | None:
    number = getattr(event, "sequence_number", None)
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def learn_response(position: StreamPosition, event: object, http: HttpResponse) -> Response | None:
    """The ``Response`` an event carries, if any. The first event of a create stream names the response;
    an event naming another response is a ``ResponseMalformedError``."""
    carried = getattr(event, "response", None)
    carried = carried if isinstance(carried, Response) else None
    found = getattr(carried, "id", None)
    if position.response_id is None:
        if not isinstance(found, str) or not found:
            raise malformed_stream_error(None, http, "its first event names no response")
        position.response_id = found
    elif carried is not None and found != position.response_id:
        why = "an event carries a response with no id"
        if found is not None:
            why = f"its events are for another response, {safe_repr(found)}"
        raise malformed_stream_error(position.response_id, http, why)
    if carried is not None:
        position.last_response = carried
    return carried


def ends_stream(event: object, carried: Response | None) -> bool:
    kind = getattr(event, "type", None)
    return kind in TERMINAL_EVENTS or kind == "error" or getattr(carried, "status", None) == "cancelled"


def finish(
    observed: tuple[Response, HttpResponse],
    position: StreamPosition,
    plan: WaitOptions,
    dispatch: Dispatch,
    *,
    event_type: str | None = None,
) -> Response:
    """The response the stream ended on, dispatched as ``poll`` does: raise per ``raise_on``, else return
    it. A terminal event whose response is still pending is unreadable, never success."""
    result, http = observed
    rid = position.response_id or "<no id>"
    position.final_response = position.last_response = result
    failure = dispatch(result, response=http, response_id=rid)
    status = result.status
    if failure is None and event_type is not None and status != "completed":
        failure = malformed_stream_error(rid, http, f"its {event_type} event carries a response with status {status!r}")
    if failure is not None and should_raise(failure, plan.raise_on):
        logger.debug("stream %s: status=%s, raising %s", rid, status, type(failure).__name__)
        raise failure
    logger.debug("stream %s: status=%s, done", rid, status)
    return result


def error_event_outcome(
    error: object, position: StreamPosition, plan: WaitOptions, http: HttpResponse, dispatch: Dispatch
) -> Handover:
    """An SSE ``error`` event (or the error object the SDK raised for one): the error a failed response
    with that code raises, through the same dispatcher; ``final_response`` is None, as no response came.
    Raised per ``raise_on`` ("failed"); otherwise a ``Handover``."""
    rid = position.response_id or "<no id>"
    nested = getattr(error, "type", None) != "error"  # the event's own `type` is "error", not the error's type
    fields = {name: _field(error, name) for name in ("code", "message", "param")}
    fields["type"] = _field(error, "type") if nested else None
    stand_in = Response.construct(id=rid, object="response", status="failed", error=fields)
    failure = dispatch(stand_in, response=http, response_id=rid)
    if failure is not None:
        failure.final_response = None
        if should_raise(failure, plan.raise_on):
            logger.debug("stream %s: error event %s, raising %s", rid, fields["code"], type(failure).__name__)
            raise failure
    return Handover("an error event ended the stream")


def has_terminal_event(result: Response) -> bool:
    """Whether a response in this status ends its stream with an event of its own (cancelled does not)."""
    return f"response.{result.status}" in TERMINAL_EVENTS


def pending(result: Response) -> bool:
    status = result.status
    return isinstance(status, str) and status in PENDING_STATUSES


def refuses_streaming(error: BaseException) -> bool:
    """Whether a failed stream request means the response cannot be streamed here (poll it instead)."""
    return isinstance(error, APIStatusError) and error.status_code in REFUSED_STATUS_CODES


def is_event_stream(http: HttpResponse) -> bool:
    content_type: str = http.headers.get("content-type", "")  # typed Any by some httpx versions
    return content_type.split(";")[0].strip().lower() == "text/event-stream"


def is_sse_error(error: Exception) -> TypeGuard[APIError]:
    """The SDK's stream raises a bare ``APIError`` (no HTTP status, no connection failure) for an event
    whose data holds an ``error`` object; its ``body`` is that object."""
    return type(error) is APIError


def read_failure(error: Exception, position: StreamPosition, http: HttpResponse) -> Exception:
    """What a failed read of an open stream means, as ``_cadence.is_transient`` understands it.

    An event whose data is not JSON (or not UTF-8, nested too deeply, refused by the client's size limits) is an
    unreadable answer (``ResponseMalformedError``): worth resuming
    past, as an unreadable poll is worth repeating. A broken connection or a read timeout raised by the
    HTTP library itself (when the SDK's stream does not wrap them) becomes the SDK's
    ``APIConnectionError`` / ``APITimeoutError``. Other errors are returned as they are."""
    why = _unreadable_event(error)
    if why is not None:
        malformed = malformed_stream_error(position.response_id, http, why)
        malformed.__cause__ = error
        return malformed
    loaded = [module for module in (sys.modules.get("httpx2"), sys.modules.get("httpx")) if module is not None]
    if isinstance(error, tuple(module.TimeoutException for module in loaded)):
        timed_out = APITimeoutError(request=http.request)
        timed_out.__cause__ = error
        return timed_out
    if isinstance(error, tuple(module.RequestError for module in loaded)):
        broken = APIConnectionError(request=http.request)
        broken.__cause__ = error
        return broken
    return error


def _unreadable_event(error: Exception) -> str | None:
    """Why an event could not be read, if ``error`` says it could not: those are the stream's malformed answers."""
    if isinstance(error, json.JSONDecodeError):
        return "an event's data is not valid JSON"
    if isinstance(error, UnicodeDecodeError):
        return "an event is not valid UTF-8"
    if isinstance(error, RecursionError):
        return "an event's data is nested too deeply to read"
    if isinstance(error, AnswerTooLarge):
        return str(error)
    return None


def malformed_stream_error(response_id: str | None, http: HttpResponse, why: str) -> ResponseMalformedError:
    """``ResponseMalformedError`` for a stream that cannot be read as the response's events. Unlike a
    poll's, the body is not quoted: a stream's body is read as it arrives and is not kept."""
    rid = response_id or "<no id>"
    content_type = http.headers.get("content-type", "no content type")
    return ResponseMalformedError(
        f"The event stream of background response {shorten(rid)} could not be read: {why} "
        f"(HTTP {http.status_code}, {shorten(content_type)})",
        response=http,
        body=None,
        response_id=rid,
        status=None,
        final_response=None,
    )


def attach_stream_position(error: Exception, position: StreamPosition, failures: int) -> Exception:
    """Name the response on an error leaving a stream (attribute ``response_id``) and say, in a note,
    how to resume the events or wait for the end. Returns ``error``."""
    rid = position.response_id
    if isinstance(error, BackgroundResponseError) or getattr(error, "response_id", None) is not None:
        return error
    if rid is None:  # the create stream failed before naming its response: there is none
        no_response_id(error)
        return error
    try:
        error.response_id = rid  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - exceptions with __slots__
        return error
    if is_unknown_id(error):
        _add_note(error, unknown_id_note(rid))
        return error
    after = f" after {failures} failed attempt(s) in a row" if failures else ""
    last = position.last_sequence_number
    resume = f"client.responses.stream_background({rid!r}" + ("" if last is None else f", starting_after={last}")
    _add_note(
        error,
        f"Background response {rid}: its stream stopped{after}; the job may still be running. "
        f"Resume the events with {resume}), or wait for the end with client.responses.poll({rid!r}).",
    )
    return error


def _field(obj: object, name: str) -> object:
    if isinstance(obj, dict):
        return cast("dict[str, Any]", obj).get(name)
    if obj is None or isinstance(obj, (str, bytes, int, float, list)):
        return None
    return getattr(obj, name, None)
