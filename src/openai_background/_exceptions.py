"""Exceptions for background responses that end in a state other than success.

A failed background run answers its poll with HTTP 200, so the SDK never raises. These classes turn that
answer into the exception the same failure would raise as an HTTP error, so retry code written for
``openai.InternalServerError`` or ``openai.RateLimitError`` keeps working::

    openai.APIStatusError
    └── BackgroundResponseError          .response_id .status .final_response .request_id .retryable
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

Which code maps to which class is data, in ``_codes.py``; the message and attributes are filled in by
``_dispatch.py``. A status this package does not know raises ``BackgroundResponseError`` itself: a state we
do not understand is never reported as success.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

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

    from ._compat import HttpResponse

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
]


class BackgroundResponseError(APIStatusError):
    """A background response reached a terminal state that is not success.

    ``status_code`` is the poll's own HTTP status (200) here and on the untyped subclasses; the typed
    subclasses carry the status their SDK parent declares (500, 429, 400, 404, 403), so code that checks
    ``err.status_code`` behaves as for the synchronous error. The poll's real status stays readable at
    ``err.response.status_code``. ``request_id`` is the ``x-request-id`` of the poll that saw the state.

    ``retryable`` answers one question: is submitting a *new* ``create()`` worth trying? Polling the same
    response again returns the same failure forever.
    """

    _declared_status_code: ClassVar[int | None] = None

    response_id: str
    status: str | None
    final_response: Response | None
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
    ) -> None:
        super().__init__(message, response=response, body=body)
        if self._declared_status_code is not None:
            self.status_code = self._declared_status_code
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
