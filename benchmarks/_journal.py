"""The journal's cost: client CPU per poll with a journal against the same client without one,
and how soon ``responses.resume`` of a 10,000-job journal sends its first poll."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openai_background
from openai_background.journal import Journal

from ._fake import FakeServerProcess
from ._report import Row, median, ms, us

if TYPE_CHECKING:
    from ._figures import Sizes

API_KEY = "sk-bench"


def _record(journal: Journal, ids: list[str], base_url: str) -> None:
    """Put ``ids`` in the journal as a create would, in one transaction (setup, not measured)."""
    now = time.time()

    def insert(tx: Any) -> None:
        for rid in ids:
            tx.execute(
                "INSERT INTO openai_background_jobs (id, created_at, recorded_at, updated_at, model, status, "
                "base_url) VALUES (?, ?, ?, ?, 'm', 'queued', ?)",
                (rid, now, now, now, base_url),
            )

    journal._store.write(insert)


def journal_rows(server: FakeServerProcess, sizes: Sizes) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        with Journal(Path(folder, "cpu.sqlite3")) as journal:
            cpu = _cpu_per_poll(server, sizes, journal)
        with Journal(Path(folder, "resume.sqlite3")) as journal:
            start = _resume_start(server, sizes, journal)
    return [cpu, start]


def _cpu_per_poll(server: FakeServerProcess, sizes: Sizes, journal: Journal) -> Row:
    """``responses.poll`` of a client with a journal (each poll a SQLite write) against the same client
    without one; no sleep between polls (hint 0 ms), so only the work per poll counts."""
    plain = openai_background.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
    journaled = plain.with_options(journal=journal)
    per_job = sizes.cpu_polls + 1

    def batch(client: Any) -> float:
        ids = server.add_jobs(sizes.cpu_jobs, polls=sizes.cpu_polls, poll_after_ms=0)
        _record(journal, ids, server.base_url)
        start = time.process_time()
        for rid in ids:
            client.responses.poll(rid)
        cpu = time.process_time() - start
        server.clear()
        return cpu / (len(ids) * per_job)

    batch(journaled), batch(plain)  # warm up: connections, lazy imports, the database file
    ours: list[float] = []
    base: list[float] = []
    for n in range(sizes.cpu_rounds):
        pair: list[Callable[[], None]] = [lambda: ours.append(batch(journaled)), lambda: base.append(batch(plain))]
        for run in pair if n % 2 == 0 else pair[::-1]:
            run()
    ratio = median([a / b for a, b in zip(ours, base, strict=True)])
    return Row(
        "client CPU per poll with a SQLite `Journal`",
        "the same `responses.poll` without a journal",
        us(median(ours)),
        us(median(base)),
        f"{ratio:.2f}x",
        "<= 1.10x",
        ratio <= 1.10,
        f"`time.process_time()`; median of {sizes.cpu_rounds} alternating rounds of {sizes.cpu_jobs} jobs x "
        f"{per_job} polls, every poll recorded (status, lease) and the end stored",
    )


def _resume_start(server: FakeServerProcess, sizes: Sizes, journal: Journal) -> Row:
    """Wall time from ``client.responses.resume(journal)`` to the first poll's answer, for a journal of
    ``sizes.resume_jobs`` pending jobs (first-poll jitter 1 ms, so only resume's own start is counted)."""
    ids = server.add_jobs(sizes.resume_jobs, polls=0, poll_after_ms=0)
    _record(journal, ids, server.base_url)
    client = openai_background.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
    client.responses.poll(ids[0])  # warm up the connection and imports; this job is then already polled
    first: list[float] = []

    def on_poll(event: object) -> None:
        first.append(time.perf_counter())

    started = time.perf_counter()
    for _ in client.responses.resume(journal, poll_interval_ms=1, on_poll=on_poll):
        break
    elapsed = first[0] - started
    server.clear()
    return Row(
        f"`responses.resume` of a {sizes.resume_jobs:,}-job SQLite journal: first poll answered",
        "none (the stated target)",
        ms(elapsed),
        "-",
        "-",
        "<= 2 s",
        elapsed <= 2.0,
        "wall clock from the call to the first poll's answer; jobs are leased a batch at a time, never all at once",
    )
