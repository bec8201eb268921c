"""The journal's schema, as data: its tables, one tuple of statements per version (``MIGRATIONS``), the
webhook events' table and ``NOTIFY`` channel. A new table or column is a new tuple at the end (the next
version); ``_migrate`` applies them on open, ``_store`` owns the connections they run on. Imports nothing.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CHANNEL",
    "END_EVENTS",
    "EVENTS",
    "EVENTS_MIGRATION",
    "JOBS",
    "KEEP_EVENTS_SECONDS",
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_VERSION",
]

JOBS: Final = "openai_background_jobs"
SCHEMA: Final = "openai_background_schema_version"

EVENTS: Final = "openai_background_webhook_events"
CHANNEL: Final = "openai_background_ends"
"""The PostgreSQL ``NOTIFY`` channel; its payload is the response id."""

END_EVENTS: Final = {
    "response.completed": "completed",
    "response.failed": "failed",
    "response.incomplete": "incomplete",
    "response.cancelled": "cancelled",
}
"""The webhook event types that end a background response, and the status each stands for."""

KEEP_EVENTS_SECONDS: Final = 7 * 24 * 3600.0
"""How long a delivery's id is kept to recognise a repeat: longer than OpenAI retries a delivery (3 days)."""

EVENTS_MIGRATION: Final = (
    f"CREATE TABLE IF NOT EXISTS {EVENTS} ("
    " webhook_id TEXT PRIMARY KEY,"
    " response_id TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " received_at DOUBLE PRECISION NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {EVENTS}_received ON {EVENTS} (received_at)",
    f"CREATE INDEX IF NOT EXISTS {EVENTS}_response ON {EVENTS} (response_id)",
)

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
    EVENTS_MIGRATION,  # version 3: the webhook events (written by _events, read by _watch)
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
