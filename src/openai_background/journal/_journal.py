"""``Journal``: where background jobs are recorded, read back and leased."""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from collections.abc import Collection, Mapping
from typing import Any

from openai.types.responses import Response

from .._codes import PENDING_STATUSES
from .._dispatch import DEFAULT_RAISE_ON
from .._events import PollEvent
from .._raising import raise_for_status
from ._errors import JobNotFinishedError, JournalError, JournalWriteError
from ._events import has_end_event, record_end_event
from ._records import COLUMNS, Job, end_of, load_response, positive, text
from ._store import JOBS, open_store
from ._watch import JournalWakeups, hub_for

__all__ = ["DEFAULT_LEASE_SECONDS", "Job", "Journal"]

DEFAULT_LEASE_SECONDS = 60.0
"""How long a process may stay silent about a job it waits for before another process takes the job over."""


class Journal:
    """A durable record of background jobs: ``Journal("jobs.sqlite3")`` (SQLite, WAL) or
    ``Journal("postgresql://...")`` (PostgreSQL, psycopg 3: ``openai-background[postgres]``).

    The schema is created or migrated on open (``JournalError`` if the file or server cannot be used, or
    holds a newer schema). Give it to a client (``OpenAI(journal=...)``, ``install(journal=...)``) and every
    background job the client creates is recorded before ``create`` returns; each poll updates it; its end
    is stored. ``pending()`` lists the unfinished jobs; ``client.responses.resume(journal)`` waits for them;
    ``get(id)`` gives a finished job's final ``Response`` (or raises its typed error) without a request.

    Several processes may share one journal: a job being waited for is leased to one process at a time
    for ``lease_seconds`` (renewed by each poll); a process that dies loses its leases when they expire.
    Never stores the API key or any header.
    """

    def __init__(self, target: str | os.PathLike[str], *, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.lease_seconds = positive("lease_seconds", lease_seconds)
        self._store = open_store(target)
        self._owner = ""
        self._owner_pid = 0
        self._renewed_at = 0.0
        self._unwritten: dict[str, tuple[str | None, float, int]] = {}
        """Per job waited for here: the status and lease expiry last written, and the polls not written since."""

    def __repr__(self) -> str:
        return f"Journal({self._store.describe()!r})"

    @property
    def owner(self) -> str:
        """This process's name on the leases it holds (host, pid and a random part)."""
        if self._owner_pid != os.getpid():
            self._owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
            self._owner_pid = os.getpid()
        return self._owner

    def close(self) -> None:
        self._store.close()

    def wakeups(self) -> JournalWakeups:
        """What tells waits with ``wait="webhook"`` that a job's end was recorded here (``_watch``): one
        watcher per journal location per process, shared by every wait."""
        store = self._store
        return JournalWakeups(hub_for(store.target, postgres=store.postgres), lambda rid: has_end_event(store, rid))

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
            base_url,
            json.dumps(dict(metadata), default=str) if metadata else None,
            stream_cursor,
            text_format,
            0 if end is None else 1,
            None if end is None else status,
            None if end is None else end[0],
            None if end is None else end[1],
            self.owner if lease and end is None else None,
            now + self.lease_seconds if lease and end is None else None,
        )
        self._write(
            rid,
            f"INSERT INTO {JOBS} (id, created_at, recorded_at, updated_at, model, status, base_url, metadata, "
            "stream_cursor, text_format, finished, outcome, error_class, final_response, lease_owner, lease_expires) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            values,
        )

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
            self._renew_all(now)
        else:
            held, held_params = "(lease_owner IS NULL OR lease_owner = ? OR lease_expires < ?)", (self.owner, now)
        if response is not None and status is not None and status not in PENDING_STATUSES:
            polls = 1 + self._unwritten.pop(rid, (None, 0.0, 0))[2]
            error_class, body = end_of(response)
            changed = self._write(
                rid,
                f"UPDATE {JOBS} SET status = ?, polls = polls + ?, updated_at = ?, finished = 1, outcome = ?, "
                "error_class = ?, final_response = ?, lease_owner = NULL, lease_expires = NULL "
                f"WHERE id = ? AND finished = 0 AND {held}",
                (status, polls, now, status, error_class, body, rid, *held_params),
            )
        elif event.done:  # given up (timeout, failures, a stream stopped early): pending, for the next resume
            polls = 1 + self._unwritten.pop(rid, (None, 0.0, 0))[2]
            outcome = type(event.error).__name__ if event.error is not None else "stopped"
            changed = self._write(
                rid,
                f"UPDATE {JOBS} SET polls = polls + ?, updated_at = ?, outcome = ?, lease_owner = NULL, "
                f"lease_expires = NULL WHERE id = ? AND finished = 0 AND {held}",
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
                f"lease_owner = ?, lease_expires = ? WHERE id = ? AND finished = 0 AND {held}",
                (status, 1 + skipped, now, self.owner, expires, rid, *held_params),
            )
            if changed:
                self._unwritten[rid] = (status, expires, 0)
        if changed == 0 and must_hold_lease:
            raise JournalWriteError(
                f"background job {rid}: this process no longer holds its lease in {self._store.describe()} "
                "(it stalled longer than lease_seconds, or the job was forgotten); it stops waiting, so the job "
                "is never waited for twice",
                response_id=rid,
            )

    def _renew_all(self, now: float) -> None:
        """Every few seconds, extend all of this process's leases: jobs of a resume batch still waiting
        for their first poll keep theirs while the process is alive."""
        if now - self._renewed_at < self.lease_seconds / 4:
            return
        self._renewed_at = now
        self._write(
            "(every job leased by this process)",
            f"UPDATE {JOBS} SET lease_expires = ? WHERE lease_owner = ? AND finished = 0 AND lease_expires < ?",
            (now + self.lease_seconds, self.owner, now + self.lease_seconds),
        )

    def forget(self, response_id: str) -> bool:
        """Remove a job from the journal (it is not cancelled); whether it was there."""
        return self._write(response_id, f"DELETE FROM {JOBS} WHERE id = ?", (response_id,)) > 0

    # -- leases -------------------------------------------------------------------------------------

    def claim(self, limit: int) -> list[str]:
        """Lease up to ``limit`` pending jobs no live process holds to this process, oldest update first.
        SQLite serialises claims with ``BEGIN IMMEDIATE``; PostgreSQL skips rows another claim has locked."""
        now = time.time()
        store = self._store
        free = "finished = 0 AND (lease_expires IS NULL OR lease_expires < ?)"
        try:
            with store.transaction():
                rows = store.query(
                    f"SELECT id FROM {JOBS} WHERE {free} ORDER BY updated_at, id LIMIT ?{store.skip_locked}",
                    (now, limit),
                )
                ids = [row[0] for row in rows]
                if ids:
                    marks = ", ".join("?" for _ in ids)
                    store.execute(
                        f"UPDATE {JOBS} SET lease_owner = ?, lease_expires = ? WHERE id IN ({marks}) AND {free}",
                        (self.owner, now + self.lease_seconds, *ids, now),
                    )
            self._renewed_at = now
        except Exception as error:
            raise JournalError(f"cannot lease jobs from {store.describe()}: {type(error).__name__}: {error}") from error
        return ids

    def release(self, response_ids: Collection[str]) -> None:
        """Give up this process's leases on ``response_ids`` (the jobs stay pending)."""
        for rid in response_ids:
            self._write(
                rid,
                f"UPDATE {JOBS} SET lease_owner = NULL, lease_expires = NULL WHERE id = ? AND lease_owner = ?",
                (rid, self.owner),
            )

    def held_elsewhere(self) -> float | None:
        """Seconds until the first lease of another process on a pending job expires; None if there is none."""
        rows = self._store.query(
            f"SELECT MIN(lease_expires) FROM {JOBS} WHERE finished = 0 AND lease_expires IS NOT NULL "
            "AND lease_owner <> ?",
            (self.owner,),
        )
        first = rows[0][0] if rows else None
        return None if first is None else max(0.0, float(first) - time.time())

    def _write(self, rid: str, statement: str, params: tuple[object, ...]) -> int:
        try:
            return self._store.execute(statement, params)
        except Exception as error:
            raise JournalWriteError(
                f"background job {rid} could not be recorded in the journal {self._store.describe()} "
                f"({type(error).__name__}: {error}); the job may still be running: note its id",
                response_id=rid,
            ) from error
