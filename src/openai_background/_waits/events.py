"""Progress as data: what the poll program tells its observers after every poll.

``on_poll`` (a poll option) receives one ``PollEvent`` per answer read, failed polls included, and one for
the create answer that ``create_and_poll`` reads as its first poll (with ``wait="stream"`` too). A stream
wait reports the answers it reads (its end, each failed or ended connection, each check of the response)
and, when it falls back to polling, each poll; ``polls`` numbers the events of the whole wait, in order, so
the polls after a refused stream continue the count. Observers (a progress line, a job record, a user's
callback) read these events; none of them drives a loop of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openai.types.responses import Response

__all__ = ["OnPoll", "PollEvent"]


@dataclass(frozen=True)
class PollEvent:
    """One poll of one background response, as the poll program saw it.

    ``status`` is the status the answer carried, or None when the poll failed (then ``error`` is the
    exception, and ``failures_in_a_row`` counts it). ``polls`` counts every answer read so far in this wait,
    failed ones included (a create answer is the first; a stream and the polls after it share one count).
    ``next_delay`` is the sleep before the next poll in seconds, or None when the wait ends with this poll.
    ``response`` is the ``Response`` the answer held (None when it failed).
    """

    response_id: str
    status: str | None
    polls: int
    failures_in_a_row: int
    next_delay: float | None
    response: Response | None = None
    error: Exception | None = None

    @property
    def done(self) -> bool:
        """Whether the wait ends with this poll (terminal status, or a failure that is given up on)."""
        return self.next_delay is None


OnPoll = Callable[[PollEvent], object]
"""An observer: called with each ``PollEvent``, in the waiting thread or task; its return value is ignored.
An exception it raises ends the wait (with the response id attached), so a failing observer is never silent."""
