"""The journal as the channel of webhook events: the receiver records a job's end here; waits listen to it.

One table, ``openai_background_webhook_events``, keyed by the delivery's ``webhook-id``: a repeated delivery
(OpenAI delivers at least once and retries for days) finds its id there and changes nothing. A new event, in
one transaction: its row, the job's row if the journal never saw the job (so ``pending()``/``resume`` and
``job()`` know it), and the job's status (the event's end; ``finished`` stays 0 until a GET has read the final
``Response``, which the event does not carry). PostgreSQL also sends ``NOTIFY`` on ``CHANNEL`` with the
response id, delivered at commit; SQLite waits see the new rows by their ``rowid`` (``journal/_watch.py``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ._errors import JournalWriteError
from ._schema import CHANNEL, END_EVENTS, EVENTS, JOBS, KEEP_EVENTS_SECONDS

if TYPE_CHECKING:
    from ._store import Store, Tx

__all__ = ["CHANNEL", "EVENTS", "has_end_event", "record_end_event"]


def has_end_event(store: Store, response_id: str) -> bool:
    """Whether an end event of ``response_id`` was recorded (and not yet aged out)."""
    return bool(store.query(f"SELECT 1 FROM {EVENTS} WHERE response_id = ? LIMIT 1", (response_id,)))


def record_end_event(store: Store, webhook_id: str, event_type: str, response_id: str) -> bool:
    """Record one verified end event; False if its ``webhook_id`` was recorded before (nothing changes).

    ``JournalWriteError`` naming the response if the write fails (the receiver then answers 5xx, so OpenAI
    delivers the event again)."""
    status = END_EVENTS[event_type]
    now = time.time()

    def work(tx: Tx) -> bool:
        added = tx.execute(
            f"INSERT INTO {EVENTS} (webhook_id, response_id, type, received_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (webhook_id) DO NOTHING",
            (webhook_id, response_id, event_type, now),
        )
        if added == 0:
            return False
        tx.execute(
            f"INSERT INTO {JOBS} (id, recorded_at, updated_at, status) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (response_id, now, now, status),
        )
        tx.execute(
            f"UPDATE {JOBS} SET status = ?, updated_at = ? WHERE id = ? AND finished = 0",
            (status, now, response_id),
        )
        tx.execute(f"DELETE FROM {EVENTS} WHERE received_at < ?", (now - KEEP_EVENTS_SECONDS,))
        if tx.postgres:
            tx.query("SELECT pg_notify(?, ?)", (CHANNEL, response_id))
        return True

    try:
        return store.write(work)
    except Exception as error:
        raise JournalWriteError(
            f"the webhook event {event_type} for background job {response_id} could not be recorded in the "
            f"journal {store.describe()} ({type(error).__name__})",
            response_id=response_id,
        ) from error
