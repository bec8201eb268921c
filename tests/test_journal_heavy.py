"""The journal's kill and fleet tests (issue 16), on SQLite and on a real PostgreSQL server.

Marked ``journal_heavy`` (deselected by default; ``nox -s journal`` runs them once in CI). The fake server
runs in this process; the journal's users are child processes (``_journal_worker.py``). PostgreSQL is a
throwaway cluster on loopback (``_postgres.py``); without one the PostgreSQL tests skip, saying why.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from _postgres import Unavailable, drop_journal, start_cluster

from openai_background.journal import Journal
from openai_background.journal._leases import DEFAULT_LEASE_SECONDS
from openai_background.journal._records import load_response
from openai_background.testing import FakeResponsesServer, JobScript

pytestmark = pytest.mark.journal_heavy

WORKER = str(Path(__file__).with_name("_journal_worker.py"))
KILLED_JOBS = 12
FLEET_JOBS = 1000


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    try:
        with start_cluster() as url:
            yield url
    except Unavailable as why:
        pytest.skip(f"no PostgreSQL server can be started here: {why}")


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty journal location on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "jobs.sqlite3")
        return
    url: str = request.getfixturevalue("postgres_url")
    drop_journal(url)
    yield url


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, WORKER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(WORKER).parent,
    )


def gets(server: FakeResponsesServer) -> list[tuple[str, str | None]]:
    """(job id, x-worker header) of every poll the server served, in order."""
    return [
        (r.path.rsplit("/", 1)[1], r.headers.get("x-worker"))
        for r in server.requests
        if r.method == "GET" and r.path.startswith("/v1/responses/")
    ]


@pytest.mark.parametrize("holder", ["this host", "another host"])
def test_a_killed_process_s_jobs_are_resumed_by_another_once_and_never_recreated(target: str, holder: str) -> None:
    """With the default 15 s leases: a dead holder of this host is taken over at once; one of another host
    (its leases marked so) when its leases run out, within ``DEFAULT_LEASE_SECONDS`` of its last heartbeat."""
    with FakeResponsesServer() as server:
        server.register_script("quick", JobScript.completed(poll_after_ms=50))
        server.register_script("slow", JobScript.completed(polls=40, poll_after_ms=50, output_text="slow"))
        child = spawn("create", target, server.base_url, str(KILLED_JOBS), str(DEFAULT_LEASE_SECONDS))
        deadline = time.monotonic() + 60
        while len(gets(server)) < 3 * KILLED_JOBS:  # every job created and polled a few times: mid-poll
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never got to polling"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=30)
        created = [job.id for job in server.jobs]
        assert len(created) == KILLED_JOBS

        with Journal(target) as journal:
            finished_before = {job.id for job in journal.jobs() if job.finished}
            assert sorted(journal.pending() + sorted(finished_before)) == sorted(created)  # every job recorded
            assert len(finished_before) >= 2 and journal.pending()  # the quick ones ended; the rest is pending
            polls_before = {rid: server.job(rid).polls for rid in finished_before}
            if holder == "another host":
                journal._store.execute("UPDATE openai_background_jobs SET lease_host = 'elsewhere'")

            started = time.monotonic()
            resumer = spawn("resume", target, server.base_url, "resumer")
            out, err = resumer.communicate(timeout=180)
            took = time.monotonic() - started
            print(f"{holder}: the resumer ended the killed process's jobs {took:.1f} s after the kill")
            assert resumer.returncode == 0, err
            # The slow jobs need ~2 s of polls; a lease waited out adds 10-15 s (the last heartbeat's).
            assert took < 10 if holder == "this host" else 8 < took < DEFAULT_LEASE_SECONDS + 15
            ended = [json.loads(line) for line in out.splitlines()]
            assert sorted(e["id"] for e in ended) == sorted(set(created) - finished_before)  # each exactly once
            assert all(e["error"] is None for e in ended)
            assert len(server.jobs) == KILLED_JOBS  # nothing was created again
            assert {rid: server.job(rid).polls for rid in finished_before} == polls_before  # never polled again
            assert journal.pending() == []
            for rid in created:
                assert journal.get(rid).output_text == ("done" if rid in finished_before else "slow")


def test_three_processes_share_a_thousand_jobs_each_waited_for_by_one(target: str) -> None:
    with FakeResponsesServer() as server, Journal(target) as journal:
        server.clear_requests()
        for _ in range(FLEET_JOBS):
            rid = server.add_job(JobScript.completed(polls=2, poll_after_ms=20))
            body = {"id": rid, "object": "response", "status": "queued", "model": "m", "created_at": time.time()}
            journal.record_created(load_response(json.dumps(body)), base_url=server.base_url)
        assert len(journal.pending()) == FLEET_JOBS

        # A lease longer than any stall of a loaded CI machine: no process loses a job it is alive for.
        workers = [spawn("resume", target, server.base_url, f"worker-{n}", "10") for n in range(3)]
        results = [worker.communicate(timeout=600) for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0, 0], [err[-2000:] for _, err in results]

        ended_by: dict[str, list[str]] = defaultdict(list)
        for n, (out, _) in enumerate(results):
            for line in out.splitlines():
                ended_by[json.loads(line)["id"]].append(f"worker-{n}")
        assert len(ended_by) == FLEET_JOBS and all(len(w) == 1 for w in ended_by.values())  # each ended once
        polled_by: dict[str, set[str | None]] = defaultdict(set)
        for rid, worker in gets(server):
            polled_by[rid].add(worker)
        assert all(polled_by[rid] == {ended_by[rid][0]} for rid in ended_by)  # one process polled each job
        assert all(server.job(rid).polls == 3 for rid in ended_by)  # and no poll was sent twice
        assert sum(1 for w in results if w[0]) >= 2  # the work was shared
        assert journal.pending() == [] and all(job.outcome == "completed" for job in journal.jobs())
        assert {job.id: job.polls for job in journal.jobs()} == {rid: 3 for rid in ended_by}
