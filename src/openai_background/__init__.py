"""Typed exceptions and polling helpers for OpenAI Responses API background mode.

``OpenAI`` / ``AsyncOpenAI`` are drop-in subclasses of the SDK's clients; their ``responses`` resource
gains ``poll`` and ``create_and_poll``, which raise the SDK's own exception families for a background
response that fails (``openai.InternalServerError`` for ``server_error``, ``openai.RateLimitError`` for
``rate_limit_exceeded``, ...). ``raise_for_status`` does the same for hand-written loops.
``AzureOpenAI`` / ``AsyncAzureOpenAI`` do the same for Azure. For code that builds its own
``openai.OpenAI()`` (frameworks), ``install()`` gives the SDK's four client classes the same additions in
place; ``uninstall()`` takes them back.
``stream_background`` / ``create_and_stream`` read a background response's event stream to its end with
the same errors, resuming dropped connections; ``poll(..., wait="stream")`` waits on that stream.
"""

import importlib
from typing import TYPE_CHECKING

from ._client import AsyncAzureOpenAI, AsyncOpenAI, AzureOpenAI, OpenAI
from ._dispatch import make_background_failure_error, raise_for_status
from ._events import PollEvent
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
from ._install import install, installed, uninstall

if TYPE_CHECKING:
    from ._many import PollOutcome
    from ._resources import AsyncResponses, Responses
    from .journal import JobNotFinishedError, Journal, JournalError, JournalWriteError
    from .streams._resources import AsyncBackgroundStream, BackgroundStream

# Loaded on first use: subclassing the SDK's ``Responses`` imports ``openai.resources.responses`` and its
# streaming helpers, which ``import openai`` itself defers until ``client.responses`` is first touched.
_LAZY = {
    "Journal": ".journal",
    "JournalError": ".journal",
    "JournalWriteError": ".journal",
    "JobNotFinishedError": ".journal",
    "PollOutcome": "._many",
    "Responses": "._resources",
    "AsyncResponses": "._resources",
    "BackgroundStream": ".streams._resources",
    "AsyncBackgroundStream": ".streams._resources",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AsyncAzureOpenAI",
    "AsyncBackgroundStream",
    "AsyncOpenAI",
    "AsyncResponses",
    "AzureOpenAI",
    "BackgroundResponseError",
    "BackgroundStream",
    "JobNotFinishedError",
    "Journal",
    "JournalError",
    "JournalWriteError",
    "OpenAI",
    "PollEvent",
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
    "install",
    "installed",
    "make_background_failure_error",
    "raise_for_status",
    "uninstall",
]
