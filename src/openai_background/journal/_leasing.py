"""The half of ``Journal`` that coordinates processes: its name on leases, claiming, renewing (the heartbeat)
and releasing them, telling a dead holder from a live one, and the guard around every write (a failed write
is ``JournalWriteError`` and makes the next create check the journal first). ``Journal`` inherits it."""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from ._errors import JournalError, JournalWriteError
from ._leases import Heartbeat, holder_is_alive, this_holder
from ._schema import JOBS
from ._store import Store, Tx
from ._targets import public_base_url

__all__ = ["ANY", "FREED", "HOLDER", "Leasing"]

PROBE_SECONDS = 5.0
"""How long the check before a create retries a PostgreSQL journal that lost its connection."""
T = TypeVar("T")
ANY: Any = object()
"""``claim(base_url=ANY)``: jobs of every base URL."""
HOLDER = "lease_owner = ?, lease_host = ?, lease_pid = ?, lease_started = ?"
FREED = "lease_owner = NULL, lease_expires = NULL, lease_host = NULL, lease_pid = NULL, lease_started = NULL"


class Leasing:
    """Leases and guarded writes over ``_store``, for a journal with ``lease_seconds`` and a ``_heartbeat``."""

    _store: Store
    lease_seconds: float
    _heartbeat: Heartbeat
    _failed: bool
    _owner: str
    _owner_pid: int

    @property
    def owner(self) -> str:
        """This process's name on the leases it holds (host, pid and a random part)."""
        if self._owner_pid != os.getpid():
            self._owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
            self._owner_pid = os.getpid()
        return self._owner

    def _renew_all(self) -> int:
        """The heartbeat: extend every lease of this process (jobs of a resume batch waiting for their first
        poll, and jobs whose poll hangs, keep theirs while the process lives); how many it holds."""
        until = time.time() + self.lease_seconds
        return self._store.execute(
            f"UPDATE {JOBS} SET lease_expires = CASE WHEN lease_expires < ? THEN ? ELSE lease_expires END "
            "WHERE lease_owner = ? AND finished = 0",
            (until, until, self.owner),
        )

    def _holder(self) -> tuple[str, str, int, str]:
        return (self.owner, *this_holder())

    # -- leases -------------------------------------------------------------------------------------

    def claim(self, limit: int, *, base_url: Any = ANY) -> list[str]:
        """Lease up to ``limit`` pending jobs no live process holds to this process, oldest update first (with
        ``base_url``, only jobs recorded with that base URL; ``None`` for jobs recorded without one). A lease
        held by a dead process of this host is taken over at once. SQLite serialises claims with ``BEGIN
        IMMEDIATE``; PostgreSQL skips rows another claim has locked."""
        now = time.time()
        dead = self._dead_holders(now)
        store = self._store
        free = "finished = 0 AND (lease_expires IS NULL OR lease_expires < ?"
        free_params: list[object] = [now]
        if dead:
            free += f" OR lease_owner IN ({', '.join('?' for _ in dead)})"
            free_params += dead
        free += ")"
        where, where_params = _of_base_url(base_url)
        free += where
        free_params += where_params

        def work(tx: Tx) -> list[str]:
            rows = tx.query(
                f"SELECT id FROM {JOBS} WHERE {free} ORDER BY updated_at, id LIMIT ?{store.skip_locked}",
                (*free_params, limit),
            )
            ids = [row[0] for row in rows]
            if ids:
                marks = ", ".join("?" for _ in ids)
                tx.execute(
                    f"UPDATE {JOBS} SET lease_expires = ?, {HOLDER} WHERE id IN ({marks}) AND {free}",
                    (now + self.lease_seconds, *self._holder(), *ids, *free_params),
                )
            return ids

        ids = self._guard("(claiming pending jobs)", work)
        if ids:
            self._heartbeat.beat()
        return ids

    def _dead_holders(self, now: float) -> list[str]:
        """The owners of unexpired leases on this host whose process is gone (or whose PID was reused)."""
        rows = self._store.query(
            f"SELECT DISTINCT lease_owner, lease_pid, lease_started FROM {JOBS} WHERE finished = 0 "
            "AND lease_expires >= ? AND lease_host = ? AND lease_owner <> ?",
            (now, this_holder()[0], self.owner),
        )
        return [owner for owner, pid, started in rows if pid is not None and not holder_is_alive(int(pid), started)]

    def release(self, response_ids: Collection[str]) -> None:
        """Give up this process's leases on ``response_ids`` (the jobs stay pending)."""
        ids = list(response_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            self._write(
                chunk[0],
                f"UPDATE {JOBS} SET {FREED} WHERE id IN ({marks}) AND lease_owner = ?",
                (*chunk, self.owner),
            )

    def held_elsewhere(self, *, base_url: Any = ANY) -> tuple[int, float] | None:
        """How many pending jobs (of ``base_url``, as in ``claim``) other live processes hold, and the seconds
        until the first of those leases expires; None if there is none."""
        now = time.time()
        dead = set(self._dead_holders(now))
        where, where_params = _of_base_url(base_url)
        rows = self._store.query(
            f"SELECT lease_owner, COUNT(*), MIN(lease_expires) FROM {JOBS} WHERE finished = 0 "
            f"AND lease_expires IS NOT NULL AND lease_owner <> ?{where} GROUP BY lease_owner",
            (self.owner, *where_params),
        )
        live = [(int(count), float(first)) for owner, count, first in rows if owner not in dead]
        if not live:
            return None
        return sum(count for count, _ in live), max(0.0, min(first for _, first in live) - now)

    # -- failures -----------------------------------------------------------------------------------

    def check_writable(self) -> None:
        """Before a create is sent: if the last write failed (or none was tried yet), write once to the
        journal; ``JournalWriteError`` if it still cannot be written, so no job is paid for and left
        unrecorded. Costs nothing while writes succeed."""
        if not self._failed:
            return
        try:
            self._store.write(self._store.probe, retry_seconds=PROBE_SECONDS)
        except JournalError as error:
            raise JournalWriteError(
                f"the journal {self._store.describe()} cannot be written ({error}); the create was not sent"
            ) from (error.__cause__ or error)
        self._failed = False

    def _guard(self, rid: str, work: Callable[[Tx], T]) -> T:
        try:
            result = self._store.write(work)
        except JournalError as error:
            self._failed = True
            job = "" if rid.startswith("(") else f"background job {rid} could not be recorded: "
            raise JournalWriteError(
                f"{job}{error}" + ("; the job may still be running: note its id" if job else ""),
                response_id=rid if job else None,
            ) from (error.__cause__ or error)
        self._failed = False
        return result

    def _write(self, rid: str, statement: str, params: tuple[object, ...]) -> int:
        return self._guard(rid, lambda tx: tx.execute(statement, params))


def _of_base_url(base_url: Any) -> tuple[str, list[object]]:
    """The condition (and its parameters) limiting a claim to the jobs of ``base_url`` (``ANY``: all)."""
    if base_url is ANY:
        return "", []
    if base_url is None:
        return " AND base_url IS NULL", []
    return " AND base_url = ?", [public_base_url(base_url)]
