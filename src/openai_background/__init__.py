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
For code that only calls ``create`` / ``retrieve`` (frameworks), the clients and ``install(...)`` take
``background_mode="wait"``/``"always"`` and ``strict_retrieve=True`` (``modes/``); off by default.
"""

import importlib
from typing import TYPE_CHECKING

from ._errors.dispatch import make_background_failure_error
from ._errors.exceptions import (
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
from ._errors.raising import raise_for_status
from ._surface.clients import AsyncAzureOpenAI, AsyncOpenAI, AzureOpenAI, OpenAI
from ._surface.install import install, installed, uninstall
from ._waits.events import PollEvent

if TYPE_CHECKING:
    from ._many import PollOutcome
    from ._surface.async_responses import AsyncResponses
    from ._surface.responses import Responses
    from .journal import JobNotFinishedError, Journal, JournalError, JournalWriteError
    from .streams._resources import AsyncBackgroundStream, BackgroundStream

    __version__: str

# Loaded on first use: subclassing the SDK's ``Responses`` imports ``openai.resources.responses`` and its
# streaming helpers, which ``import openai`` itself defers until ``client.responses`` is first touched.
_LAZY = {
    "Journal": ".journal",
    "JournalError": ".journal",
    "JournalWriteError": ".journal",
    "JobNotFinishedError": ".journal",
    "PollOutcome": "._many",
    "Responses": "._surface.responses",
    "AsyncResponses": "._surface.async_responses",
    "BackgroundStream": ".streams._resources",
    "AsyncBackgroundStream": ".streams._resources",
}


def _installed_version() -> str:
    """``__version__``: the installed distribution's version, read from its package metadata (so it always
    matches what pip built); ``0+unknown`` for a source tree that was never installed."""
    import importlib.metadata

    try:
        return importlib.metadata.version("openai-background")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def __getattr__(name: str) -> object:
    if name == "__version__":  # read on first use: a metadata lookup costs milliseconds at import
        globals()[name] = version = _installed_version()
        return version
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names and the module's own dunders; not the helpers this module imports for itself
    (``importlib``, ``TYPE_CHECKING``) nor its private submodules."""
    dunders = (name for name in globals() if name.startswith("__") and name.endswith("__"))
    return sorted({*__all__, "__version__", *dunders})


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
