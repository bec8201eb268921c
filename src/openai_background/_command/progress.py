"""The progress display of ``openai-background wait``, fed by the poll loop's own ``PollEvent`` objects.

:class:`PollEventReader` is the ``on_poll`` observer the CLI passes to ``client.responses.poll``: it reads
each event (status, polls, failures in a row, next delay) into :class:`PollProgress`, so the CLI shows what
the one real loop did instead of running a second loop, and never parses log text. On a terminal,
:class:`LiveLine` redraws one line in place (``\\r`` and the ANSI clear-line code) and ticks between polls;
elsewhere, :class:`PlainLines` writes one line per change.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol, TextIO

from .terminal import terminal_text

if TYPE_CHECKING:
    from .._waits.events import PollEvent

__all__ = ["LiveLine", "PlainLines", "PollEventReader", "PollProgress"]

CLEAR_LINE: Final = "\r\x1b[2K"
SPINNER: Final = "|/-\\"


@dataclass
class PollProgress:
    """What is known about one wait so far. ``next_poll_at`` is on the ``time.monotonic`` clock."""

    response_id: str
    started_at: float
    status: str | None = None
    polls: int = 0
    failures_in_a_row: int = 0
    last_failure: str | None = None
    next_poll_at: float | None = None

    def elapsed(self, now: float) -> float:
        return now - self.started_at

    def next_poll_in(self, now: float) -> float | None:
        return None if self.next_poll_at is None else max(0.0, self.next_poll_at - now)


class ProgressView(Protocol):
    def changed(self, progress: PollProgress, *, status_changed: bool) -> None: ...


class PollEventReader:
    """The ``on_poll`` observer of one wait: reads each ``PollEvent`` into ``progress`` and tells ``view``."""

    def __init__(self, progress: PollProgress, view: ProgressView, clock: Callable[[], float] = time.monotonic) -> None:
        self.progress = progress
        self.view = view
        self.clock = clock

    def __call__(self, event: PollEvent) -> None:
        progress, now = self.progress, self.clock()
        if event.error is not None and event.status is None:
            status_changed = True  # a failed poll is news, even though the job's status is unchanged
            progress.failures_in_a_row, progress.last_failure = event.failures_in_a_row, type(event.error).__name__
        else:
            status_changed = event.status != progress.status
            progress.status = event.status
            progress.failures_in_a_row, progress.last_failure = 0, None
        progress.polls = event.polls
        progress.next_poll_at = None if event.next_delay is None else now + event.next_delay
        self.view.changed(progress, status_changed=status_changed)


def describe(progress: PollProgress, now: float) -> str:
    """One line: status, elapsed time, polls, failed polls in a row (if any), next poll, response id."""
    parts = [
        terminal_text(progress.status) if progress.status else "no status yet",  # server text: escaped
        f"elapsed {_duration(progress.elapsed(now))}",
        f"polls {progress.polls}",
    ]
    if progress.last_failure is not None:
        parts.append(f"{progress.failures_in_a_row} failed in a row ({progress.last_failure})")
    wait = progress.next_poll_in(now)
    if wait is not None:
        parts.append(f"next poll in {_duration(wait)}")
    parts.append(progress.response_id)  # last: the caller knows it, and a narrow terminal cuts it first
    return "  ".join(parts)


class PlainLines:
    """One plain line per status change or failed poll, for logs and pipes."""

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.clock = clock

    def changed(self, progress: PollProgress, *, status_changed: bool) -> None:
        if status_changed:
            self.out.write(describe(progress, self.clock()) + "\n")
            self.out.flush()

    def close(self) -> None:
        pass


class LiveLine:
    """One line on a terminal, redrawn in place on every poll and a few times a second between polls."""

    TICK: Final = 0.1

    def __init__(self, out: TextIO, progress: PollProgress, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.progress = progress
        self.clock = clock
        self._lock = threading.Lock()
        self._frame = 0
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="openai-background-progress", daemon=True)
        self._ticker.start()

    def changed(self, progress: PollProgress, *, status_changed: bool) -> None:
        self._draw()

    def close(self) -> None:
        """Stop ticking and leave the last state on its own line, for the final output to follow."""
        self._stop.set()
        self._ticker.join()
        with self._lock:
            self.out.write(CLEAR_LINE + self._fit(describe(self.progress, self.clock())) + "\n")
            self.out.flush()

    def _tick(self) -> None:
        while not self._stop.wait(self.TICK):
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            self._frame += 1
            line = f"{SPINNER[self._frame % len(SPINNER)]} {describe(self.progress, self.clock())}"
            self.out.write(CLEAR_LINE + self._fit(line))
            self.out.flush()

    def _fit(self, line: str) -> str:
        """``line`` cut to the terminal's width: a line that wraps cannot be redrawn with ``\\r``."""
        return line[: max(_columns(self.out) - 1, 20)]


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms" if seconds < 1 else f"{seconds:.1f}s"


def _columns(out: TextIO) -> int:
    try:
        columns = os.get_terminal_size(out.fileno()).columns
    except (AttributeError, OSError, ValueError):
        columns = 0
    return columns if columns > 0 else shutil.get_terminal_size().columns  # $COLUMNS, else 80
