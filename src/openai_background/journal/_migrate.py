"""Opening a journal: ``open_store`` parses the target, opens a ``Store`` and creates or upgrades its schema
(``_schema.MIGRATIONS``) once, even with many processes starting together."""

from __future__ import annotations

import os

from ._errors import JournalError
from ._schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from ._store import Store, Tx
from ._targets import parse_target

__all__ = ["migrate", "open_store", "stored_version"]


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


def open_store(target: object, *, create: bool = True) -> Store:
    """A migrated ``Store`` for ``target`` (see ``_targets.parse_target``); without ``create``, a missing
    SQLite file or a database holding no journal is a ``JournalError`` and nothing is created."""
    parsed = parse_target(target)
    if not create and not parsed.postgres and not os.path.exists(parsed.path):
        raise JournalError(f"no journal at {parsed.path}: the file does not exist")
    store = Store(parsed)
    try:
        migrate(store, create=create)
    except JournalError:
        store.close()
        raise
    except Exception as error:  # opening the file or the pool itself failed
        store.close()
        raise JournalError(f"cannot open the journal {store.describe()}: {store.explain(error)}") from error
    return store
