"""Exceptions for background responses that end in a state other than success.

A failed background run answers its poll with HTTP 200, so the SDK never raises. These classes turn that
answer into the exception the same failure would raise as an HTTP error, so retry code written for
``openai.InternalServerError`` or ``openai.RateLimitError`` keeps working::

    openai.APIStatusError
    └── BackgroundResponseError          .response_id .status .final_response .http_response .request_id .retryable
        ├── ResponseFailedError          .code .message .param   (unknown code and `error: null` land here)
        │   ├── ResponseServerError           also openai.InternalServerError   server_error, vector_store_timeout
        │   ├── ResponseRateLimitError        also openai.RateLimitError        rate_limit_exceeded
        │   ├── ResponseBadRequestError       also openai.BadRequestError       invalid_prompt, bio_policy,
        │   │                                                                   misalignment_policy_violation,
        │   │                                                                   every image code but one
        │   ├── ResponseNotFoundError         also openai.NotFoundError         image_file_not_found
        │   └── ResponsePermissionDeniedError also openai.PermissionDeniedError data_residency_mismatch
        ├── ResponseIncompleteError      .reason
        ├── ResponseCancelledError
        └── ResponseMalformedError       an answer that cannot be read (not JSON, not an object, another id)
    ResponsePollTimeoutError(TimeoutError)  .response_id .last_status .last_response

Every one of them keeps the SDK's invariants, as an HTTP error would: ``err.status_code ==
err.response.status_code`` and ``err.response`` is read (``.json()``, ``.text``, ``.content`` work). That
``err.response`` is built here, in one place (``background_error_response``): the real answer's request and
headers, the status the class stands for (500, 429, 400, 404, 403; the real one for the untyped classes)
and, as its body, the poll's own body when it was read (the same bytes), else the ``Response`` the failure
was read from as JSON (a stream's ``response.failed`` event, a stand-in). The HTTP answer really received
(the poll's 200, or the stream's) stays at ``err.http_response``; it may be an unread stream.

Which code maps to which class is data, in ``_codes.py``; the message and attributes are filled in by
``_dispatch.py``. A status this package does not know raises ``BackgroundResponseError`` itself: a state we
do not understand is never reported as success.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

import pydantic
from openai._exceptions import (
    APIStatusError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)

if TYPE_CHECKING:
    from openai.types.responses import Response

from .._compat import HttpResponse

__all__ = [
    "BackgroundResponseError",
    "ResponseBadRequestError",
    "ResponseCancelledError",
    "ResponseFailedError",
    "ResponseIncompleteError",
    "ResponseMalformedError",
    "ResponseNotFoundError",
    "ResponsePermissionDeniedError",
    "ResponsePollTimeoutError",
    "ResponseRateLimitError",
    "ResponseServerError",
    "background_error_response",
]


class BackgroundResponseError(APIStatusError):
    """A background response reached a terminal state that is not success.

    ``status_code`` is the poll's own HTTP status (200) here and on the untyped subclasses; the typed
    subclasses carry the status their SDK parent declares (500, 429, 400, 404, 403), so code that checks
    ``err.status_code`` behaves as for the synchronous error. ``err.response`` is an answer with that same
    status, already read, whose body is the response as JSON (``background_error_response``); the answer
    really received (the poll's, or the stream's) is ``err.http_response``. ``request_id`` is the
    ``x-request-id`` of the poll (or stream) that saw the state.

    ``retryable`` answers one question: is submitting a *new* ``create()`` worth trying? Polling the same
    response again returns the same failure forever.
    """

    _declared_status_code: ClassVar[int | None] = None

    response_id: str
    status: str | None
    final_response: Response | None
    http_response: HttpResponse
    """The HTTP answer the state was read from, as received: the poll's (HTTP 200), or the stream's."""
    retryable: bool

    def __init__(
        self,
        message: str,
        *,
        response: HttpResponse,
        body: object | None,
        response_id: str,
        status: str | None,
        final_response: Response | None,
        retryable: bool = False,
        content: bytes | None = None,
    ) -> None:
        """``response`` is the HTTP answer received; ``err.response`` is built from it and ``final_response``
        (``background_error_response``). ``content``: the body when there is no ``final_response`` (the bytes
        of an answer that could not be read)."""
        status_code = self._declared_status_code or response.status_code
        mapped = background_error_response(
            response, status_code=status_code, final_response=final_response, content=content
        )
        super().__init__(message, response=mapped, body=body)
        # Kept as the SDK keeps an answer on its own errors (without the request's credentials, where it drops them).
        self.http_response = APIStatusError(message, response=response, body=None).response
        self.response_id = response_id
        self.status = status
        self.final_response = final_response
        self.retryable = retryable


class ResponseFailedError(BackgroundResponseError):
    """The response ended with ``status="failed"``.

    ``code``, ``param`` and ``type`` come from the response's ``error`` object, as on the SDK's
    ``APIError``; ``message`` is the server's full error message (``str(err)`` shows a shortened copy).
    A code this package does not place in a subclass raises this class, still carrying the code.
    """

    def __init__(
        self,
        message: str,
        *,
        response: HttpResponse,
        body: object | None,
        response_id: str,
        final_response: Response | None,
        retryable: bool,
        code: str | None,
        error_message: str | None,
        param: str | None,
        error_type: str | None,
    ) -> None:
        # ``body`` is set after: given to ``APIError``, it would be read again for code/param/type,
        # which are set from the same fields right here.
        super().__init__(
            message,
            response=response,
            body=None,
            response_id=response_id,
            status="failed",
            final_response=final_response,
            retryable=retryable,
        )
        self.body = body
        self.code = code
        self.message = error_message if error_message is not None else message
        self.param = param
        self.type = error_type


class ResponseServerError(ResponseFailedError, InternalServerError):
    """``server_error`` or ``vector_store_timeout``: caught by ``except openai.InternalServerError``."""

    _declared_status_code = 500


class ResponseRateLimitError(ResponseFailedError, RateLimitError):
    """``rate_limit_exceeded``: caught by ``except openai.RateLimitError``."""

    _declared_status_code = 429


class ResponseBadRequestError(ResponseFailedError, BadRequestError):
    """The input was refused (prompt, policy, image): caught by ``except openai.BadRequestError``."""

    _declared_status_code = 400


class ResponseNotFoundError(ResponseFailedError, NotFoundError):
    """``image_file_not_found``: caught by ``except openai.NotFoundError``."""

    _declared_status_code = 404


class ResponsePermissionDeniedError(ResponseFailedError, PermissionDeniedError):
    """``data_residency_mismatch``: caught by ``except openai.PermissionDeniedError``."""

    _declared_status_code = 403


class ResponseIncompleteError(BackgroundResponseError):
    """The response ended with ``status="incomplete"``; ``reason`` says why, or is None if the server
    did not say (``incomplete_details`` missing or null)."""

    def __init__(
        self,
        message: str,
        *,
        response: HttpResponse,
        body: object | None,
        response_id: str,
        final_response: Response | None,
        reason: str | None,
    ) -> None:
        super().__init__(
            message,
            response=response,
            body=body,
            response_id=response_id,
            status="incomplete",
            final_response=final_response,
        )
        self.reason = reason


class ResponseCancelledError(BackgroundResponseError):
    """The response ended with ``status="cancelled"``."""


class ResponseMalformedError(BackgroundResponseError):
    """A poll's answer could not be read as the response asked for: the body is not JSON, not a JSON
    object, or names another response id. ``status`` is None; ``body`` holds what could be read."""


class ResponsePollTimeoutError(TimeoutError):
    """``max_wait_seconds`` passed before the response reached a terminal state.

    The response may still be running: ``client.responses.poll(err.response_id)`` resumes the wait.
    """

    response_id: str
    last_status: str | None
    last_response: Response | None

    def __init__(
        self, message: str, *, response_id: str, last_status: str | None, last_response: Response | None
    ) -> None:
        super().__init__(message)
        self.response_id = response_id
        self.last_status = last_status
        self.last_response = last_response


def background_error_response(
    http_response: HttpResponse,
    *,
    status_code: int,
    final_response: object | None,
    content: bytes | None = None,
) -> HttpResponse:
    """The answer a background error carries as ``err.response``: read, with ``status_code``.

    Its request and headers are ``http_response``'s (the poll's, or the stream's). Its body, the first that
    applies: ``content``; the body of ``http_response`` when it was read and is not an event stream (a poll's
    answer: the ``Response`` as the server sent it, the same bytes object, not a copy); ``final_response`` as
    JSON (``content-type: application/json``; a stream's event, a stand-in with no body); else empty. Total:
    a response that cannot be serialised falls through to an empty body.
    """
    body = content
    if body is None and not _is_event_stream(http_response):
        try:
            body = http_response.content  # an unread (streamed) answer raises
        except Exception:
            body = None
    is_json = False
    if not body and final_response is not None:  # an empty body (a stand-in's) says less than the model
        body = _as_json(final_response)
        is_json = body is not None
    # The body is given decoded: the headers that describe the bytes on the wire do not describe it.
    dropped = {b"content-encoding", b"content-length", b"transfer-encoding"}
    if is_json:
        dropped.add(b"content-type")
    headers = [(name, value) for name, value in http_response.headers.raw if name.lower() not in dropped]
    if is_json:
        headers.append((b"content-type", b"application/json"))
    request = http_response.request
    try:  # the class the transport answered with (httpx or httpx2), as an SDK error carries it
        return type(http_response)(status_code, headers=headers, content=body or b"", request=request)
    except Exception:  # a subclass with another constructor
        return HttpResponse(status_code, headers=headers, content=body or b"", request=request)


def _is_event_stream(http_response: HttpResponse) -> bool:
    return "text/event-stream" in str(http_response.headers.get("content-type", "")).lower()


def _as_json(model: object) -> bytes | None:
    """A response model as the JSON the API sends (the fields it was built from), or None if it cannot be."""
    dump = getattr(model, "to_json", None)
    if dump is None:
        return None
    try:
        if pydantic.VERSION.startswith("1."):  # pydantic 1 takes no ``warnings``
            return str(dump(indent=None)).encode("utf-8")
        return str(dump(indent=None, warnings=False)).encode("utf-8")
    except Exception:  # a leniently built model holding a value JSON cannot carry
        try:
            return json.dumps(dump.__self__.to_dict(mode="python", warnings=False), default=repr).encode()
        except Exception:
            return None
