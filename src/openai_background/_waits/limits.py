"""How large an answer may be: no arbitrary cap, a compression-bomb guard, and the options that set both.

A poll returns any answer ``retrieve()`` returns: there is no size cap by default. What stays refused is
*amplification*, a body that inflates far past what was received: a 1 MB gzip answer that inflates to 1 GiB
(a "gzip bomb") is refused once it inflates past ``INFLATE_FLOOR`` *and* past ``max_inflate_ratio`` times
the bytes received on the wire. Real JSON compresses 5-20x with gzip; deflate cannot exceed ~1032x, which a
bomb reaches. An answer of ``INFLATE_FLOOR`` or less is never refused by the ratio, whatever it is.

The options are client settings (``OpenAI(max_inflate_ratio=..., max_answer_bytes=...)``, ``with_options``),
read here from ``client._background_settings.answer_limits`` where the client has settings; a client without
them gets ``DEFAULT_LIMITS``.

``Ceiling.take`` is the one decision (may this decompressed chunk be kept?); ``_bounded`` is its I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_INFLATE_RATIO",
    "INFLATE_FLOOR",
    "AnswerLimits",
    "Ceiling",
    "limits_of",
    "wire_counter",
]

MIB: Final = 1024 * 1024

DEFAULT_MAX_INFLATE_RATIO: Final = 200.0
"""Ten times the ratio of gzip on real JSON (5-20x), a fifth of what deflate can reach (~1032x, a bomb's)."""

INFLATE_FLOOR: Final = 32 * MIB
"""The ratio is looked at only once an answer has inflated past this: every answer this size or smaller is
read whatever its ratio (128k tokens of one repeated word: 0.5 MB, 940x), as every answer was before."""


@dataclass(frozen=True)
class AnswerLimits:
    """The size limits of every answer a client reads (poll, create answer, each stream event).

    ``max_answer_bytes``: refuse a body (one event, for a stream) larger than this, decompressed. Default
    None: no cap, as ``retrieve()``. ``max_inflate_ratio``: refuse a compressed body that inflates past
    ``INFLATE_FLOOR`` and past this many times the bytes received (default 200; None: never)."""

    max_answer_bytes: int | None = None
    max_inflate_ratio: float | None = DEFAULT_MAX_INFLATE_RATIO

    def __post_init__(self) -> None:
        _check(self.max_answer_bytes, self.max_inflate_ratio)


def _check(size: object, ratio: object) -> None:
    """``ValueError`` unless the limits are as documented (checked as given: a caller may pass anything)."""
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 1):
        raise ValueError(f"max_answer_bytes must be a whole number of bytes >= 1, or None, not {size!r}")
    if ratio is not None and (
        not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or not math.isfinite(ratio) or ratio < 1
    ):
        raise ValueError(f"max_inflate_ratio must be a finite number >= 1, or None, not {ratio!r}")


DEFAULT_LIMITS: Final = AnswerLimits()


def limits_of(client: object) -> AnswerLimits:
    """The limits ``client``'s settings give (``max_answer_bytes``, ``max_inflate_ratio``), else the defaults."""
    settings = getattr(client, "_background_settings", None)
    limits = getattr(settings, "answer_limits", None)
    return limits if isinstance(limits, AnswerLimits) else DEFAULT_LIMITS


def wire_counter(http_response: object) -> Callable[[], int] | None:
    """What reads the bytes received so far for ``http_response`` (before decompression), or None when the
    ratio cannot mean anything: an answer sent without a ``content-encoding`` (nothing inflates; a mock
    transport's in-memory body), or an HTTP library that does not count the bytes. Never refuse what cannot
    be measured."""
    headers = getattr(http_response, "headers", None)
    encoding = headers.get("content-encoding", "") if headers is not None else ""
    if not str(encoding).strip() or str(encoding).strip().lower() == "identity":
        return None
    if not isinstance(getattr(http_response, "num_bytes_downloaded", None), int):
        return None
    return lambda: int(getattr(http_response, "num_bytes_downloaded", 0))


_BOUNDARIES: Final = (b"\n\n", b"\r\r", b"\n\r")


@dataclass
class Ceiling:
    """The one decision: may this decompressed chunk be kept? ``take`` returns None, or why not (a sentence
    naming the option that refuses it). ``size`` counts since the last reset (the whole body, or one SSE
    event when ``per_event``); ``inflated`` counts everything, for the ratio against ``wire()``."""

    limits: AnswerLimits
    wire: Callable[[], int] | None = field(default=None, repr=False)
    per_event: bool = False
    size: int = 0
    inflated: int = 0
    _tail: bytes = b""  # the last byte seen, for a blank line split across two chunks

    def take(self, chunk: bytes) -> str | None:
        self.inflated += len(chunk)
        if not self.per_event:
            self.size += len(chunk)
        else:
            end = _last_event_end(self._tail, chunk)
            self.size = self.size + len(chunk) if end is None else len(chunk) - end
            self._tail = chunk[-1:] or self._tail
        cap = self.limits.max_answer_bytes
        if cap is not None and self.size > cap:
            what = "one event" if self.per_event else "its body"
            return (
                f"{what} is larger than {_size(cap)} decompressed, the client's max_answer_bytes; the rest was "
                "not read. To read it, raise max_answer_bytes (None: no cap), e.g. client.with_options("
                "max_answer_bytes=None)"
            )
        ratio = self.limits.max_inflate_ratio
        if ratio is None or self.wire is None or self.inflated <= INFLATE_FLOOR:
            return None
        received = self.wire()
        if received <= 0 or self.inflated <= ratio * received:  # nothing counted: not measured, not refused
            return None
        return (
            f"refused as a compression bomb: {_size(received)} received inflated to more than "
            f"{_size(self.inflated)} ({self.inflated / received:.0f}x, past the client's max_inflate_ratio of "
            f"{ratio:g}); the rest was not read. If the answer is genuine, raise max_inflate_ratio (None: no "
            "limit), e.g. client.with_options(max_inflate_ratio=None)"
        )


def _last_event_end(tail: bytes, chunk: bytes) -> int | None:
    """Where in ``chunk`` the last event ended (just after two line ends in a row: ``\\n\\n``, ``\\r\\r``,
    ``\\n\\r``, which every SSE blank line contains), or None. A pair may straddle ``tail`` and ``chunk``."""
    ends = [chunk.rfind(mark) + 2 for mark in _BOUNDARIES if mark in chunk]
    if not ends and tail + chunk[:1] in _BOUNDARIES:
        return 1
    return max(ends, default=None)


def _size(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.4g} MiB"
    return f"{size / 1024:.4g} KiB" if size >= 1024 else f"{size} bytes"
