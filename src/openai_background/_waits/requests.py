"""The requests of a wait, each held to the bound its step carries: the one place shells fetch and cancel.

``fetch_sync``/``fetch_async`` do a ``Fetch`` step (one GET of the response, its body read under the size
limits of ``_bounded``); ``cancel_sync``/``cancel_async`` a ``Cancel`` step. With a bound (``within``),
the request runs without the SDK's retries, with every phase timeout shortened to the bound, and as a whole
within it (see ``_deadline``); without one (no deadline), it runs as the SDK runs it. A cancel always has
its bound, ``CANCEL_TIMEOUT``.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .bounded import fetch_bounded_async, fetch_bounded_sync
from .budget import budget_of
from .deadline import bounded_timeout, call_within_async, call_within_sync

if TYPE_CHECKING:
    from openai.resources.responses import AsyncResponses, Responses

__all__ = ["cancel_async", "cancel_sync", "fetch_async", "fetch_sync", "without_retries"]

R = TypeVar("R")

_COPIES: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def without_retries(resource: R) -> R:
    """The same kind of resource on a copy of its client with the SDK's retries off. The copy shares the
    client's connection pool, base URL, key and headers, and is made once per client."""
    client: Any = cast(Any, resource)._client
    copy: Any
    try:
        copy = _COPIES.get(client)
    except TypeError:  # a client that cannot be weakly referenced: copy it each time
        copy = None
    if copy is None:
        copy = client.with_options(max_retries=0)
        with contextlib.suppress(TypeError):
            _COPIES[client] = copy
    kind: Any = type(resource)
    return cast(R, kind(copy))


def fetch_sync(
    resource: Responses,
    rid: str,
    within: float | None,
    *,
    extra_headers: Mapping[str, Any] | None,
    extra_query: Mapping[str, object] | None,
    timeout: Any,
) -> object:
    """GET response ``rid`` once, taking at most ``within`` seconds in all (None: no bound)."""

    # A client with ``max_polls_per_second`` (``_budget``): the GET waits for its slot within the same bound, then
    # runs without the SDK's retries, so every GET is one budgeted poll and a 429 pauses every wait of the client.
    budget = budget_of(resource._client)
    if budget is not None:
        quick = without_retries(resource)  # made before the slot is taken: the slot is for the request
        return budget.call_sync(
            lambda bound: _fetch_sync(quick, rid, bound, extra_headers, extra_query, timeout), within
        )
    return _fetch_sync(resource, rid, within, extra_headers, extra_query, timeout)


def _fetch_sync(
    resource: Responses,
    rid: str,
    within: float | None,
    extra_headers: Mapping[str, Any] | None,
    extra_query: Mapping[str, object] | None,
    timeout: Any,
) -> object:
    if within is None:
        return fetch_bounded_sync(resource, rid, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout)
    quick = without_retries(resource)
    shorter = bounded_timeout(timeout, within, resource._client.timeout)
    return call_within_sync(
        lambda: fetch_bounded_sync(quick, rid, extra_headers=extra_headers, extra_query=extra_query, timeout=shorter),
        within,
        f"GET /responses/{rid}",
    )


async def fetch_async(
    resource: AsyncResponses,
    rid: str,
    within: float | None,
    *,
    extra_headers: Mapping[str, Any] | None,
    extra_query: Mapping[str, object] | None,
    timeout: Any,
) -> object:
    """The async ``fetch_sync``."""

    budget = budget_of(resource._client)
    if budget is not None:
        quick = without_retries(resource)  # made before the slot is taken: the slot is for the request
        return await budget.call_async(
            lambda bound: _fetch_async(quick, rid, bound, extra_headers, extra_query, timeout), within
        )
    return await _fetch_async(resource, rid, within, extra_headers, extra_query, timeout)


async def _fetch_async(
    resource: AsyncResponses,
    rid: str,
    within: float | None,
    extra_headers: Mapping[str, Any] | None,
    extra_query: Mapping[str, object] | None,
    timeout: Any,
) -> object:
    if within is None:
        return await fetch_bounded_async(
            resource, rid, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout
        )
    quick = without_retries(resource)
    shorter = bounded_timeout(timeout, within, resource._client.timeout)
    return await call_within_async(
        lambda: fetch_bounded_async(quick, rid, extra_headers=extra_headers, extra_query=extra_query, timeout=shorter),
        within,
        f"GET /responses/{rid}",
    )


def cancel_sync(resource: Responses, rid: str, within: float) -> object:
    """POST the cancel of ``rid`` once (no SDK retries), taking at most ``within`` seconds in all."""
    quick = without_retries(resource)
    return call_within_sync(lambda: quick.cancel(rid, timeout=within), within, f"POST /responses/{rid}/cancel")


async def cancel_async(resource: AsyncResponses, rid: str, within: float) -> object:
    """The async ``cancel_sync``."""
    quick = without_retries(resource)
    return await call_within_async(lambda: quick.cancel(rid, timeout=within), within, f"POST /responses/{rid}/cancel")
