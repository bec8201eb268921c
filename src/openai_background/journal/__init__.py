"""The journal: a durable record of background jobs, resumable after a crash, shared by a fleet.

What it owns: ``Journal`` (``_journal``: recording and reading; ``_leasing``: claiming, renewing and
releasing leases, and the guard around writes; its rows as data in ``_records``), who holds a lease and the
heartbeat (``_leases``), what a ``Journal(target)`` names and URLs without their secrets (``_targets``), its
connections, SQL layer and versioned schema over SQLite and PostgreSQL (``_store``), ``client.responses.resume``
(``_resume``, returning ``_outcomes``), its errors (``_errors``) and the ``openai-background jobs`` commands
(``_cli``). Faults and delivery guarantees: docs/journal.md.

What it may import: the core (``.._loop``, ``.._many``, ``.._dispatch``, ``.._events``, ``.._recording``,
``.._codes``, ``.._compat``, ``.._outcome``, ``.._client``). The core knows a journal only through the
``.._recording.Recorder`` protocol: it records create answers and composes ``record_poll`` into the one
poll program's ``on_poll``; ``.._resources`` and ``.._async_resources`` load ``_resume`` for the ``resume``
method, ``.._cli`` loads ``_cli`` for ``jobs``, and ``..modes._settings`` carries the journal as the ``journal``
setting.
"""

from ._errors import JobNotFinishedError, JournalError, JournalWriteError
from ._journal import Job, Journal

__all__ = ["Job", "JobNotFinishedError", "Journal", "JournalError", "JournalWriteError"]
