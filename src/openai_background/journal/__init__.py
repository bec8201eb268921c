"""The journal: a durable record of background jobs, resumable after a crash, shared by a fleet.

What it owns: ``Journal`` (``_journal``: recording and reading; ``_leasing``: claiming, renewing and
releasing leases, and the guard around writes; its rows as data in ``_records``), who holds a lease and the
heartbeat (``_leases``), what a ``Journal(target)`` names and URLs without their secrets (``_targets``), its
connections and SQL layer over SQLite and PostgreSQL (``_store``), its schema as data (``_schema``) and
opening it (``_migrate``), ``client.responses.resume`` (``_resume``, returning ``_outcomes``), its errors
(``_errors``), the webhook events it carries (``_events``) and the watcher that wakes waits (``_watch``).
Faults and delivery guarantees: docs/journal.md.

What it may import: ``.._waits`` (the poll program and the ``observers.Recorder`` and ``wakeups.Wakeups``
protocols it implements), ``.._many`` (``resume`` is a ``poll_many``), ``.._errors`` and ``.._compat``. The
core never imports it: it knows a journal only through those protocols; ``.._surface`` loads ``_resume`` for
the ``resume`` method, ``.._command.jobs`` reads it, and ``..webhooks`` writes the events it carries.
"""

from ._errors import JobNotFinishedError, JournalError, JournalWriteError
from ._journal import Job, Journal

__all__ = ["Job", "JobNotFinishedError", "Journal", "JournalError", "JournalWriteError"]
