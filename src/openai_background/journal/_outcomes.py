"""What ``resume`` returns: the sync iterator of outcomes and the async context manager, each warning
(``RuntimeWarning``) when dropped unused, so a ``resume`` that was never run is not silent."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

from .._many import PollOutcome

__all__ = ["Entered", "Outcomes"]


class Outcomes(Iterator[PollOutcome]):
    """What the sync ``resume`` returns: an iterator of outcomes. Nothing is leased or polled until it is
    iterated; one dropped without being iterated warns (``RuntimeWarning``), as a never-awaited coroutine
    does, since a forgotten resume would otherwise do nothing silently."""

    def __init__(self, outcomes: Iterator[PollOutcome]) -> None:
        self._outcomes = outcomes
        self._used = False

    def __iter__(self) -> Outcomes:
        return self

    def __next__(self) -> PollOutcome:
        self._used = True
        return next(self._outcomes)

    def close(self) -> None:
        """Stop waiting: release the leases of the jobs not waited for to their end."""
        self._used = True
        close = getattr(self._outcomes, "close", None)
        if close is not None:
            close()

    def __del__(self) -> None:
        if not self._used:
            warnings.warn(UNUSED, RuntimeWarning, stacklevel=2)


UNUSED = (
    "client.responses.resume(journal) was never iterated, so no job was waited for: "
    "use `for outcome in client.responses.resume(journal): ...` (or list(...))"
)


class Entered(AbstractAsyncContextManager[AsyncIterator[PollOutcome]]):
    """What the async ``resume`` returns; one never entered warns on collection, like ``Outcomes``."""

    def __init__(self, manager: AbstractAsyncContextManager[AsyncIterator[PollOutcome]]) -> None:
        self._manager = manager
        self._used = False

    async def __aenter__(self) -> AsyncIterator[PollOutcome]:
        self._used = True
        return await self._manager.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self._manager.__aexit__(*exc_info)

    def __del__(self) -> None:
        if not self._used:
            warnings.warn(UNUSED.replace("iterated", "entered (async with)"), RuntimeWarning, stacklevel=2)
