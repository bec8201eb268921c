"""Drop-in ``OpenAI`` / ``AsyncOpenAI`` / ``AzureOpenAI`` / ``AsyncAzureOpenAI`` that know background failures.

Every constructor argument and existing method behaves as in the SDK; ``client.responses.retrieve()``
still returns a failed ``Response`` without raising. What is added: ``_make_background_failure_error``
beside the SDK's ``_make_status_error``, and ``client.responses.poll`` / ``create_and_poll``.

The Azure classes mirror the SDK's hierarchy: ``openai.AzureOpenAI`` subclasses ``openai.OpenAI``, and
``AzureOpenAI`` here subclasses both ``OpenAI`` here and ``openai.AzureOpenAI``, so the additions are
written once for each of sync and async. ``install()`` (``_install.py``) copies the same attributes onto
the SDK's own classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import openai
from typing_extensions import Self

from .._compat import cached_property
from .._errors.dispatch import make_background_failure_error
from ..modes._settings import DEFAULT_SETTINGS, BackgroundSettings, split_settings

if TYPE_CHECKING:
    from openai.types.responses import Response

    from .._compat import HttpResponse
    from .._errors.exceptions import BackgroundResponseError
    from .async_responses import AsyncResponses
    from .responses import Responses

__all__ = ["AsyncAzureOpenAI", "AsyncOpenAI", "AzureOpenAI", "OpenAI"]


class BackgroundFailureHook:
    """The client hook the poll loop dispatches through; override it to map failures differently."""

    def _make_background_failure_error(
        self, result: Response, *, response: HttpResponse, response_id: str | None = None
    ) -> BackgroundResponseError | None:
        """The exception a background ``result`` stands for, or None (``completed``, ``queued``,
        ``in_progress``). Returns, never raises; total over every body. See ``_make_status_error``."""
        return make_background_failure_error(result, response=response, response_id=response_id)


class BackgroundSettingsCarrier:
    """The background settings a client carries (``modes/_settings.py``), taken by the constructor and kept by
    ``copy`` / ``with_options``, which take the same keywords to change them. Written once for the sync and the
    async client; it sits before the SDK's class in their bases."""

    _background_settings: BackgroundSettings = DEFAULT_SETTINGS

    def __init__(self, **kwargs: Any) -> None:
        settings = DEFAULT_SETTINGS.build(**split_settings(kwargs))
        super().__init__(**kwargs)
        self._background_settings = settings

    def copy(self, **kwargs: Any) -> Self:
        settings = self._background_settings.build(**split_settings(kwargs))
        copied = super().copy(**kwargs)  # type: ignore[misc]  # the SDK's; it rebuilds through __init__
        copied._background_settings = settings
        return copied  # type: ignore[no-any-return]

    with_options = copy


class OpenAI(BackgroundFailureHook, BackgroundSettingsCarrier, openai.OpenAI):
    """``openai.OpenAI`` whose ``responses`` resource can wait for background responses.

    Takes every SDK constructor argument, plus the background settings (``modes/_settings.py``):
    ``background_mode`` ("off", "wait", "always"), ``strict_retrieve``, and the poll options
    ``max_wait_seconds``, ``poll_interval_ms``, ``max_poll_failures``, ``cancel_on_timeout``,
    ``cancel_on_interrupt``, ``raise_on``, and the size limits of every answer it reads, ``max_answer_bytes``
    (default None: no cap) and ``max_inflate_ratio`` (default 200: refuse a compression bomb; ``_limits.py``).
    A bad setting is a ``ValueError`` here. ``copy()`` /
    ``with_options()`` keep the settings and take the same keywords to change them.
    """

    @cached_property
    def responses(self) -> Responses:
        from .mode_responses import responses_for  # deferred, as the SDK defers its own resources

        return responses_for(self)


class AsyncOpenAI(BackgroundFailureHook, BackgroundSettingsCarrier, openai.AsyncOpenAI):
    """``openai.AsyncOpenAI`` whose ``responses`` resource can wait for background responses; the
    background settings as on ``OpenAI``."""

    @cached_property
    def responses(self) -> AsyncResponses:
        from .mode_responses import async_responses_for  # deferred, as the SDK defers its own resources

        return async_responses_for(self)


class AzureOpenAI(OpenAI, openai.AzureOpenAI):
    """``openai.AzureOpenAI`` (same constructor: ``azure_endpoint``, ``api_version``...) with ``OpenAI``'s additions."""


class AsyncAzureOpenAI(AsyncOpenAI, openai.AsyncAzureOpenAI):
    """``openai.AsyncAzureOpenAI`` with ``AsyncOpenAI``'s additions."""
