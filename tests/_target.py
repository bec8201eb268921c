"""What the behaviour tests run against.

By default, this package: ``openai_background.OpenAI`` and its exceptions. With
``OPENAI_BACKGROUND_TARGET=fork`` (set by ``nox -s fork``), the forked SDK built by
``scripts/build_fork.py``: ``openai.OpenAI`` itself and ``openai.lib.background``, which carries the
exception classes, ``raise_for_status``, ``poll`` and ``create_and_poll`` (the series), and nothing else of
this package: a name below that the fork lacks is None there, and only ``FORK_TESTS`` (``noxfile.py``) run.
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
    """One of this package's implementation modules (``_codes``, ``_cadence``...); the fork has none."""
    return importlib.import_module(f"openai_background.{module}")


OpenAI: Any = openai.OpenAI if FORK else _public.OpenAI
AsyncOpenAI: Any = openai.AsyncOpenAI if FORK else _public.AsyncOpenAI
AzureOpenAI: Any = openai.AzureOpenAI if FORK else _public.AzureOpenAI
AsyncAzureOpenAI: Any = openai.AsyncAzureOpenAI if FORK else _public.AsyncAzureOpenAI

BackgroundResponseError: Any = getattr(_public, "BackgroundResponseError", None)
ResponseBadRequestError: Any = getattr(_public, "ResponseBadRequestError", None)
ResponseCancelledError: Any = getattr(_public, "ResponseCancelledError", None)
ResponseFailedError: Any = getattr(_public, "ResponseFailedError", None)
ResponseIncompleteError: Any = getattr(_public, "ResponseIncompleteError", None)
ResponseMalformedError: Any = getattr(_public, "ResponseMalformedError", None)
ResponseNotFoundError: Any = getattr(_public, "ResponseNotFoundError", None)
ResponsePermissionDeniedError: Any = getattr(_public, "ResponsePermissionDeniedError", None)
ResponsePollTimeoutError: Any = getattr(_public, "ResponsePollTimeoutError", None)
ResponseRateLimitError: Any = getattr(_public, "ResponseRateLimitError", None)
ResponseServerError: Any = getattr(_public, "ResponseServerError", None)
make_background_failure_error: Any = getattr(_public, "make_background_failure_error", None)
raise_for_status: Any = getattr(_public, "raise_for_status", None)
PollOutcome: Any = getattr(_public, "PollOutcome", None)

LOGGER_NAME: str = "openai" if FORK else internal("_waits.program").logger.name
"""The logger the target's poll loop writes to."""
