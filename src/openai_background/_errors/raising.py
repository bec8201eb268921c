"""``raise_for_status``: what ``responses.poll`` would raise, for a response fetched some other way.

The opt-in check for hand-written ``retrieve()`` loops (``retrieve()`` itself keeps returning failures). It
takes the SDK's ``Response``, the raw wrapper of ``with_raw_response.retrieve``, a JSON mapping or another
library's response object, and raises the typed error with the request's credentials scrubbed from it.
"""

from __future__ import annotations

import inspect
from collections.abc import Collection, Mapping
from typing import Any, Final, TypeVar, cast, overload
from urllib.parse import unquote

from openai.types.responses import Response

from .._compat import HttpResponse, synthesize_poll_response
from .answers import RawResponse, parse_answer
from .dispatch import DEFAULT_RAISE_ON, as_text, make_background_failure_error, normalize_raise_on, should_raise
from .exceptions import BackgroundResponseError
from .redact import Redactor, request_secrets

__all__ = ["raise_for_status"]

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
    (another library's response model). Those last two are returned as given;
    the error's ``final_response`` is a ``Response`` built leniently from them, and its ``response`` a
    stand-in HTTP 200 carrying the object's request id (``_request_id``) if it has one. Reading never
    raises anything but the typed error: a missing field reads as absent.
    """
    statuses = normalize_raise_on(raise_on)
    if isinstance(result, Response):
        response = result
    elif _is_raw(result):
        if inspect.iscoroutinefunction(getattr(result, "parse", None)):  # an AsyncAPIResponse: parse() awaits
            raise TypeError(
                "raise_for_status is not async: give it the awaited Response, "
                "raise_for_status(await answer.parse()), or the wrapper of with_raw_response"
            )
        raw = cast("RawResponse", result)
        http_response = raw.http_response
        response = parse_answer(raw, response_id=_asked_id(http_response))
        _raise_if(make_background_failure_error(response, response=http_response), statuses, http_response)
        return response
    else:
        response = _as_response(result)
    rid = as_text(getattr(response, "id", None)) or "<no id>"
    http_response = synthesize_poll_response(rid, as_text(getattr(result, "_request_id", None)))
    _raise_if(make_background_failure_error(response, response=http_response), statuses, http_response)
    return result


def _raise_if(error: BackgroundResponseError | None, statuses: frozenset[str], http_response: HttpResponse) -> None:
    if error is not None and should_raise(error, statuses):
        Redactor(request_secrets(http_response.request)).error(error)  # no client here: the request's own key
        raise error


def _asked_id(http_response: HttpResponse) -> str | None:
    """The id the poll asked for (``GET .../responses/{id}``), so an unreadable answer still names it."""
    try:
        path = str(http_response.request.url.path)
    except Exception:  # no request attached (a hand-built response)
        return None
    head, _, tail = path.rstrip("/").rpartition("/")
    return unquote(tail) if head.endswith("/responses") and tail else None


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
