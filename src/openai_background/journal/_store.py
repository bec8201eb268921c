"""The SQL layer of the journal: one code path over DB-API 2 for SQLite (``sqlite3``) and PostgreSQL
(psycopg 3), and the versioned schema.

Why our own layer rather than SQLAlchemy: the journal needs a dozen statements, all portable SQL; the two
drivers differ only in their placeholder (``?`` against ``%s``), in how a write transaction is opened
(SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``BEGIN``) and in the row lock PostgreSQL adds to a claim
(``FOR UPDATE SKIP LOCKED``). A 30-line shim keeps both backends one code path without a dependency
(SQLite needs none at all; PostgreSQL needs psycopg only).
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import threading
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from ._errors import JournalError
from ._events import EVENTS_MIGRATION

__all__ = ["SCHEMA_VERSION", "Store", "open_store"]

JOBS: Final = "openai_background_jobs"
SCHEMA: Final = "openai_background_schema_version"

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (  # version 1
        f"CREATE TABLE {JOBS} ("
        " id TEXT PRIMARY KEY,"
        " created_at DOUBLE PRECISION,"  # the response's own created_at (seconds since the epoch)
        " recorded_at DOUBLE PRECISION NOT NULL,"
        " updated_at DOUBLE PRECISION NOT NULL,"
        " model TEXT, status TEXT, base_url TEXT,"
        " metadata TEXT,"  # the caller's metadata, as JSON
        " stream_cursor BIGINT,"  # the last sequence number read, when streamed
        " text_format TEXT,"  # module:qualname of the structured-output model, if any
        " polls INTEGER NOT NULL DEFAULT 0,"
        " finished INTEGER NOT NULL DEFAULT 0,"  # 1 once the job has ended; never polled again
        " outcome TEXT,"  # the final status, or the error class name of an unrecoverable poll
        " error_class TEXT,"  # the typed error the end stands for (None for completed)
        " final_response TEXT,"  # the terminal Response, as JSON
        " lease_owner TEXT, lease_expires DOUBLE PRECISION)",
        f"CREATE INDEX {JOBS}_pending ON {JOBS} (finished, lease_expires)",
    ),
    EVENTS_MIGRATION,  # version 2: the webhook events (journal/_events.py)
)
SCHEMA_VERSION: Final = len(MIGRATIONS)


class Store:
    """One connection (opened lazily, again after a fork), serialised by a lock. Every statement is
    written with ``?`` placeholders; ``execute`` turns them into the driver's."""

    def __init__(self, target: str, *, postgres: bool) -> None:
        self.target = target
        self.postgres = postgres
        self.begin = "BEGIN" if postgres else "BEGIN IMMEDIATE"
        self.skip_locked = " FOR UPDATE SKIP LOCKED" if postgres else ""
        self._lock = threading.RLock()
        self._connection: Any = None
        self._pid = 0

    def _connect(self) -> Any:
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        if self.postgres:
            try:  # imported by name: psycopg is an optional extra, absent where type checks run
                psycopg: Any = importlib.import_module("psycopg")
            except ImportError:
                raise JournalError(
                    "a PostgreSQL journal needs psycopg 3: pip install 'openai-background[postgres]'"
                ) from None
            connection: Any = psycopg.connect(self.target, autocommit=True)
        else:
            # autocommit (isolation_level=None): every transaction here is opened explicitly.
            connection = sqlite3.connect(self.target, timeout=30.0, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            # NORMAL survives any process crash (SIGKILL, OOM); only an OS crash may lose the last commits.
            connection.execute("PRAGMA synchronous=NORMAL")
        self._connection, self._pid = connection, os.getpid()
        return connection

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Sequence[object] = ()) -> int:
        """Run one statement (its own transaction unless inside ``transaction``); returns the rowcount."""
        with self._lock:
            cursor = self._connect().execute(self._sql(statement), tuple(params))
            return int(cursor.rowcount)

    def query(self, statement: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            cursor = self._connect().execute(self._sql(statement), tuple(params))
            return [tuple(row) for row in cursor.fetchall()]

    @contextmanager
    def transaction(self) -> Generator[None, None, None]:
        """A write transaction: SQLite takes the write lock at once (``BEGIN IMMEDIATE``), so two claims
        never interleave; PostgreSQL relies on row locks (``FOR UPDATE SKIP LOCKED``)."""
        with self._lock:
            connection = self._connect()
            connection.execute(self.begin)
            try:
                yield
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    def migrate(self) -> None:
        """Create or upgrade the schema to ``SCHEMA_VERSION``, once, even with many processes starting
        together (SQLite: the write lock; PostgreSQL: an advisory transaction lock)."""
        with self.transaction():
            if self.postgres:
                self.query("SELECT pg_advisory_xact_lock(7316451)")
            self.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA} (version INTEGER NOT NULL)")
            rows = self.query(f"SELECT version FROM {SCHEMA}")
            version = int(rows[0][0]) if rows else 0
            if version > SCHEMA_VERSION:
                raise JournalError(
                    f"the journal {self.describe()} has schema version {version}; this openai-background knows up "
                    f"to {SCHEMA_VERSION}: upgrade the package"
                )
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    self.execute(statement)
            if not rows:
                self.execute(f"INSERT INTO {SCHEMA} (version) VALUES (?)", (SCHEMA_VERSION,))
            elif version < SCHEMA_VERSION:
                self.execute(f"UPDATE {SCHEMA} SET version = ?", (SCHEMA_VERSION,))

    def describe(self) -> str:
        """The journal's location without a password."""
        if not self.postgres:
            return self.target
        try:
            conninfo: Any = importlib.import_module("psycopg.conninfo")
            parts = conninfo.conninfo_to_dict(self.target)
            parts.pop("password", None)
            return str(conninfo.make_conninfo("", **parts))
        except Exception:
            return "a PostgreSQL database"


def open_store(target: str | os.PathLike[str]) -> Store:
    """A ``Store`` for a path (SQLite) or a ``postgresql://`` / ``postgres://`` URL, migrated."""
    text = os.fspath(target)
    if not text:
        raise ValueError("Journal needs a path or a postgresql:// URL, not an empty string")
    store = Store(text, postgres=text.startswith(("postgresql://", "postgres://")))
    try:
        store.migrate()
    except JournalError:
        raise
    except Exception as error:
        raise JournalError(f"cannot open the journal {store.describe()}: {type(error).__name__}: {error}") from error
    return store
