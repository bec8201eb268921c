"""``create`` and ``retrieve`` as the client's background settings say (``_settings.py``).

A client whose settings switch a mode on gets a ``ModeResponses`` as ``client.responses`` (a subclass of
the package's ``Responses``); any other client gets the plain ``Responses``, so with nothing set the SDK's
``create`` / ``retrieve`` are untouched, by identity. The choice is made when ``client.responses`` is
first used (the SDK caches the resource), as ``install()``'s additions are.

Type checkers see the SDK's own ``create`` / ``retrieve`` (their overloads and return types are what
frameworks are typed against); at run time these overrides read ``settings_of(self._client)`` on every
call, and with the defaults hand the call to the SDK's method unchanged. ``_sdk_method`` / ``_sdk_raw``
are how the package's own helpers reach the SDK's methods past the overrides (``.._sdk_methods``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openai._legacy_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from openai.resources.responses import AsyncResponses as _AsyncResponses
from openai.resources.responses import Responses as _Responses

from ..modes import _calls
from ..modes._plan import plan_create
from ..modes._settings import BackgroundSettings, settings_of
from .async_responses import AsyncResponses
from .responses import Responses

__all__ = ["AsyncModeResponses", "ModeResponses", "async_responses_for", "responses_for"]


def _modes_on(settings: BackgroundSettings) -> bool:
    return settings.background_mode != "off" or settings.strict_retrieve or settings.journal is not None


def responses_for(client: Any) -> Responses:
    """The ``responses`` resource of a sync client: ``ModeResponses`` when its settings switch a mode on,
    else the plain ``Responses``, whose ``create`` and ``retrieve`` are the SDK's own objects."""
    return ModeResponses(client) if _modes_on(settings_of(client)) else Responses(client)


def async_responses_for(client: Any) -> AsyncResponses:
    """The async ``responses_for``."""
    return AsyncModeResponses(client) if _modes_on(settings_of(client)) else AsyncResponses(client)


class ModeResponses(Responses):
    """The SDK's ``Responses`` whose ``create`` / ``retrieve`` follow the client's background settings."""

    def _sdk_method(self, name: str) -> Any:
        return getattr(_Responses, name).__get__(self)

    def _sdk_raw(self, name: str) -> Any:
        return to_raw_response_wrapper(self._sdk_method(name))

    if not TYPE_CHECKING:

        def create(self, **kwargs):
            settings = settings_of(self._client)
            plan = plan_create(settings, kwargs)
            if plan.kind == "wait":
                return _calls.wait_create(self, settings, plan.kwargs)
            if plan.kind == "stream":
                return _calls.background_stream(self, settings, plan.kwargs)
            if _calls.is_recorded_create(settings, plan.kwargs):
                return _calls.journaled_create(self, plan.kwargs)
            return _Responses.create(self, **plan.kwargs)

        def parse(self, **kwargs):
            plan = plan_create(settings_of(self._client), kwargs)
            if plan.kind != "wait":
                return _Responses.parse(self, **plan.kwargs)
            return _calls.wait_parse(self, settings_of(self._client), plan.kwargs)

        def retrieve(self, *args, **kwargs):
            settings = settings_of(self._client)
            if not settings.strict_retrieve or kwargs.get("stream") is True:
                return _Responses.retrieve(self, *args, **kwargs)
            return _calls.strict_retrieve(self, settings, args, kwargs)


class AsyncModeResponses(AsyncResponses):
    """The async ``ModeResponses``."""

    def _sdk_method(self, name: str) -> Any:
        return getattr(_AsyncResponses, name).__get__(self)

    def _sdk_raw(self, name: str) -> Any:
        return async_to_raw_response_wrapper(self._sdk_method(name))

    if not TYPE_CHECKING:

        async def create(self, **kwargs):
            settings = settings_of(self._client)
            plan = plan_create(settings, kwargs)
            if plan.kind == "wait":
                return await _calls.wait_create_async(self, settings, plan.kwargs)
            if plan.kind == "stream":
                return _calls.background_stream_async(self, settings, plan.kwargs)
            if _calls.is_recorded_create(settings, plan.kwargs):
                return await _calls.journaled_create_async(self, plan.kwargs)
            return await _AsyncResponses.create(self, **plan.kwargs)

        async def parse(self, **kwargs):
            plan = plan_create(settings_of(self._client), kwargs)
            if plan.kind != "wait":
                return await _AsyncResponses.parse(self, **plan.kwargs)
            return await _calls.wait_parse_async(self, settings_of(self._client), plan.kwargs)

        async def retrieve(self, *args, **kwargs):
            settings = settings_of(self._client)
            if not settings.strict_retrieve or kwargs.get("stream") is True:
                return await _AsyncResponses.retrieve(self, *args, **kwargs)
            return await _calls.strict_retrieve_async(self, settings, args, kwargs)
