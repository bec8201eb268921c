"""The keyword options of the resource methods as ``TypedDict``s, for their ``@overload``s.

The overloads that type ``text_format`` (``type[T]`` gives ``ParsedResponse[T]``, none gives ``Response``)
take the other options as ``**options: Unpack[...]`` instead of repeating every parameter twice. The
implementations keep their explicit parameters, which a type checker holds to these. Nothing here runs.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from openai._types import Body, Headers, NotGiven, Omit, Query
from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming
from typing_extensions import TypedDict

from .._compat import Timeout
from .events import OnPoll

__all__ = ["CreateAndPollParams", "CreateAndStreamParams", "ManyOptions", "PollOptions", "StreamOptions"]


class _Request(TypedDict, total=False):
    extra_headers: Headers | None
    extra_query: Query | None
    timeout: float | Timeout | NotGiven | None


class _Bounds(_Request, total=False):
    max_wait_seconds: float | Omit | None
    raise_on: Collection[str]
    max_poll_failures: int
    cancel_on_timeout: bool


class ManyOptions(_Bounds, total=False):
    """``poll_many``'s options."""

    concurrency: int
    poll_interval_ms: int | Omit
    cancel_on_interrupt: bool
    on_poll: OnPoll | None
    wait: Literal["poll", "webhook"]
    fallback_poll_seconds: float


class PollOptions(_Bounds, total=False):
    """``poll``'s options."""

    poll_interval_ms: int | Omit
    cancel_on_interrupt: bool
    on_poll: OnPoll | None
    wait: Literal["poll", "stream", "webhook"]
    fallback_poll_seconds: float


class CreateAndPollParams(ResponseCreateParamsNonStreaming, PollOptions, total=False):
    """``create_and_poll``'s: every create parameter but ``stream``/``background``, and ``poll``'s options."""

    extra_body: Body | None


class StreamOptions(_Bounds, total=False):
    """``stream_background``'s options."""

    starting_after: int | Omit


class CreateAndStreamParams(ResponseCreateParamsNonStreaming, _Bounds, total=False):
    """``create_and_stream``'s: every create parameter but ``stream``/``background``, and the bounds."""

    extra_body: Body | None
