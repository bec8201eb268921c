"""The journal's connections, the one module that owns them: SQLite (``sqlite3``) and PostgreSQL (psycopg 3
through ``psycopg_pool``). The tables and their migrations are ``_schema``'s.

Its API, for the journal and for modules built on it (a webhook recorder, a wake-up channel):

- a ``Store`` is opened and migrated by ``_migrate.open_store``;
- ``store.read(work)`` / ``store.write(work)``: run ``work(tx)`` with one connection (``write``: in one
  write transaction, committed when ``work`` returns, rolled back if it raises) and return its result.
  ``tx.query(sql, params)`` returns rows, ``tx.execute(sql, params)`` the rowcount; statements use ``?``
  placeholders on both backends. Any driver error comes out as ``JournalError``, its cause chained and no
  password in its message. ``store.query``/``store.execute`` are one-statement shorthands;
- ``store.connect()``: a context manager giving a raw DB-API connection (PostgreSQL: borrowed from the pool);

Recovery: on PostgreSQL a connection that drops (server restart, failover, ``pg_terminate_backend``, an idle
timeout) is discarded by the pool, and ``work`` runs again on a fresh one, for up to ``RETRY_SECONDS``
(every statement the journal writes may run twice: inserts are ``ON CONFLICT DO NOTHING``, updates set
values). Why ``psycopg_pool`` rather than our own reconnect loop: it is psycopg's own, replaces broken
connections in the background, is thread-safe, and lets a caller hand the journal a pool it already has.
SQLite needs none of this: a file does not drop; a locked one is waited for ``BUSY_SECONDS`` (``retry_seconds``,
when given: the check before a create waits ``PROBE_SECONDS`` only).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from ._errors import JournalError
from ._schema import SCHEMA
from ._targets import Target

__all__ = ["BUSY_SECONDS", "RETRY_SECONDS", "Store", "Tx"]

BUSY_SECONDS = 30.0
"""How long a SQLite statement waits for another process's write lock before it fails."""
RETRY_SECONDS = 15.0
"""How long PostgreSQL work is retried on fresh connections after its connection dropped."""
RECONNECT_SECONDS = 5.0
"""The longest reconnect series of the journal's pool before it starts a new one (its backoff restarts at 1 s)."""
T = TypeVar("T")

_abandoned: list[object] = []
"""Pools inherited across a fork: never used or closed in the child (their sockets are the parent's)."""


class Tx:
    """One connection lent to a unit of work; statements take ``?`` placeholders."""

    def __init__(self, connection: Any, postgres: bool) -> None:
        self.connection = connection
        self.postgres = postgres

    def _run(self, statement: str, params: Sequence[object]) -> Any:
        sql = statement.replace("?", "%s") if self.postgres else statement
        return self.connection.execute(sql, tuple(params))

    def execute(self, statement: str, params: Sequence[object] = ()) -> int:
        return int(self._run(statement, params).rowcount)

    def query(self, statement: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._run(statement, params).fetchall()]


class Store:
    """A journal's connections: one SQLite connection per process (serialised by a lock), or a PostgreSQL
    pool (one per process; a pool given by the caller is used as it is and never closed)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.postgres = target.postgres
        self.skip_locked = " FOR UPDATE SKIP LOCKED" if self.postgres else ""
        self._lock = threading.RLock()
        self._handle: Any = target.pool
        self._pid = os.getpid() if target.pool is not None else 0

    def describe(self) -> str:
        """The journal's location without a password."""
        return self.target.describe()

    def _psycopg(self, name: str) -> Any:
        try:  # imported by name: psycopg is an optional extra, absent where type checks run
            return importlib.import_module(name)
        except ImportError:
            raise JournalError(
                "a PostgreSQL journal needs psycopg 3 and psycopg_pool: pip install 'openai-background[postgres]'"
            ) from None

    def _open(self) -> Any:
        """This process's SQLite connection or PostgreSQL pool, opened on first use (again after a fork)."""
        with self._lock:
            if self._handle is not None and (self._pid == os.getpid() or self.target.pool is not None):
                return self._handle
            if self._handle is not None:
                _abandoned.append(self._handle)
            if self.postgres:
                pool: Any = self._psycopg("psycopg_pool").ConnectionPool
                if self._pid == 0:  # the first open: a direct connection says why it fails (the pool would wait)
                    self._psycopg("psycopg").connect(self.target.conninfo, connect_timeout=10).close()
                handle = pool(
                    self.target.conninfo,
                    min_size=1,
                    max_size=4,
                    kwargs={"autocommit": True},
                    timeout=RETRY_SECONDS,
                    # The pool's reconnect backoff doubles from 1 s up to this, then gives up; the next request
                    # starts again from 1 s. Short, so a server back after minutes is found within seconds.
                    reconnect_timeout=RECONNECT_SECONDS,
                    name="openai-background-journal",
                    open=True,
                )
            else:
                # autocommit (isolation_level=None): every transaction here is opened explicitly.
                handle = sqlite3.connect(
                    self.target.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
                )
                try:
                    handle.execute("PRAGMA journal_mode=WAL")
                    # NORMAL survives any process crash (SIGKILL, OOM); only an OS crash may lose the last commits.
                    handle.execute("PRAGMA synchronous=NORMAL")
                except sqlite3.OperationalError:
                    pass  # a read-only file: readable; writes fail (and ``check_writable`` says so first)
            self._handle, self._pid = handle, os.getpid()
            return handle

    @contextmanager
    def connect(self, timeout: float = RETRY_SECONDS) -> Generator[Any, None, None]:
        """A raw DB-API connection for the block (SQLite: the process's one, under its lock; PostgreSQL: one
        from the pool, waited for up to ``timeout`` seconds)."""
        handle = self._open()
        if self.postgres:
            with handle.connection(timeout=timeout) as connection:
                yield connection
        else:
            with self._lock:
                yield handle

    def _once(self, work: Callable[[Tx], T], write: bool, timeout: float, busy: float | None = None) -> T:
        with self.connect(timeout) as connection:
            tx = Tx(connection, self.postgres)
            if not write:
                return work(tx)
            if self.postgres:
                with connection.transaction():
                    return work(tx)
            if busy is not None:  # a shorter wait for the write lock than BUSY_SECONDS, for this write only
                connection.execute(f"PRAGMA busy_timeout = {int(busy * 1000)}")
            try:
                connection.execute("BEGIN IMMEDIATE")  # the write lock at once: two claims never interleave
            finally:
                if busy is not None:
                    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            try:
                result = work(tx)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result

    def run(self, work: Callable[[Tx], T], *, write: bool, retry_seconds: float | None = None) -> T:
        """``work(tx)`` on one connection; PostgreSQL work whose connection dropped runs again on a fresh one
        for up to ``retry_seconds`` (default ``RETRY_SECONDS``). Driver errors become ``JournalError`` (the
        cause chained)."""
        bound = RETRY_SECONDS if retry_seconds is None else retry_seconds
        deadline = time.monotonic() + (bound if self._pid else 0.0)  # no retry while opening
        delay = 0.05
        while True:
            try:
                busy = None if self.postgres or retry_seconds is None else min(retry_seconds, BUSY_SECONDS)
                return self._once(work, write, max(1.0, deadline - time.monotonic()), busy)
            except JournalError:
                raise
            except Exception as error:
                if self.postgres and self._retryable(error) and time.monotonic() + delay < deadline:
                    self._drop_broken()
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                what = "write to" if write else "read"
                raise JournalError(f"cannot {what} the journal {self.describe()}: {self.explain(error)}") from error

    def _drop_broken(self) -> None:
        """After a lost connection, the pool's idle ones likely died with it (a restart, a failover): test
        them all now (``pool.check()``), so the retry gets a fresh one instead of the next dead one."""
        pool = self._handle
        if pool is None or isinstance(pool, sqlite3.Connection):
            return
        with contextlib.suppress(Exception):  # the server is away: the pool keeps reconnecting in the background
            pool.check()

    def _retryable(self, error: Exception) -> bool:
        """A lost or refused connection (psycopg's ``OperationalError``, the pool's timeout included)."""
        psycopg: Any = self._psycopg("psycopg")
        return isinstance(error, psycopg.OperationalError)

    def explain(self, error: BaseException) -> str:
        """``Class: message`` of a driver error, any password of the target removed."""
        text = f"{type(error).__name__}: {error}"
        password = self._password()
        return text.replace(password, "[redacted]") if password else text

    def _password(self) -> str | None:
        if not self.target.conninfo:
            return None
        try:
            conninfo_to_dict: Any = importlib.import_module("psycopg.conninfo").conninfo_to_dict

            found = conninfo_to_dict(self.target.conninfo).get("password")
        except Exception:
            return None
        return str(found) if found else None

    def read(self, work: Callable[[Tx], T], *, retry_seconds: float | None = None) -> T:
        return self.run(work, write=False, retry_seconds=retry_seconds)

    def write(self, work: Callable[[Tx], T], *, retry_seconds: float | None = None) -> T:
        return self.run(work, write=True, retry_seconds=retry_seconds)

    @staticmethod
    def probe(tx: Tx) -> None:
        """A real write that changes nothing: fails where any write would (read-only file or standby, disk
        full, a lock held too long, a dead server)."""
        tx.execute(f"UPDATE {SCHEMA} SET version = version")

    def query(self, statement: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """One read statement's rows."""
        return self.read(lambda tx: tx.query(statement, params))

    def execute(self, statement: str, params: Sequence[object] = ()) -> int:
        """One statement in its own write transaction; its rowcount."""
        return self.write(lambda tx: tx.execute(statement, params))

    def close(self) -> None:
        with self._lock:
            handle, self._handle = self._handle, None
            if handle is not None and self.target.pool is None and self._pid == os.getpid():
                handle.close()
