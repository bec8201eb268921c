"""What a ``responses.create`` call means under the client's ``background_mode``: decided here, as data.

``plan_create`` reads the call's keywords and never changes them: ``extra_headers`` / ``extra_body`` a
framework forwards are read (``extra_body={"background": True}`` is how frameworks without a
``background`` parameter ask for it) and passed on as they came. The only keyword ever added is
``background=True``, in ``"always"`` mode, to a call that said nothing about ``background``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

from openai._types import NotGiven, Omit

from ._settings import BackgroundSettings

__all__ = ["RAW_RESPONSE_HEADER", "CreatePlan", "plan_create", "poll_extra_headers", "raw_kind"]

RAW_RESPONSE_HEADER: Final = "X-Stainless-Raw-Response"
"""The SDK's marker of ``with_raw_response`` ("true") and ``with_streaming_response`` ("stream") calls."""
_SDK_ONLY_HEADERS: Final = frozenset({RAW_RESPONSE_HEADER.lower(), "____stainless_override_cast_to"})

Kind = Literal["sdk", "wait", "stream"]


@dataclass(frozen=True)
class CreatePlan:
    """``kind``: "sdk" (send as the SDK would), "wait" (create in the background, wait for the end) or
    "stream" (the resumable background stream). ``kwargs``: the keywords to send."""

    kind: Kind
    kwargs: dict[str, Any]


def _given(value: object) -> bool:
    return value is not None and not isinstance(value, (Omit, NotGiven))


def _body_value(extra_body: object, name: str) -> object:
    if isinstance(extra_body, Mapping):
        return cast("Mapping[str, object]", extra_body).get(name)
    return None


def raw_kind(kwargs: Mapping[str, Any]) -> str | None:
    """ "true" for ``with_raw_response``, "stream" for ``with_streaming_response``, None for a plain call."""
    headers = kwargs.get("extra_headers")
    if not isinstance(headers, Mapping):
        return None
    for name, value in cast("Mapping[str, object]", headers).items():
        if name.lower() == RAW_RESPONSE_HEADER.lower():
            return str(value)
    return None


def plan_create(settings: BackgroundSettings, kwargs: dict[str, Any]) -> CreatePlan:
    """The plan for ``responses.create(**kwargs)`` under ``settings``.

    ``background`` counts as set when given as a keyword (``None``/``omit`` are "not given") or as a key
    of ``extra_body``; a truthy value makes a background job. ``"always"`` adds ``background=True`` to a
    call that did not set it, unless it sets ``store=False`` (a background response must be stored, the
    API refuses the pair). A raw or streamed-raw call with ``stream=True`` is left to the SDK: its caller
    reads the SSE bytes itself.
    """
    streaming = kwargs.get("stream") is True
    if settings.background_mode == "off" or (streaming and raw_kind(kwargs) is not None):
        return CreatePlan("sdk", kwargs)
    extra_body: object = kwargs.get("extra_body")
    body_background = _body_value(extra_body, "background")
    if _given(kwargs.get("background")):
        background = bool(kwargs["background"])
    elif body_background is not None:
        background = bool(body_background)
    elif settings.background_mode == "always" and not _store_false(kwargs, extra_body):
        kwargs = {**kwargs, "background": True}
        background = True
    else:
        background = False
    if not background:
        return CreatePlan("sdk", kwargs)
    return CreatePlan("stream" if streaming else "wait", kwargs)


def _store_false(kwargs: Mapping[str, Any], extra_body: object) -> bool:
    if kwargs.get("store") is False:
        return True
    return _body_value(extra_body, "store") is False


def poll_extra_headers(extra_headers: object) -> dict[str, Any] | None:
    """The caller's ``extra_headers`` for the polls of its job: all of them but the SDK's own markers of
    raw calls (each poll is a raw call of its own)."""
    if not isinstance(extra_headers, Mapping):
        return None
    headers = cast("Mapping[str, Any]", extra_headers)
    return {name: value for name, value in headers.items() if name.lower() not in _SDK_ONLY_HEADERS}
