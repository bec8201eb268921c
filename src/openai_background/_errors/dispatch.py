"""From a background ``Response`` to the exception it means, or to nothing.

``make_background_failure_error`` is total: the ``Response`` it reads was built leniently from whatever
the server sent, so every field is read defensively and no body makes it raise. It *returns* the error;
callers decide whether to raise it (``raise_on``, ``should_raise``). Reading a poll's HTTP answer is
``_answers``' job; ``raise_for_status`` (``_raising``) puts the two together for hand-written loops.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final, cast

from openai.types.responses import Response
from pydantic import BaseModel

from .._compat import HttpResponse
from .codes import FAILURE_CLASSES, PENDING_STATUSES, RETRYABLE_CODES
from .exceptions import BackgroundResponseError, ResponseCancelledError, ResponseFailedError, ResponseIncompleteError

__all__ = [
    "DEFAULT_RAISE_ON",
    "FAILURE_STATUSES",
    "as_text",
    "make_background_failure_error",
    "normalize_raise_on",
    "safe_repr",
    "shorten",
    "should_raise",
]

FAILURE_STATUSES: Final = ("failed", "incomplete", "cancelled")
DEFAULT_RAISE_ON: Final = FAILURE_STATUSES
_DEFAULT_RAISE_ON_SET: Final = frozenset(DEFAULT_RAISE_ON)

MAX_TEXT_IN_MESSAGE: Final = 500
"""Server text longer than this is shortened in ``str(err)``; the attribute keeps all of it."""


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
    rid = response_id if response_id is not None else as_text(getattr(result, "id", None)) or "<no id>"
    if status == "failed":
        return _failed_error(result, rid, response)
    if status == "incomplete":
        details = getattr(result, "incomplete_details", None)
        reason = as_text(_field(details, "reason"))
        said = reason if reason is not None else "no reason given"
        return ResponseIncompleteError(
            f"Background response {shorten(rid)} is incomplete: {shorten(said)}",
            response=response,
            body=_as_body(details, ("reason",)),
            response_id=rid,
            final_response=result,
            reason=reason,
        )
    if status == "cancelled":
        return ResponseCancelledError(
            f"Background response {shorten(rid)} was cancelled",
            response=response,
            body=None,
            response_id=rid,
            status="cancelled",
            final_response=result,
        )
    shown = "no status" if status is None else f"status {safe_repr(status)}"
    return BackgroundResponseError(
        f"Background response {shorten(rid)} has {shown}, which this package does not understand",
        response=response,
        body=None,
        response_id=rid,
        status=as_text(status),
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
        code, message, param, error_type = (as_text(field) for field in fields)
        body = _error_body(error, fields)
    cls = FAILURE_CLASSES.get(code, ResponseFailedError) if code is not None else ResponseFailedError
    detail = ": ".join([shorten(part) for part in (code, message) if part]) or "no error details given"
    return cls(
        f"Background response {shorten(rid)} failed: {detail}",
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


def safe_repr(value: object) -> str:
    """``repr`` of a value from a server, total and short (a huge int or a deep structure cannot break it)."""
    try:
        return shorten(repr(value))
    except Exception:  # RecursionError, ValueError from int->str limits
        return f"<{type(value).__name__}>"


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


def as_text(value: object) -> str | None:
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


def shorten(text: str) -> str:
    if len(text) <= MAX_TEXT_IN_MESSAGE:
        return text
    return f"{text[:MAX_TEXT_IN_MESSAGE]}... [{len(text) - MAX_TEXT_IN_MESSAGE} more characters]"
