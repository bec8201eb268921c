"""The SDK's own ``create`` / ``retrieve`` of a responses resource, past any subclass's overrides.

A subclass may override ``create`` and ``retrieve`` (to wait, or to raise on a failed status); the helpers'
own requests must go past them (a create would wait twice, a raising retrieve would raise inside the poll
loop). A resource without overrides answers with its own methods, which are the SDK's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openai._resource import AsyncAPIResource
from openai._response import async_to_streamed_response_wrapper, to_streamed_response_wrapper

__all__ = ["sdk_method", "sdk_raw", "sdk_streamed"]


def sdk_method(resource: Any, name: str) -> Any:
    """``resource.<name>`` as the SDK defines it."""
    unwrapped: Callable[[str], Any] | None = getattr(resource, "_sdk_method", None)
    return getattr(resource, name) if unwrapped is None else unwrapped(name)


def sdk_raw(resource: Any, name: str) -> Any:
    """``resource.with_raw_response.<name>`` over the SDK's own method."""
    raw: Callable[[str], Any] | None = getattr(resource, "_sdk_raw", None)
    return getattr(resource.with_raw_response, name) if raw is None else raw(name)


def sdk_streamed(resource: Any, name: str) -> Any:
    """``resource.with_streaming_response.<name>`` over the SDK's own method (the body is read by the caller,
    under ``_bounded``'s ceiling)."""
    if getattr(resource, "_sdk_method", None) is None:
        return getattr(resource.with_streaming_response, name)
    wrap: Any = (
        async_to_streamed_response_wrapper if isinstance(resource, AsyncAPIResource) else to_streamed_response_wrapper
    )
    return wrap(sdk_method(resource, name))
