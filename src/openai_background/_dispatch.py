"""From a poll's answer to the exception it means, or to nothing.

``make_background_failure_error`` is total: the ``Response`` it reads was built leniently from whatever
the server sent, so every field is read defensively and no body makes it raise. It *returns* the error;
callers decide whether to raise it (``raise_on``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Final, Protocol, TypeVar, cast, overload

from openai.types.responses import Response
from pydantic import BaseModel

from ._codes import FAILURE_CLASSES, PENDING_STATUSES, RETRYABLE_CODES
from ._compat import HttpResponse, synthesize_poll_response
from ._exceptions import (
    BackgroundResponseError,
    ResponseCancelledError,
    ResponseFailedError,
    ResponseIncompleteError,
    ResponseMalformedError,
)
from ._redact import Redactor, request_secrets

__all__ = [
    "RawResponse",
    "check_answer_id",
    "make_background_failure_error",
    "normalize_raise_on",
    "raise_for_status",
]

FAILURE_STATUSES: Final = ("failed", "incomplete", "cancelled")
DEFAULT_RAISE_ON: Final = FAILURE_STATUSES
_DEFAULT_RAISE_ON_SET: Final = frozenset(DEFAULT_RAISE_ON)

MAX_TEXT_IN_MESSAGE: Final = 500
"""Server text longer than this is shortened in ``str(err)``; the attribute keeps all of it."""


class RawResponse(Protocol):
    """What ``client.responses.with_raw_response.retrieve(...)`` returns, as far as we use it."""

    @property
    def http_response(self) -> HttpResponse: ...

    def parse(self) -> object: ...


def make_background_failure_error(
    result: Response, *, response: HttpResponse, response_id: str | None = None
) -> BackgroundResponseError | None:
    """The exception a terminal non-success ``result`` stands for, or None.

    None for ``completed``, ``queued`` and ``in_progress``. ``response`` is the HTTP answer the result came
    in; ``response_id`` names the response in the error (default: ``result.id``).
    """
    status = getattr(result, "status", None)
    if isinstance(status, str) and (status in PENDING_STATUSES or status == "completed"):
        return None
    rid = response_id if response_id is not None else _text(getattr(result, "id", None)) or "<no id>"
    if status == "failed":
        return _failed_error(result, rid, response)
    if status == "incomplete":
        details = getattr(result, "incomplete_details", None)
        reason = _text(_field(details, "reason"))
        said = reason if reason is not None else "no reason given"
        return ResponseIncompleteError(
            f"Background response {_shorten(rid)} is incomplete: {_shorten(said)}",
            response=response,
            body=_as_body(details, ("reason",)),
            response_id=rid,
            final_response=result,
            reason=reason,
        )
    if status == "cancelled":
        return ResponseCancelledError(
            f"Background response {_shorten(rid)} was cancelled",
            response=response,
            body=None,
            response_id=rid,
            status="cancelled",
            final_response=result,
        )
    shown = "no status" if status is None else f"status {_safe_repr(status)}"
    return BackgroundResponseError(
        f"Background response {_shorten(rid)} has {shown}, which this package does not understand",
        response=response,
        body=None,
        response_id=rid,
        status=_text(status),
        final_response=result,
    )


def _failed_error(result: Response, rid: str, response: HttpResponse) -> ResponseFailedError:
    error = getattr(result, "error", None)
    code: str | None
    message: str | None
    param: str | None
    error_type: str | None
    body: object
    if isinstance(error, str):  # a bare string where an object belongs: keep it as the message
        code, message, param, error_type, body = None, error, None, None, error
    else:  # each field read once, for the attributes and for ``body`` alike
        fields = _error_fields(error)
        code, message, param, error_type = _text(fields[0]), _text(fields[1]), _text(fields[2]), _text(fields[3])
        body = _error_body(error, fields)
    cls = FAILURE_CLASSES.get(code, ResponseFailedError) if code is not None else ResponseFailedError
    detail = ": ".join([_shorten(part) for part in (code, message) if part]) or "no error details given"
    return cls(
        f"Background response {_shorten(rid)} failed: {detail}",
        response=response,
        body=body,
        response_id=rid,
        final_response=result,
        retryable=code in RETRYABLE_CODES,
        code=code,
        error_message=message,
        param=param,
        error_type=error_type,
    )


def _error_fields(error: object) -> tuple[object, object, object, object]:
    """``code``, ``message``, ``param`` and ``type`` of an error object, each as ``_field`` reads it."""
    if isinstance(error, BaseModel):  # what the SDK builds: neither a mapping nor a scalar
        return (
            getattr(error, "code", None),
            getattr(error, "message", None),
            getattr(error, "param", None),
            getattr(error, "type", None),
        )
    return _field(error, "code"), _field(error, "message"), _field(error, "param"), _field(error, "type")


def _error_body(error: object, fields: tuple[object, object, object, object]) -> object:
    """``_as_body`` of the error object, from its fields already read."""
    if error is None:
        return None
    if isinstance(error, Mapping):
        return cast("Mapping[str, object]", error)
    return {"code": fields[0], "message": fields[1], "param": fields[2], "type": fields[3]}


def parse_answer(raw: RawResponse, *, response_id: str | None) -> Response:
    """The ``Response`` in a poll's answer; ``ResponseMalformedError`` when the body is not one.

    ``raw`` may be an answer read within the size ceiling (``_bounded.BoundedAnswer``): its ``body`` holds the
    bytes read, since its HTTP response was streamed and keeps no content."""
    http_response = raw.http_response
    body = getattr(raw, "body", None)
    body = body if isinstance(body, bytes) else None
    try:
        parsed = raw.parse()
    except ResponseMalformedError:
        raise
    except Exception as exc:  # undecodable JSON, too deep (RecursionError), a strict client's validation error
        raise malformed_answer_error(response_id, http_response, "its body is not valid JSON", body=body) from exc
    if not isinstance(parsed, Response):
        raise malformed_answer_error(response_id, http_response, "its body is not a JSON object", body=body)
    return parsed


def check_answer_id(result: Response, rid: str, http_response: HttpResponse, *, body: bytes | None = None) -> None:
    """``ResponseMalformedError`` unless ``result`` is the answer for ``rid``: another id, a number, null or a
    missing id all mean the answer is not the one asked for."""
    found = getattr(result, "id", None)
    if found != rid or not isinstance(found, str):
        why = "it names no response" if found is None else f"it is the answer for another response, {_safe_repr(found)}"
        raise malformed_answer_error(rid, http_response, why, body=body)


def malformed_answer_error(
    response_id: str | None, http_response: HttpResponse, why: str, *, body: bytes | None = None
) -> ResponseMalformedError:
    """``ResponseMalformedError`` for an answer that cannot be read as the response asked for. ``body``: the
    bytes read (default: the HTTP response's content, if it was read); ``err.body`` quotes at most
    ``MAX_TEXT_IN_MESSAGE`` characters of it, decoded from its first bytes only."""
    rid = response_id or "<no id>"
    content_type = _text(http_response.headers.get("content-type")) or "no content type"
    if body is None:
        body = _content_of(http_response)
    size = "" if body is None else f", {len(body)} bytes"
    return ResponseMalformedError(
        f"The answer for background response {_shorten(rid)} could not be read: {why} "
        f"(HTTP {http_response.status_code}, {_shorten(content_type)}{size})",
        response=http_response,
        body=None if body is None else _preview(body),
        response_id=rid,
        status=None,
        final_response=None,
    )


def _content_of(http_response: HttpResponse) -> bytes | None:
    try:
        return http_response.content  # a streamed response that was not read raises
    except Exception:
        return None


def _preview(body: bytes) -> str:
    """At most ``MAX_TEXT_IN_MESSAGE`` characters of ``body``, decoding only its first bytes (a 32 MiB body
    is not decoded to show 500 characters of it)."""
    head = body[: MAX_TEXT_IN_MESSAGE * 4].decode("utf-8", errors="replace")
    if len(head) <= MAX_TEXT_IN_MESSAGE and len(body) <= MAX_TEXT_IN_MESSAGE * 4:
        return head
    return f"{head[:MAX_TEXT_IN_MESSAGE]}... [{len(body)} bytes in all]"


def _safe_repr(value: object) -> str:
    """``repr`` of a value from a server, total and short (a huge int or a deep structure cannot break it)."""
    try:
        return _shorten(repr(value))
    except Exception:  # RecursionError, ValueError from int->str limits
        return f"<{type(value).__name__}>"


_T = TypeVar("_T")


@overload
def raise_for_status(result: Response | RawResponse, *, raise_on: Collection[str] = DEFAULT_RAISE_ON) -> Response: ...
@overload
def raise_for_status(result: _T, *, raise_on: Collection[str] = DEFAULT_RAISE_ON) -> _T: ...
def raise_for_status(result: object, *, raise_on: Collection[str] = DEFAULT_RAISE_ON) -> object:
    """Raise what ``responses.poll`` would raise for ``result``; return it otherwise.

    ``result`` is a ``Response``, the raw wrapper of ``with_raw_response.retrieve(...)`` (returns its
    ``Response``; the error keeps the poll's HTTP response and request id), a plain ``Mapping`` (a JSON
    dict), or any other object with ``status`` / ``error`` / ``id`` / ``incomplete_details`` attributes
    (litellm's ``ResponsesAPIResponse``, another library's model). Those last two are returned as given;
    the error's ``final_response`` is a ``Response`` built leniently from them, and its ``response`` a
    stand-in HTTP 200 carrying the object's request id (``_request_id``) if it has one. Reading never
    raises anything but the typed error: a missing field reads as absent.
    """
    statuses = normalize_raise_on(raise_on)
    if isinstance(result, Response):
        response = result
    elif _is_raw(result):
        raw = cast("RawResponse", result)
        http_response = raw.http_response
        response = parse_answer(raw, response_id=None)
        _raise_if(make_background_failure_error(response, response=http_response), statuses, http_response)
        return response
    else:
        response = _as_response(result)
    rid = _text(getattr(response, "id", None)) or "<no id>"
    http_response = synthesize_poll_response(rid, _text(getattr(result, "_request_id", None)))
    _raise_if(make_background_failure_error(response, response=http_response), statuses, http_response)
    return result


def _raise_if(error: BackgroundResponseError | None, statuses: frozenset[str], http_response: HttpResponse) -> None:
    if error is not None and should_raise(error, statuses):
        Redactor(request_secrets(http_response.request)).error(error)  # no client here: the request's own key
        raise error


def _is_raw(result: object) -> bool:
    return (
        not isinstance(result, Mapping)
        and hasattr(result, "http_response")
        and callable(getattr(result, "parse", None))
    )


_FIELDS: Final = ("id", "status", "error", "incomplete_details")


def _as_response(result: object) -> Response:
    """A ``Response`` built leniently (no validation) from a mapping or another object's fields."""
    if isinstance(result, Mapping):
        items = cast("Mapping[object, object]", result).items()
        fields = {key: value for key, value in items if isinstance(key, str)}
    else:
        fields = {name: getattr(result, name, None) for name in _FIELDS}
    build: Any = Response.construct  # lenient on every SDK: pydantic 1 and 2, no validation
    return cast("Response", build(**fields))


def normalize_raise_on(raise_on: Collection[str]) -> frozenset[str]:
    """``raise_on`` as a set, checked: a bare string or an unknown status is a ``ValueError``."""
    if raise_on is DEFAULT_RAISE_ON:
        return _DEFAULT_RAISE_ON_SET
    if isinstance(raise_on, str):
        raise ValueError(f"raise_on takes a collection of statuses, e.g. ({raise_on!r},), not a string")
    statuses = frozenset(raise_on)
    unknown = statuses.difference(FAILURE_STATUSES)
    if unknown:
        raise ValueError(f"raise_on accepts only {FAILURE_STATUSES}; got {sorted(unknown)}")
    return statuses


def should_raise(error: BackgroundResponseError, raise_on: frozenset[str]) -> bool:
    """Failures named in ``raise_on`` raise; a status we do not understand or cannot read always does."""
    return error.status in raise_on or error.status not in FAILURE_STATUSES


def _field(obj: object, name: str) -> object:
    if obj is None or isinstance(obj, (str, bytes, int, float, list)):
        return None
    if isinstance(obj, Mapping):
        return cast("Mapping[str, object]", obj).get(name)
    return getattr(obj, name, None)


def _text(value: object) -> str | None:
    """A field as text: strings as they are, None as None, anything else by ``str()``."""
    if value is None or isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # a deep structure (RecursionError), an int too long to print (ValueError)
        return f"<{type(value).__name__}>"


def _as_body(obj: object, names: tuple[str, ...]) -> object:
    """The error object as the SDK's ``APIError.body`` holds it: a mapping if we can give one."""
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping):
        return cast("Mapping[str, object]", obj)
    return {name: _field(obj, name) for name in names}


def _shorten(text: str) -> str:
    if len(text) <= MAX_TEXT_IN_MESSAGE:
        return text
    return f"{text[:MAX_TEXT_IN_MESSAGE]}... [{len(text) - MAX_TEXT_IN_MESSAGE} more characters]"
