"""Wake-up sources: how a wait sleeps until a response's end is signalled instead of polling.

A wait that listens (``wait="webhook"``) yields ``Sleep(seconds, listen=True)`` steps from the one poll program;
its driver performs them with a ``Listener`` (sleep up to ``seconds``, or until the response's end is signalled)
instead of the resource's ``_sleep``. This module defines only the protocol (the drivers' side of it is
``sleeping``); the options of a wait carry the ``Wakeups`` that implement it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Protocol

__all__ = ["FALLBACK_BACKSTOP", "HEARD", "Listener", "Wakeups"]

HEARD: Final = "heard"
"""What a listening sleep sends back when it ran its time but the channel carried other jobs' ends meanwhile."""
FALLBACK_BACKSTOP: Final = 12
"""While the channel is alive, a listening job is polled anyway after this many fallback delays without a poll
(an hour at the default 300 s): a delivery lost while others arrive still ends the wait."""


class Listener(Protocol):
    """One wait's ear for one response. A signal that arrives while nobody sleeps is kept for the next sleep."""

    def wait(self, seconds: float) -> bool:
        """Block up to ``seconds`` or until a signal (consumed); True if it says the response's end was
        recorded, False after the time, or after a signal that one may have been missed (look once, listen on)."""
        ...

    async def wait_async(self, seconds: float) -> bool:
        """``wait`` in a task (asyncio or trio); cancellable."""
        ...

    def close(self) -> None:
        """Stop listening (idempotent)."""
        ...

    def heard_since(self, since: float) -> bool:
        """Whether the channel carried any job's end since ``since`` (``time.monotonic()``): it is alive."""
        ...


class Wakeups(Protocol):
    """A source of wake-ups (``WaitOptions.wakeups``): what tells a wait that listens of a response's end."""

    def listen(self, response_id: str, on_signal: Callable[[bool], None] | None = None) -> Listener:
        """Start listening for ``response_id``'s end; signals from now on are kept for the listener (an end
        already recorded counts as a signal). ``on_signal(certain)`` is also called (any thread) on each one."""
        ...
