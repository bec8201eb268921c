"""The journal's schema: its tables, one tuple of statements per version (``MIGRATIONS``), and ``migrate``,
which creates or upgrades it on open. A new table or column is a new tuple at the end (the next version);
``_store`` owns the connections these statements run on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._errors import JournalError
from ._events import EVENTS_MIGRATION

if TYPE_CHECKING:
    from ._store import Store, Tx

__all__ = ["JOBS", "MIGRATIONS", "SCHEMA", "SCHEMA_VERSION", "migrate"]

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
    (  # version 2: who holds a lease, so a dead holder on the same host is taken over at once
        f"ALTER TABLE {JOBS} ADD COLUMN lease_host TEXT",  # hostname/boot id/pid namespace
        f"ALTER TABLE {JOBS} ADD COLUMN lease_pid INTEGER",
        f"ALTER TABLE {JOBS} ADD COLUMN lease_started TEXT",  # the holder process's start time ('' unknown)
        f"CREATE INDEX {JOBS}_owner ON {JOBS} (lease_owner)",
    ),
    EVENTS_MIGRATION,  # version 3: the webhook events (journal/_events.py)
)
SCHEMA_VERSION: Final = len(MIGRATIONS)


def stored_version(store: Store, tx: Tx) -> int | None:
    """The schema version stored, or None for a database without a journal."""
    if store.postgres:
        found = tx.query("SELECT to_regclass(?)", (SCHEMA,))
        exists = found[0][0] is not None
    else:
        exists = bool(tx.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", (SCHEMA,)))
    if not exists:
        return None
    rows = tx.query(f"SELECT version FROM {SCHEMA}")
    return int(rows[0][0]) if rows else 0


def migrate(store: Store, *, create: bool = True) -> None:
    """Create or upgrade the schema to ``SCHEMA_VERSION``, once, even with many processes starting together
    (SQLite: the write lock; PostgreSQL: an advisory transaction lock). A current schema is only read, so
    a read-only journal opens. Without ``create``, a database holding no journal is a ``JournalError``."""
    version = store.read(lambda tx: stored_version(store, tx))
    if version is None and not create:
        raise JournalError(f"{store.describe()} holds no journal")
    if version is not None and version > SCHEMA_VERSION:
        raise JournalError(
            f"the journal {store.describe()} has schema version {version}; this openai-background knows up "
            f"to {SCHEMA_VERSION}: upgrade the package"
        )
    if version != SCHEMA_VERSION:
        store.write(lambda tx: _upgrade(store, tx))


def _upgrade(store: Store, tx: Tx) -> None:
    if store.postgres:
        tx.query("SELECT pg_advisory_xact_lock(7316451)")
    tx.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA} (version INTEGER NOT NULL)")
    rows = tx.query(f"SELECT version FROM {SCHEMA}")
    version = int(rows[0][0]) if rows else 0
    for statements in MIGRATIONS[version:]:
        for statement in statements:
            tx.execute(statement)
    if not rows:
        tx.execute(f"INSERT INTO {SCHEMA} (version) VALUES (?)", (SCHEMA_VERSION,))
    elif version < SCHEMA_VERSION:
        tx.execute(f"UPDATE {SCHEMA} SET version = ?", (SCHEMA_VERSION,))
