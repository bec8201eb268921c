"""How the fake server streams a background job: ``GET /v1/responses/{id}?stream=true&starting_after=N``.

A :class:`StreamScript` rides on a :class:`~._script.JobScript` (``JobScript.with_stream``). The events
themselves come from the job's script: ``response.created``, ``response.in_progress``, the output text as
``response.output_text.delta`` events (with the item and part events around them), then the event for the
job's last answer: ``response.completed``, ``response.failed`` or ``response.incomplete``. A cancelled job
(or one still running) gets no terminal event: its stream just ends (or, running, stays open, silent).
Events are numbered from 0 (``sequence_number``); a request with ``starting_after=N`` gets those after N.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from ._answer import Answer

__all__ = ["StreamScript"]


@dataclass(frozen=True)
class StreamScript:
    """How the job's stream requests are answered. The default streams every event at once."""

    deltas: int = 3
    """How many ``response.output_text.delta`` events carry the output text (at least one per character
    is not required; empty pieces are not sent)."""
    drops: tuple[int | None, ...] = ()
    """Per stream request of the job, in order: close the connection after this many events (None: do
    not). Requests past the end of the tuple are not cut. The cut is abrupt (the chunked body is never
    finished, so the client sees a broken connection) unless ``end_cleanly``."""
    end_cleanly: bool = False
    """Cut streams end their body properly instead, without a terminal event."""
    error: Mapping[str, object] | None = None
    """Send an SSE ``error`` event (``code``, ``message``, ``param``) in place of the terminal event."""
    nested_error: bool = False
    """Send that error as ``{"type": "error", "error": {...}}``: the shape for which the SDK raises
    ``openai.APIError`` instead of yielding an event."""
    refuse: Answer | None = None
    """Answer every stream request with this instead (``Answer.http_error(400)``, or a JSON body that is
    not an event stream): the server cannot stream this job."""
    interval: float = 0.0
    """Seconds to wait before each event, without blocking other connections."""
    replay: bool = False
    """Ignore ``starting_after`` and send every event again (a server that replays)."""

    def __post_init__(self) -> None:
        if not isinstance(cast(object, self.drops), tuple):  # callers may pass a list
            object.__setattr__(self, "drops", tuple(self.drops))
        if self.deltas < 0 or self.interval < 0:
            raise ValueError("deltas and interval must be >= 0")

    @classmethod
    def dropping(cls, *after: int | None, end_cleanly: bool = False) -> StreamScript:
        """Cut the first stream request after ``after[0]`` events, the second after ``after[1]``..."""
        return cls(drops=tuple(after), end_cleanly=end_cleanly)

    @classmethod
    def refused(cls, answer: Answer) -> StreamScript:
        """Answer every stream request with ``answer``."""
        return cls(refuse=answer)

    @classmethod
    def failing(cls, code: str, *, message: str = "The fake stream failed.", nested: bool = False) -> StreamScript:
        """End the stream with an SSE ``error`` event carrying ``code``."""
        return cls(error={"code": code, "message": message, "param": None}, nested_error=nested)


def split_text(text: str, pieces: int) -> Sequence[str]:
    """``text`` in ``pieces`` consecutive, non-empty parts (fewer if it is shorter)."""
    if pieces <= 0 or not text:
        return []
    size, extra = divmod(len(text), pieces)
    parts: list[str] = []
    start = 0
    for index in range(pieces):
        end = start + size + (1 if index < extra else 0)
        if end > start:
            parts.append(text[start:end])
        start = end
    return parts
