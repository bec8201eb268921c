"""Typed exceptions and polling helpers for OpenAI Responses API background mode.

``OpenAI`` / ``AsyncOpenAI`` are drop-in subclasses of the SDK's clients; their ``responses`` resource
gains ``poll`` and ``create_and_poll``, which raise the SDK's own exception families for a background
response that fails (``openai.InternalServerError`` for ``server_error``, ``openai.RateLimitError`` for
``rate_limit_exceeded``, ...). ``raise_for_status`` does the same for hand-written loops.
"""

from ._client import AsyncOpenAI, OpenAI
from ._dispatch import make_background_failure_error, raise_for_status
from ._exceptions import (
    BackgroundResponseError,
    ResponseBadRequestError,
    ResponseCancelledError,
    ResponseFailedError,
    ResponseIncompleteError,
    ResponseMalformedError,
    ResponseNotFoundError,
    ResponsePermissionDeniedError,
    ResponsePollTimeoutError,
    ResponseRateLimitError,
    ResponseServerError,
)
from ._many import PollOutcome
from ._resources import AsyncResponses, Responses

__all__ = [
    "AsyncOpenAI",
    "AsyncResponses",
    "BackgroundResponseError",
    "OpenAI",
    "PollOutcome",
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
    "Responses",
    "make_background_failure_error",
    "raise_for_status",
]
