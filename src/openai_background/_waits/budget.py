"""A poll budget: at most N polls a second for every wait of one client, shared, fair, slowed by any 429.

``PollBudget`` is a ledger of poll slots, ``1/N`` seconds apart (no burst), and of the last N polls: a poll starts
only once the N-th poll before it reached the server more than a second ago, so a server counting polls in any
sliding second sees at most N, whatever the number of waits, however late a sleeping wait wakes up and however
the requests are delayed on their way. When a poll reached the server is bounded by when its answer came back,
or, while none has, by ``ARRIVAL_BOUND`` seconds after it started (a busy event loop can take hundreds of
milliseconds to send a request it started; the bound keeps one stalled poll from holding every wait). So the
budget is conservative: with answers taking L seconds (L < 1), at most N / (1 + L) polls a second go out once
the N-th poll before is the one to wait for; on the loopback L is a few milliseconds.

A wait about to poll takes the next free slot (a ticket) and sleeps until it:
slots go out in the order the polls fall due, so the oldest due poll goes first and nothing is starved. A 429
on any poll pauses the whole ledger (``retry-after-ms`` / ``retry-after`` honoured, else capped exponential
backoff with jitter, the SDK's retry timing as ``_cadence.failure_backoff`` does it): every ticket not yet used
moves back by the pause, so every wait slows, not just the one that was refused.

The ledger only does arithmetic under a ``threading.Lock`` held for a few lines, never across a sleep, so one
budget serves threads, asyncio and trio at once (``install(max_polls_per_second=...)`` gives every client one).
How to wait for a slot is one decision core, ``_slot_waits``: a generator of seconds to sleep, driven by
``wait_sync`` (``time.sleep``) and ``wait_async`` (``anyio.sleep``). A deadline is kept: when no slot comes
within the time the poll has (``Fetch.within``), the wait sleeps to the deadline and raises the SDK's
``APITimeoutError`` (``_deadline.out_of_time``), which the poll programs treat as any timed-out poll. A wait
that is cancelled or interrupted gives its ticket back. The drivers consult it in ``_requests.fetch_*``
(``call_sync`` / ``call_async``).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from typing import Final, TypeVar

import anyio
from openai import APIStatusError

from .cadence import failure_backoff
from .deadline import MIN_REQUEST_WINDOW, out_of_time

__all__ = ["ARRIVAL_BOUND", "PollBudget", "PollSlot", "budget_of"]

T = TypeVar("T")
_TURN: Final = 0.001
"""Seconds a ticket whose time has come waits, again and again, while an older ticket has not started yet."""

_WHAT: Final = "waiting for a poll slot (max_polls_per_second)"
ARRIVAL_BOUND: Final = 1.0
"""Seconds after its start by which a poll whose answer has not come back yet is taken to have reached the
server."""


@dataclass(eq=False)
class _Ticket:
    slot: float  #: when the poll may start, before any pause taken after the ticket was issued
    paused: float  #: the ledger's total pause when it was issued
    end: float  #: the ledger's next free slot right after it was issued
    number: int  #: its place in the queue: tickets start in this order
    within: float | None = None  #: once started: the time the poll has (None: no bound)
    arrived: float = math.inf  #: once started: by when the server had the poll, at the latest


PollSlot = _Ticket
"""What a wait for a slot gives: ``within``, the time its poll has; hand it back to ``PollBudget.record``."""


class PollBudget:
    """At most ``per_second`` polls a second, shared by every wait that consults it. Thread- and task-safe."""

    def __init__(self, per_second: float) -> None:
        self.per_second = _checked_rate(per_second)
        self._interval = 1.0 / per_second
        self._started: deque[_Ticket] = deque(maxlen=max(1, math.floor(per_second)))
        self._lock = threading.Lock()
        self._next_free = 0.0  # the first slot not yet given out (before pauses taken later)
        self._paused_until = 0.0  # no poll starts before this (``time.monotonic()``)
        self._pause_total = 0.0  # every pause so far, added to the tickets issued before it
        self._outstanding = 0  # tickets given out, not yet used or given back
        self._last_start = -math.inf
        self._rejections = 0  # 429s in a row
        self._issued = 0  # tickets numbered so far
        self._head = 0  # the number of the oldest ticket not yet started nor given back
        self._done_early: set[int] = set()  # tickets after the head already done (given back)

    def __repr__(self) -> str:
        return f"PollBudget(per_second={self.per_second!r})"

    @property
    def paused_until(self) -> float:
        """``time.monotonic()`` before which no poll starts (after a 429)."""
        return self._paused_until

    # -- the ledger (arithmetic under the lock) -------------------------------

    def _take(self, now: float, within: float | None) -> _Ticket | None:
        """The next slot, or None when it is further away than ``within`` seconds (nothing is taken)."""
        with self._lock:
            slot = max(now, self._next_free, self._paused_until)
            if within is not None and slot - now > within:
                return None
            self._next_free = slot + self._interval
            self._outstanding += 1
            self._issued += 1
            return _Ticket(slot, self._pause_total, self._next_free, self._issued - 1)

    def _done(self, ticket: _Ticket) -> None:
        """The ticket started or was given back: the queue's head moves past every ticket done (lock held)."""
        self._outstanding -= 1
        self._done_early.add(ticket.number)
        while self._head in self._done_early:
            self._done_early.discard(self._head)
            self._head += 1

    def _start_in(self, ticket: _Ticket, now: float) -> float:
        """Seconds until the ticket's poll may start; when none, it is counted as started now."""
        with self._lock:
            due = ticket.slot + (self._pause_total - ticket.paused) - now
            started = self._started
            if len(started) == started.maxlen:
                due = max(due, started[0].arrived + 1.0 - now)
            due = max(due, self._paused_until - now)
            if due <= 0 and ticket.number != self._head:  # an older ticket first (it woke up late)
                due = min(self._interval, _TURN)
            if due <= 0:
                ticket.arrived = now + ARRIVAL_BOUND
                started.append(ticket)
                self._done(ticket)
                self._last_start = now
            return due

    def _give_back(self, ticket: _Ticket, now: float) -> None:
        """A ticket not used (a cancelled wait, a deadline): the slot goes back when nothing was taken after
        it; when no ticket is left out, the ledger starts again from the last poll."""
        with self._lock:
            self._done(ticket)
            if self._next_free == ticket.end:
                self._next_free = ticket.slot
            if self._outstanding == 0:
                self._next_free = min(self._next_free, max(now, self._last_start + self._interval))

    def record(self, slot: PollSlot, error: BaseException | None) -> None:
        """What the poll of ``slot`` got (an answer, or ``error``): a 429 pauses every wait
        (``retry-after-ms``/``retry-after``, else backoff); any answer bounds when the poll reached the server."""
        now = time.monotonic()
        refused = error if isinstance(error, APIStatusError) and error.status_code == 429 else None
        with self._lock:
            if error is None or isinstance(error, APIStatusError):  # answered: the server had it by now
                slot.arrived = min(slot.arrived, now)
            if refused is None:
                self._rejections = 0
                return
            self._rejections += 1
            until = now + failure_backoff(self._rejections, refused.response.headers)
            shift = max(0.0, until - max(now, self._paused_until))
            self._paused_until = max(self._paused_until, until)
            if self._outstanding:
                self._pause_total += shift
                self._next_free += shift

    # -- waiting for a slot: one core, two shells -----------------------------

    def _slot_waits(self, within: float | None) -> Generator[float, None, PollSlot]:
        """Seconds to sleep until this wait's slot; returns the slot, with the time the poll then has."""
        started = time.monotonic()
        ticket = self._take(started, within)
        if ticket is None:
            assert within is not None
            yield within
            raise out_of_time(_WHAT, within)
        try:
            while (delay := self._start_in(ticket, now := time.monotonic())) > 0:
                if within is not None and now + delay > started + within:  # a pause moved it past the deadline
                    left = started + within - now
                    self._give_back(ticket, now)
                    ticket = None
                    yield max(0.0, left)
                    raise out_of_time(_WHAT, within)
                yield delay
        except BaseException:  # GeneratorExit too: the shell's sleep was cancelled or interrupted
            if ticket is not None:
                self._give_back(ticket, time.monotonic())
            raise
        if within is not None:
            ticket.within = max(MIN_REQUEST_WINDOW, started + within - time.monotonic())
        return ticket

    def wait_sync(self, within: float | None) -> PollSlot:
        """Block until a slot: the poll may start, within ``slot.within`` seconds (None: no bound); tell
        ``record`` what it got. ``APITimeoutError`` when no slot comes within ``within`` seconds."""
        with closing(self._slot_waits(within)) as waits:
            try:
                while True:
                    time.sleep(next(waits))
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]

    async def wait_async(self, within: float | None) -> PollSlot:
        """The async ``wait_sync`` (anyio: asyncio and trio); a cancelled wait gives its slot back."""
        with closing(self._slot_waits(within)) as waits:
            try:
                while True:
                    await anyio.sleep(next(waits))
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]

    def call_sync(self, poll: Callable[[float | None], T], within: float | None) -> T:
        """``poll(bound)`` in the next slot, ``bound`` the time it then has; what it got is recorded."""
        slot = self.wait_sync(within)
        try:
            answer = poll(slot.within)
        except Exception as error:
            self.record(slot, error)
            raise
        self.record(slot, None)
        return answer

    async def call_async(self, poll: Callable[[float | None], Awaitable[T]], within: float | None) -> T:
        """The async ``call_sync``."""
        slot = await self.wait_async(within)
        try:
            answer = await poll(slot.within)
        except Exception as error:
            self.record(slot, error)
            raise
        self.record(slot, None)
        return answer


def _checked_rate(value: object) -> float:
    """``max_polls_per_second`` as given by a user: a finite number > 0 (``ValueError`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"max_polls_per_second must be a finite number > 0, or None, not {value!r}")
    return value


def budget_of(client: object) -> PollBudget | None:
    """The poll budget of ``client``: its background settings' (``modes/_settings.py``), else None."""
    budget = getattr(getattr(client, "_background_settings", None), "poll_budget", None)
    return budget if isinstance(budget, PollBudget) else None
