"""The journal's errors. A journal that cannot record is never silent: the wait ends with ``JournalWriteError``."""

from __future__ import annotations

__all__ = ["JobNotFinishedError", "JournalError", "JournalWriteError"]


class JournalError(Exception):
    """The journal cannot be opened or read, or does not hold what was asked for. ``response_id`` names
    the job, when there is one."""

    def __init__(self, message: str, *, response_id: str | None = None) -> None:
        super().__init__(message)
        self.response_id = response_id


class JournalWriteError(JournalError):
    """Recording a job failed (the database refused the write, or another process holds its lease). The
    job itself may still be running: its id is in ``response_id`` and in the message."""


class JobNotFinishedError(JournalError):
    """``journal.get(id)`` for a job that has not ended yet: wait for it with ``client.responses.resume``."""
