"""Where a client's journal (``journal=``) sees its jobs: the create answer, then every poll.

The journal is an observer of the one poll program: ``observed`` composes its ``record_poll`` into the
wait's ``on_poll``; ``record_create`` records a create answer at the one place each create path reads it,
before control returns to the caller. The core knows the journal only by this protocol, so it never
imports ``journal/``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from .events import PollEvent
from .listening import client_journal

if TYPE_CHECKING:
    from openai.types.responses import Response

    from .program import WaitOptions

__all__ = ["Recorder", "check_journal", "journal_of", "observed", "record_create"]


class Recorder(Protocol):
    """What a client's ``journal`` must do (``openai_background.Journal`` does)."""

    def record_created(
        self,
        response: Response,
        *,
        base_url: str | None,
        metadata: Mapping[str, Any] | None = None,
        stream_cursor: int | None = None,
        text_format: str | None = None,
        lease: bool = False,
    ) -> None: ...

    def record_poll(self, event: PollEvent, *, must_hold_lease: bool = False) -> None: ...


def journal_of(resource: object) -> Recorder | None:
    """The journal of the client ``resource`` belongs to, or None."""
    return cast("Recorder | None", client_journal(resource))


def check_journal(resource: object) -> None:
    """Before a create is sent: the client's journal, if it has one, checks it can still record (a journal
    whose last write failed writes once; ``JournalWriteError`` if it still cannot), so a broken journal never
    lets a job be paid for and left unrecorded. Free while the journal works."""
    check = getattr(journal_of(resource), "check_writable", None)
    if check is not None:
        check()


def observed(options: WaitOptions, journal: Recorder | None, *, must_hold_lease: bool = False) -> WaitOptions:
    """``options`` with the journal's ``record_poll`` run before the caller's ``on_poll`` (so a failing
    user callback never leaves a poll unrecorded)."""
    if journal is None:
        return options
    user = options.on_poll

    def on_poll(event: PollEvent) -> None:
        journal.record_poll(event, must_hold_lease=must_hold_lease)
        if user is not None:
            user(event)

    return dataclasses.replace(options, on_poll=on_poll)


def record_create(
    resource: object,
    created: Response,
    params: Mapping[str, Any],
    *,
    lease: bool,
    stream_cursor: int | None = None,
) -> Recorder | None:
    """Record the create answer ``created`` in the client's journal, if it has one; returns the journal.
    A failed write raises ``JournalWriteError`` naming the id: the job exists, so it must not go unnoticed."""
    journal = journal_of(resource)
    if journal is None:
        return None
    client = getattr(resource, "_client", None)
    base_url = getattr(client, "base_url", None)
    metadata = params.get("metadata")
    journal.record_created(
        created,
        base_url=None if base_url is None else str(base_url),
        metadata=cast("Mapping[str, Any]", metadata) if isinstance(metadata, Mapping) else None,
        stream_cursor=stream_cursor,
        text_format=import_path(params.get("text_format")),
        lease=lease,
    )
    return journal


def import_path(model: object) -> str | None:
    """``module:QualName`` of a structured-output model class (``text_format=``), or None."""
    if not isinstance(model, type):
        return None
    return f"{model.__module__}:{model.__qualname__}"


class StreamRecorder:
    """The journal's view of a background stream it created (``create_and_stream``, ``create(stream=True)``
    in a background mode): the create is recorded, with the stream cursor, as soon as the first event names
    the response (before that event reaches the caller); the end is recorded when the stream ends."""

    def __init__(self, resource: object, position: Any, create_params: Mapping[str, Any] | None) -> None:
        self.journal = journal_of(resource) if create_params is not None else None
        if self.journal is not None:
            check_journal(resource)  # built before the stream's first request: that request is the create
        self.resource = resource
        self.position = position
        self.params = create_params or {}
        self.recorded = False

    def seen(self) -> None:
        """After each event read: record the job once the stream names it."""
        if self.journal is None or self.recorded:
            return
        created = self.position.last_response
        if self.position.response_id is not None and created is not None:
            record_create(
                self.resource, created, self.params, lease=True, stream_cursor=self.position.last_sequence_number
            )
            self.recorded = True

    def ended(self) -> None:
        """When the stream is done (or abandoned): its end, if it reached one; else the lease is released."""
        if self.journal is None or not self.recorded:
            return
        final = self.position.final_response
        status = getattr(final, "status", None)
        rid = self.position.response_id
        self.journal.record_poll(PollEvent(rid, status if isinstance(status, str) else None, 1, 0, None, final))
