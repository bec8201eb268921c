"""The SDK's raw-answer wrappers, re-made around an HTTP answer we already hold.

``with_raw_response.create(...)`` promises a ``LegacyAPIResponse`` and ``with_streaming_response.create(...)``
an ``APIResponse`` (``AsyncAPIResponse``); in the wait modes their HTTP answer is the final poll's, which
the poll program fetched as a ``LegacyAPIResponse``. ``rewrap`` builds the promised class around that same
HTTP answer (its body is already read, so nothing is sent again). ``strict=`` makes ``parse()`` raise what
the answer's ``Response`` means (``strict_retrieve``). The SDK's constructor is the same on 1.x, 2.x, 3.x.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openai._legacy_response import LegacyAPIResponse
from openai._response import APIResponse, AsyncAPIResponse

__all__ = ["Check", "rewrap"]

Check = Callable[[object, Any], None]
"""Called with what ``parse()`` returned and the HTTP answer; raises to refuse it."""


class _StrictLegacy(LegacyAPIResponse[Any]):
    _check: Check

    def parse(self, *, to: Any = None) -> Any:
        parsed = super().parse(to=to) if to is not None else super().parse()
        self._check(parsed, self.http_response)
        return parsed


class _StrictAPIResponse(APIResponse[Any]):
    _check: Check

    def parse(self, *, to: Any = None) -> Any:
        parsed = super().parse(to=to) if to is not None else super().parse()
        self._check(parsed, self.http_response)
        return parsed


class _StrictAsyncAPIResponse(AsyncAPIResponse[Any]):
    _check: Check

    async def parse(self, *, to: Any = None) -> Any:
        parsed = await (super().parse(to=to) if to is not None else super().parse())
        self._check(parsed, self.http_response)
        return parsed


def rewrap(raw: Any, kind: str, *, is_async: bool, strict: Check | None = None) -> Any:
    """``raw`` (any of the SDK's raw wrappers) as the wrapper a ``kind`` call promises: "true" ->
    ``LegacyAPIResponse``, "stream" -> ``APIResponse`` / ``AsyncAPIResponse``; with ``strict``, its
    ``parse()`` is checked."""
    if kind == "stream":
        if is_async:
            cls: type[Any] = _StrictAsyncAPIResponse if strict else AsyncAPIResponse
        else:
            cls = _StrictAPIResponse if strict else APIResponse
    else:
        cls = _StrictLegacy if strict else LegacyAPIResponse
    raw = getattr(raw, "wrapper", None) or raw  # a poll answer read under ``_bounded``'s size limits
    if type(raw) is cls:
        return raw
    stream = getattr(raw, "_stream", getattr(raw, "_is_sse_stream", False))
    made = cls(
        raw=raw.http_response,
        cast_to=raw._cast_to,
        client=raw._client,
        stream=stream,
        stream_cls=raw._stream_cls,
        options=raw._options,
        retries_taken=raw.retries_taken,
    )
    if strict is not None:
        made._check = strict
    return made
