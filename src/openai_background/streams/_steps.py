"""What the stream program asks of its shells, where it stands, and the two drivers that hand events out.

The program in ``_program.py`` yields these steps, plus the poll loop's ``FETCH``, ``Sleep`` and
``CANCEL``. A waiting shell drives it with ``_loop.run_sync``/``run_async`` and drops each ``Deliver``;
an event iterator drives it with ``iterate_sync``/``iterate_async`` below, which yield each delivered
event to the caller and do every other step through the shell.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from openai.types.responses import Response

from .._waits.program import Cancel, Fetch, Finished, Sleep, advance

__all__ = [
    "CLOSE_STREAM",
    "END",
    "STALLED",
    "Deliver",
    "Handover",
    "NextEvent",
    "OpenStream",
    "StreamPosition",
    "StreamStep",
    "iterate_async",
    "iterate_sync",
]

T = TypeVar("T")


@dataclass(frozen=True)
class OpenStream:
    """Step: open the stream of ``response_id`` after sequence number ``starting_after`` (None: from its
    start) and send back the SDK's stream. ``response_id`` None is the create request that starts the
    job. ``within``: seconds left before the deadline, a bound for the request's timeouts."""

    response_id: str | None
    starting_after: int | None
    within: float | None


@dataclass(frozen=True)
class NextEvent:
    """Step: read the next event of the open stream; send back the event, ``END`` when the stream ended,
    or ``STALLED`` when none came within ``within`` seconds (a shell that can bound one read)."""

    within: float | None


@dataclass(frozen=True)
class Deliver:
    """Step: hand ``event`` to the caller. Waiting shells drop it."""

    event: object


class CloseStream:
    """Step: close the open stream, releasing its connection."""


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


CLOSE_STREAM: Final = CloseStream()
END: Final = _Marker("END")
"""``NextEvent``'s answer when the stream's body ended."""
STALLED: Final = _Marker("STALLED")
"""``NextEvent``'s answer when no event came before the deadline."""

StreamStep = OpenStream | NextEvent | Deliver | CloseStream | Fetch | Sleep | Cancel


@dataclass(frozen=True)
class Handover:
    """The program's answer when the stream cannot finish a wait and polling should: the stream was
    refused, or an ``error`` event ended it with a failure the caller did not ask to have raised.
    ``reported``: the ``on_poll`` events the stream reported, which the polls are numbered after."""

    reason: str
    reported: int = 0


@dataclass
class StreamPosition:
    """Where one stream stands. The program writes it; shells and iterators only read it."""

    response_id: str | None
    """None until the first event of a create stream names the response."""
    last_sequence_number: int | None = None
    """The sequence number of the last event delivered: a resume starts after it."""
    last_response: Response | None = None
    """The latest ``Response`` an event (or a check) carried: the last status a timeout reports."""
    final_response: Response | None = None
    """The terminal ``Response``, once one was seen (with ``text_format``, once parsed: a ``ParsedResponse``)."""

    def keep_final(self, response: Response) -> None:
        self.final_response = self.last_response = response


def iterate_sync(
    program: Generator[StreamStep, Any, T], perform: Callable[[StreamStep], object]
) -> Generator[Any, None, None]:
    """Drive ``program`` with the blocking ``perform``, yielding each delivered event to the caller."""
    value: object = None
    failure: Exception | None = None
    try:
        while not isinstance(step := advance(program, value, failure), Finished):
            if isinstance(step, Deliver):
                value, failure = None, None
                yield step.event
                continue
            try:
                value, failure = perform(step), None
            except Exception as error:
                value, failure = None, error
    finally:
        program.close()


async def iterate_async(
    program: Generator[StreamStep, Any, T], perform: Callable[[StreamStep], Awaitable[object]]
) -> AsyncGenerator[Any, None]:
    """Drive ``program`` awaiting each step with ``perform``, yielding each delivered event to the caller."""
    value: object = None
    failure: Exception | None = None
    try:
        while not isinstance(step := advance(program, value, failure), Finished):
            if isinstance(step, Deliver):
                value, failure = None, None
                yield step.event
                continue
            try:
                value, failure = await perform(step), None
            except Exception as error:
                value, failure = None, error
    finally:
        program.close()
