"""Drop-in ``OpenAI`` / ``AsyncOpenAI`` that know background failures.

Every constructor argument and existing method behaves as in the SDK; ``client.responses.retrieve()``
still returns a failed ``Response`` without raising. What is added: ``_make_background_failure_error``
beside the SDK's ``_make_status_error``, and ``client.responses.poll`` / ``create_and_poll``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import openai

from ._dispatch import make_background_failure_error
from ._resources import AsyncResponses, Responses

if TYPE_CHECKING:
    from openai.types.responses import Response

    from ._compat import HttpResponse
    from ._exceptions import BackgroundResponseError

__all__ = ["AsyncOpenAI", "OpenAI"]


class OpenAI(openai.OpenAI):
    """``openai.OpenAI`` whose ``responses`` resource can wait for background responses."""

    @cached_property
    def responses(self) -> Responses:
        return Responses(self)

    def _make_background_failure_error(
        self, result: Response, *, response: HttpResponse, response_id: str | None = None
    ) -> BackgroundResponseError | None:
        """The exception a background ``result`` stands for, or None (``completed``, ``queued``,
        ``in_progress``). Returns, never raises; total over every body. See ``_make_status_error``."""
        return make_background_failure_error(result, response=response, response_id=response_id)


class AsyncOpenAI(openai.AsyncOpenAI):
    """``openai.AsyncOpenAI`` whose ``responses`` resource can wait for background responses."""

    @cached_property
    def responses(self) -> AsyncResponses:
        return AsyncResponses(self)

    def _make_background_failure_error(
        self, result: Response, *, response: HttpResponse, response_id: str | None = None
    ) -> BackgroundResponseError | None:
        """The exception a background ``result`` stands for, or None (``completed``, ``queued``,
        ``in_progress``). Returns, never raises; total over every body. See ``_make_status_error``."""
        return make_background_failure_error(result, response=response, response_id=response_id)
