"""``Journal``: where background jobs are recorded, read back and leased."""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Mapping
from typing import Any

from openai.types.responses import Response

from .._errors.codes import PENDING_STATUSES
from .._errors.dispatch import DEFAULT_RAISE_ON
from .._errors.raising import raise_for_status
from .._waits.events import PollEvent
from ._errors import JobNotFinishedError, JournalError, JournalWriteError
from ._events import has_end_event, record_end_event
from ._leases import DEFAULT_LEASE_SECONDS, Heartbeat
from ._leasing import ANY, FREED, HOLDER, Leasing
from ._migrate import open_store
from ._records import COLUMNS, Job, end_of, load_response, positive, text
from ._schema import JOBS
from ._targets import JournalTarget, public_base_url
from ._watch import JournalWakeups, hub_for

__all__ = ["ANY", "DEFAULT_LEASE_SECONDS", "Job", "Journal"]


class Journal(Leasing):
    """A durable record of background jobs: ``Journal("jobs.sqlite3")`` (SQLite, WAL) or
    ``Journal("postgresql://...")`` (PostgreSQL, psycopg 3 and psycopg_pool: ``openai-background[postgres]``;
    also ``postgres://``, ``postgresql+psycopg://``, a libpq ``"host=... dbname=..."`` string or a
    ``psycopg_pool.ConnectionPool``). A URL of any other scheme is a ``ValueError``; a target of another type
    a ``TypeError``. With ``create=False`` a missing file or database without a journal is a ``JournalError``.

    The schema is created or migrated on open (``JournalError`` if the file or server cannot be used, or
    holds a newer schema). Give it to a client (``OpenAI(journal=...)``, ``install(journal=...)``) and every
    background job the client creates is recorded before ``create`` returns; each poll updates it; its end
    is stored. ``pending()`` lists the unfinished jobs; ``client.responses.resume(journal)`` waits for them;
    ``get(id)`` gives a finished job's final ``Response`` (or raises its typed error) without a request.

    Several processes may share one journal: resume workers lease each job to one process at a time for
    ``lease_seconds``, renewed by a heartbeat while the process lives; a dead process's leases are taken over
    at once on its own host, and when they expire elsewhere. Explicit waits (``poll``, ``create_and_poll``)
    always return to their caller. Never stores the API key, any header, or a base URL's credentials.
    Every failure to read is a ``JournalError``, to write a ``JournalWriteError`` (the driver's error chained).
    """

    def __init__(
        self, target: JournalTarget, *, lease_seconds: float = DEFAULT_LEASE_SECONDS, create: bool = True
    ) -> None:
        self.lease_seconds = positive("lease_seconds", lease_seconds)
        self._store = open_store(target, create=create)
        self._owner = ""
        self._owner_pid = 0
        self._failed = True
        """Whether the last write failed (or none was made yet): the next create is preceded by a probe write."""
        self._heartbeat = Heartbeat(self._renew_all, self.lease_seconds / 3)
        self._unwritten: dict[str, tuple[str | None, float, int]] = {}
        """Per job waited for here: the status and lease expiry last written, and the polls not written since."""

    def __repr__(self) -> str:
        return f"Journal({self._store.describe()!r})"

    def close(self) -> None:
        self._heartbeat.stop()
        self._store.close()

    def wakeups(self) -> JournalWakeups:
        """What tells waits with ``wait="webhook"`` that a job's end was recorded here (``_watch``): one
        watcher per journal location per process, shared by every wait."""
        store, target = self._store, self._store.target
        location = target.conninfo or str(getattr(target.pool, "conninfo", "")) if target.postgres else target.path
        return JournalWakeups(hub_for(location, postgres=store.postgres), lambda rid: has_end_event(store, rid))

    def record_event(self, webhook_id: str, event_type: str, response_id: str) -> bool:
        """Record a verified webhook event that ends ``response_id`` (``WebhookReceiver`` does); False for a
        ``webhook_id`` seen before. ``JournalWriteError`` if it cannot be written (``journal/_events.py``)."""
        return record_end_event(self._store, webhook_id, event_type, response_id)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------------

    def pending(self) -> list[str]:
        """The ids of the jobs not finished yet, oldest first (leased by another process or not)."""
        rows = self._store.query(f"SELECT id FROM {JOBS} WHERE finished = 0 ORDER BY recorded_at, id")
        return [row[0] for row in rows]

    def pending_base_urls(self) -> list[str | None]:
        """The base URLs the pending jobs were created with (as stored: without credentials; None for jobs
        recorded without one)."""
        rows = self._store.query(f"SELECT DISTINCT base_url FROM {JOBS} WHERE finished = 0")
        return sorted((row[0] for row in rows), key=lambda url: (url is not None, url or ""))

    def jobs(self, *, status: Collection[str] | None = None) -> list[Job]:
        """Every job, oldest first; only those whose status is in ``status`` when given."""
        rows = self._store.query(f"SELECT {COLUMNS} FROM {JOBS} ORDER BY recorded_at, id")
        found = [Job.from_row(row) for row in rows]
        return found if status is None else [job for job in found if job.status in set(status)]

    def job(self, response_id: str) -> Job:
        """The row of ``response_id``; ``JournalError`` if the journal does not hold it."""
        rows = self._store.query(f"SELECT {COLUMNS} FROM {JOBS} WHERE id = ?", (response_id,))
        if not rows:
            raise JournalError(f"the journal holds no job {response_id}", response_id=response_id)
        return Job.from_row(rows[0])

    def get(self, response_id: str, *, raise_on: Collection[str] = DEFAULT_RAISE_ON) -> Response:
        """The final ``Response`` of a finished job, read from the journal (no request is sent).

        Raises what ``client.responses.poll`` raises for it (``openai.InternalServerError`` for a job that
        failed with ``server_error``, ``ResponseCancelledError``...; per ``raise_on``), ``JobNotFinishedError``
        for a job not finished yet and ``JournalError`` for an id the journal does not hold.
        """
        job = self.job(response_id)
        if not job.finished or job.final_response is None:
            raise JobNotFinishedError(
                f"job {response_id} has not finished (last status: {job.status or 'none seen'}); "
                "wait for it with client.responses.resume(journal)",
                response_id=response_id,
            )
        return raise_for_status(load_response(job.final_response), raise_on=raise_on)

    # -- recording ----------------------------------------------------------------------------------

    def record_created(
        self,
        response: Response,
        *,
        base_url: str | None,
        metadata: Mapping[str, Any] | None = None,
        stream_cursor: int | None = None,
        text_format: str | None = None,
        lease: bool = False,
    ) -> None:
        """Record a job from its create answer; with ``lease``, this process holds it (it waits for it
        now). ``JournalWriteError`` (naming the id) if the write fails. A job recorded before is kept."""
        rid = response.id
        now = time.time()
        status = text(getattr(response, "status", None))
        created_at = getattr(response, "created_at", None)
        end = end_of(response) if status is not None and status not in PENDING_STATUSES else None
        values: tuple[object, ...] = (
            rid,
            float(created_at) if isinstance(created_at, (int, float)) else None,
            now,
            now,
            text(getattr(response, "model", None)),
            status,
            public_base_url(base_url),
            json.dumps(dict(metadata), default=str) if metadata else None,
            stream_cursor,
            text_format,
            0 if end is None else 1,
            None if end is None else status,
            None if end is None else end[0],
            None if end is None else end[1],
            now + self.lease_seconds if lease and end is None else None,
            *(self._holder() if lease and end is None else (None, None, None, None)),
        )
        self._write(
            rid,
            f"INSERT INTO {JOBS} (id, created_at, recorded_at, updated_at, model, status, base_url, metadata, "
            "stream_cursor, text_format, finished, outcome, error_class, final_response, lease_expires, "
            "lease_owner, lease_host, lease_pid, lease_started) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            values,
        )
        if lease and end is None:
            self._heartbeat.beat()

    def record_poll(self, event: PollEvent, *, must_hold_lease: bool = False) -> None:
        """Record one poll of a job (the ``on_poll`` observer the clients compose into every wait).

        A pending answer updates the status and renews this process's lease; a terminal one stores the
        final ``Response`` and its outcome; a wait that ends without one releases the lease (the job stays
        pending). A job the journal does not hold is left alone. With ``must_hold_lease`` (resume), a job
        whose lease another process took is a ``JournalWriteError``, which ends this wait for it.
        """
        rid = event.response_id
        now = time.time()
        response = event.response
        status = event.status
        # Resume holds its leases strictly (only while this process owns the row); a plain wait takes a
        # free or expired lease over, so a job it polls is not handed to another process meanwhile.
        held_params: tuple[object, ...]
        if must_hold_lease:
            held, held_params = "lease_owner = ?", (self.owner,)
        else:
            held, held_params = "(lease_owner IS NULL OR lease_owner = ? OR lease_expires < ?)", (self.owner, now)
        if response is not None and status is not None and status not in PENDING_STATUSES:
            polls = 1 + self._unwritten.pop(rid, (None, 0.0, 0))[2]
            error_class, body = end_of(response)
            changed = self._write(
                rid,
                f"UPDATE {JOBS} SET status = ?, polls = polls + ?, updated_at = ?, finished = 1, outcome = ?, "
                f"error_class = ?, final_response = ?, {FREED} WHERE id = ? AND finished = 0 AND {held}",
                (status, polls, now, status, error_class, body, rid, *held_params),
            )
        elif event.done:  # given up (timeout, failures, a stream stopped early): pending, for the next resume
            polls = 1 + self._unwritten.pop(rid, (None, 0.0, 0))[2]
            outcome = type(event.error).__name__ if event.error is not None else "stopped"
            changed = self._write(
                rid,
                f"UPDATE {JOBS} SET polls = polls + ?, updated_at = ?, outcome = ?, {FREED} "
                f"WHERE id = ? AND finished = 0 AND {held}",
                (polls, now, outcome, rid, *held_params),
            )
        else:
            # A poll that changes nothing durable (same status, lease far from expiry) is not written: its
            # count is added by the next write. A crash then loses a poll count, never a job or a status.
            last_status, last_expiry, skipped = self._unwritten.get(rid, (None, 0.0, 0))
            if status is not None and status == last_status and last_expiry - now > self.lease_seconds / 2:
                self._unwritten[rid] = (last_status, last_expiry, skipped + 1)
                return
            expires = now + self.lease_seconds + (event.next_delay or 0.0)
            changed = self._write(
                rid,
                f"UPDATE {JOBS} SET status = COALESCE(?, status), polls = polls + ?, updated_at = ?, "
                f"lease_expires = ?, {HOLDER} WHERE id = ? AND finished = 0 AND {held}",
                (status, 1 + skipped, now, expires, *self._holder(), rid, *held_params),
            )
            if changed:
                self._unwritten[rid] = (status, expires, 0)
                self._heartbeat.beat()
        if changed == 0 and must_hold_lease:
            raise JournalWriteError(
                f"background job {rid}: this process no longer holds its lease in {self._store.describe()} "
                "(it stalled longer than lease_seconds, or the job was forgotten); it stops waiting, so the job "
                "is never waited for twice",
                response_id=rid,
            )

    def forget(self, response_id: str) -> bool:
        """Remove a job from the journal (it is not cancelled); whether it was there."""
        return self._write(response_id, f"DELETE FROM {JOBS} WHERE id = ?", (response_id,)) > 0
