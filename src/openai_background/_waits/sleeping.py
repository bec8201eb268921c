"""How a driver performs a ``Sleep`` step: listening to the wait's ``Wakeups`` when the step asks to and
there is a listener, else the resource's own sleep; and the boards that let one thread drive many waits
(sync ``poll_many``). The protocol itself is ``wakeups``."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from .wakeups import HEARD, Listener, Wakeups

if TYPE_CHECKING:
    from .options import WaitOptions
    from .program import Sleep

__all__ = ["LISTEN_TICK", "Sleepers", "WakeBoard", "listening", "sleep_async", "sleep_sync"]


@contextmanager
def listening(options: WaitOptions, rid: str) -> Generator[Listener | None, None, None]:
    """A listener for ``rid`` while the block runs, when the wait listens; None otherwise. It starts before
    the first poll, so an end signalled between that poll and the first sleep still wakes the wait."""
    wakeups: Wakeups | None = options.wakeups
    if wakeups is None:
        yield None
        return
    listener = wakeups.listen(rid)
    try:
        yield listener
    finally:
        listener.close()


def sleep_sync(resource: Any, step: Sleep, listener: Listener | None) -> bool | str | None:
    """Perform a ``Sleep`` step: listen when the step asks to and there is a listener, else sleep. A listening
    sleep answers True (the end was signalled), ``HEARD`` (its time ran, other jobs' ends came in) or False."""
    if step.listen and listener is not None:
        since = time.monotonic()
        return True if listener.wait(step.seconds) else _heard(listener, since)
    resource._sleep(step.seconds)
    return None


async def sleep_async(resource: Any, step: Sleep, listener: Listener | None) -> bool | str | None:
    """The async ``sleep_sync``."""
    if step.listen and listener is not None:
        since = time.monotonic()
        return True if await listener.wait_async(step.seconds) else _heard(listener, since)
    await resource._sleep(step.seconds)
    return None


def _heard(listener: Listener, since: float) -> bool | str:
    return HEARD if listener.heard_since(since) else False


class WakeBoard:
    """The listeners of a scheduler that drives many programs on one thread (sync ``poll_many``): each
    job's signal is kept until its program next sleeps listening; ``event`` is set on each new signal, so the
    scheduler can block on it instead of sleeping blind."""

    def __init__(self, options: WaitOptions) -> None:
        self.wakeups: Wakeups | None = options.wakeups
        self.event = threading.Event()
        self._lock = threading.Lock()
        self._signalled: dict[str, bool] = {}
        self._listeners: dict[str, Listener] = {}

    def listen(self, rid: str) -> None:
        if self.wakeups is not None:
            self._listeners[rid] = self.wakeups.listen(rid, on_signal=lambda certain: self._fire(rid, certain))

    def _fire(self, rid: str, certain: bool) -> None:
        with self._lock:
            self._signalled[rid] = certain or self._signalled.get(rid, False)
        self.event.set()

    def take(self) -> dict[str, bool]:
        """The jobs signalled since the last call, each with whether its end was recorded (``Listener.wait``)."""
        with self._lock:
            taken, self._signalled = self._signalled, {}
            self.event.clear()
        return taken

    def heard(self, rid: str, since: float) -> bool | str:
        """What a listening sleep of ``rid`` that ran its time answers: ``HEARD`` or False (``sleep_sync``)."""
        listener = self._listeners.get(rid)
        return False if listener is None else _heard(listener, since)

    def forget(self, rid: str) -> None:
        listener = self._listeners.pop(rid, None)
        if listener is not None:
            listener.close()

    def close(self) -> None:
        for rid in list(self._listeners):
            self.forget(rid)


LISTEN_TICK: Final = 0.5
"""The longest a one-thread scheduler blocks on in-flight requests before it looks for signals."""


class Sleepers:
    """The sleeping programs of a one-thread scheduler (sync ``poll_many``), by due time. A program asleep
    listening is due at once when signalled (sent what ``Listener.wait`` answers); its timer is then stale
    (``_asleep`` holds each sleeper's live one). A signal to a program not asleep listening is kept for its
    next listening sleep."""

    def __init__(self, options: WaitOptions, clock: Callable[[], float]) -> None:
        self.board = WakeBoard(options)
        self.listening = self.board.wakeups is not None
        self._clock = clock
        self._timers: list[tuple[float, int, str]] = []
        self._asleep: dict[str, int] = {}
        self._listens: set[str] = set()
        self._woken: dict[str, bool] = {}
        self._since: dict[str, float] = {}  # when each listening sleep began (``HEARD`` since then?)
        self._order = itertools.count()

    def sleep(self, rid: str, step: Sleep) -> None:
        self._asleep[rid] = token = next(self._order)
        if step.listen:
            self._listens.add(rid)
            self._since[rid] = time.monotonic()
        heapq.heappush(self._timers, (self._clock() + step.seconds, token, rid))

    def due(self) -> list[tuple[str, object]]:
        """The programs to resume now, each with the value to send it."""
        ready: list[tuple[str, object]] = []
        for rid, certain in self.board.take().items():
            self._woken[rid] = certain or self._woken.get(rid, False)
        for rid in [rid for rid in self._woken if rid in self._listens]:
            self._listens.discard(rid)
            del self._asleep[rid]
            ready.append((rid, self._woken.pop(rid)))
        while self._timers and self._timers[0][0] <= self._clock():
            _, token, rid = heapq.heappop(self._timers)
            if self._asleep.get(rid) == token:
                del self._asleep[rid]
                ready.append((rid, self.board.heard(rid, self._since.pop(rid, 0.0)) if rid in self._listens else None))
                self._listens.discard(rid)
        return ready

    def until_due(self) -> float | None:
        """Seconds until the next timer (at most ``LISTEN_TICK`` while listening); None: no timer, not listening."""
        until = max(0.0, self._timers[0][0] - self._clock()) if self._timers else None
        if self.listening:
            until = LISTEN_TICK if until is None else min(until, LISTEN_TICK)
        return until
