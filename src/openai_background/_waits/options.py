"""The checked options of one wait, and the response id it waits for."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openai._types import NotGiven, Omit

from .._errors.dispatch import normalize_raise_on, safe_repr
from .events import OnPoll

if TYPE_CHECKING:
    from .structured import StructuredOutput
    from .wakeups import Wakeups

__all__ = ["WaitOptions", "check_response_id"]


@dataclass(frozen=True)
class WaitOptions:
    """The checked options of one wait. Build with ``WaitOptions.check``: bad values raise ``ValueError``."""

    interval: float | None
    max_wait: float | None
    raise_on: frozenset[str]
    max_poll_failures: int
    cancel_on_timeout: bool
    cancel_on_interrupt: bool
    on_poll: OnPoll | None = None
    output: StructuredOutput[Any] | None = None
    """``text_format``: how the shells parse the program's final response (``_structured.parsing``)."""
    wakeups: Wakeups | None = None
    """``wait="webhook"``: what tells the wait that the response's end was signalled (``_wakeups``)."""
    fallback: float | None = None
    """``wait="webhook"``: the seconds a pending job sleeps while listening before it is polled anyway."""

    @classmethod
    def check(
        cls,
        poll_interval_ms: object,
        max_wait_seconds: object,
        raise_on: Collection[str],
        max_poll_failures: object,
        cancel_on_timeout: bool,
        cancel_on_interrupt: bool,
        on_poll: OnPoll | None = None,
        output: StructuredOutput[Any] | None = None,
    ) -> WaitOptions:
        if not isinstance(max_poll_failures, int) or isinstance(max_poll_failures, bool) or max_poll_failures < 1:
            raise ValueError(f"max_poll_failures must be a whole number >= 1, not {max_poll_failures!r}")
        if on_poll is not None and not callable(on_poll):
            raise ValueError(f"on_poll must be a callable taking a PollEvent, or None, not {on_poll!r}")
        return cls(
            interval=_seconds("poll_interval_ms", poll_interval_ms, scale=1000),
            max_wait=_seconds("max_wait_seconds", max_wait_seconds, scale=1),
            raise_on=normalize_raise_on(raise_on),
            max_poll_failures=max_poll_failures,
            cancel_on_timeout=cancel_on_timeout,
            cancel_on_interrupt=cancel_on_interrupt,
            on_poll=on_poll,
            output=output,
        )


def check_response_id(response_id: object) -> str:
    """The id to poll; an empty or non-string id is a ``ValueError`` (as in the SDK's ``retrieve``) naming the
    type it got and the one it wants."""
    if not isinstance(response_id, str):
        got = f"{type(response_id).__name__} {safe_repr(response_id)}"
        raise ValueError(f"response_id must be a str (a response id like 'resp_...'), got {got}")
    if not response_id:
        raise ValueError("response_id must be a non-empty str (a response id like 'resp_...'), got ''")
    return response_id


def _seconds(name: str, value: object, *, scale: int) -> float | None:
    """An optional, finite, non-negative duration; ``omit``/None mean "not given"."""
    if value is None or isinstance(value, (Omit, NotGiven)):
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError(f"{name} must be a number, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    return value / scale
