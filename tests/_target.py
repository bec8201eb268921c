"""What the behaviour tests run against.

By default, this package: ``openai_background.OpenAI`` and its exceptions. With
``OPENAI_BACKGROUND_TARGET=fork`` (set by ``nox -s fork``), the forked SDK built by
``scripts/build_fork.py``: ``openai.OpenAI`` itself, whose ``lib/background`` holds the same modules.
The same test files run in both cases; only the names below change.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

import openai

FORK = os.environ.get("OPENAI_BACKGROUND_TARGET", "package") == "fork"
PACKAGE = "openai.lib.background" if FORK else "openai_background"

_public = importlib.import_module(PACKAGE)


def internal(module: str) -> ModuleType:
    """One of the implementation modules (``_codes``, ``_cadence``...) of the target."""
    return importlib.import_module(f"{PACKAGE}.{module}")


OpenAI: Any = openai.OpenAI if FORK else _public.OpenAI
AsyncOpenAI: Any = openai.AsyncOpenAI if FORK else _public.AsyncOpenAI
AzureOpenAI: Any = openai.AzureOpenAI if FORK else _public.AzureOpenAI
AsyncAzureOpenAI: Any = openai.AsyncAzureOpenAI if FORK else _public.AsyncAzureOpenAI

BackgroundResponseError: Any = _public.BackgroundResponseError
ResponseBadRequestError: Any = _public.ResponseBadRequestError
ResponseCancelledError: Any = _public.ResponseCancelledError
ResponseFailedError: Any = _public.ResponseFailedError
ResponseIncompleteError: Any = _public.ResponseIncompleteError
ResponseMalformedError: Any = _public.ResponseMalformedError
ResponseNotFoundError: Any = _public.ResponseNotFoundError
ResponsePermissionDeniedError: Any = _public.ResponsePermissionDeniedError
ResponsePollTimeoutError: Any = _public.ResponsePollTimeoutError
ResponseRateLimitError: Any = _public.ResponseRateLimitError
ResponseServerError: Any = _public.ResponseServerError
make_background_failure_error: Any = _public.make_background_failure_error
raise_for_status: Any = _public.raise_for_status
PollOutcome: Any = _public.PollOutcome

LOGGER_NAME: str = internal("_loop").logger.name
"""The logger the target's poll loop writes to."""
