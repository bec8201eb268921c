"""The journal on a real PostgreSQL server under faults: backends terminated by ``pg_terminate_backend``
or by an ``idle_session_timeout``, the server killed (``pg_ctl stop -m immediate``) and started again, every URL
spelling and a caller's ``psycopg_pool.ConnectionPool``. Marked ``journal_heavy`` (``nox -s journal``); the
cluster is a throwaway one on loopback (``_postgres.py``), skipped, saying why, where none can start.
Each test prints what it measured (``-s`` shows it)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from _postgres import Cluster, Unavailable, drop_journal, start_cluster_handle

from openai_background import OpenAI
from openai_background.journal import Journal, JournalError, JournalWriteError, _store
from openai_background.testing import FakeResponsesServer, JobScript

pytestmark = pytest.mark.journal_heavy
KEY = "sk-journal-canary-0123456789abcdef"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    try:
        with start_cluster_handle() as started:
            yield started
    except Unavailable as why:
        pytest.skip(f"no PostgreSQL server can be started here: {why}")


@pytest.fixture
def url(cluster: Cluster) -> str:
    drop_journal(cluster.url)
    return cluster.url


def creates(server: FakeResponsesServer) -> int:
    return sum(1 for r in server.requests if r.method == "POST" and r.path == "/v1/responses")


def terminate_backends(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND datname = current_database()"
        ).fetchall()
    return len(rows)


def test_terminated_backends_are_replaced_and_no_write_is_lost(server: FakeResponsesServer, url: str) -> None:
    with Journal(url) as journal:
        client = OpenAI(api_key=KEY, base_url=server.base_url, journal=journal, max_retries=0)
        started = time.monotonic()
        client.responses.create_and_poll(model="m", input="x", poll_interval_ms=5)
        print(f"baseline: create_and_poll took {(time.monotonic() - started) * 1000:.0f} ms")
        before = creates(server)
        for round in range(3):
            assert terminate_backends(url) >= 1  # every connection of the journal's pool is gone
            started = time.monotonic()
            rid = client.responses.create_and_poll(model="m", input="x", poll_interval_ms=5).id
            took = time.monotonic() - started
            print(f"round {round}: create_and_poll after pg_terminate_backend took {took * 1000:.0f} ms")
            assert journal.job(rid).finished and took < _store.RETRY_SECONDS
        assert creates(server) == before + 3 and len(journal.jobs()) == 4


def test_connections_closed_by_an_idle_session_timeout_are_replaced(server: FakeResponsesServer, url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("ALTER DATABASE postgres SET idle_session_timeout = '300ms'")
    try:
        with Journal(url) as journal:
            client = OpenAI(api_key=KEY, base_url=server.base_url, journal=journal, max_retries=0)
            for _ in range(2):
                time.sleep(0.8)  # every idle connection of the pool is closed by the server meanwhile
                started = time.monotonic()
                rid = client.responses.create(model="m", input="x", background=True).id
                print(f"a create after an idle timeout: {(time.monotonic() - started) * 1000:.0f} ms")
                assert journal.pending()[-1] == rid
    finally:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("ALTER DATABASE postgres RESET idle_session_timeout")


def test_a_killed_server_refuses_creates_then_the_journal_recovers_when_it_is_back(
    server: FakeResponsesServer, cluster: Cluster, url: str, monkeypatch: Any
) -> None:
    monkeypatch.setattr(_store, "RETRY_SECONDS", 2.0)
    journal = Journal(url)
    client = OpenAI(api_key=KEY, base_url=server.base_url, journal=journal, max_retries=0)
    client.responses.create(model="m", input="x", background=True)  # healthy: recorded
    cluster.stop()  # killed (immediate: as a crash)
    try:
        with pytest.raises(JournalError) as caught:  # reads: typed, the driver's error chained
            journal.pending()
        assert type(caught.value.__cause__).__module__.startswith(("psycopg", "psycopg_pool"))
        before = creates(server)
        with pytest.raises(JournalWriteError) as caught:  # not known broken yet: sent, then reported with its id
            client.responses.create(model="m", input="x", background=True)
        assert caught.value.response_id == server.jobs[-1].id and creates(server) == before + 1
        for _ in range(3):  # known broken: checked first, and never sent
            with pytest.raises(JournalWriteError, match="not sent"):
                client.responses.create(model="m", input="x", background=True)
        assert creates(server) == before + 1
    finally:
        cluster.start()
    back = time.monotonic()
    while True:
        try:
            rid = client.responses.create(model="m", input="x", background=True).id
            break
        except JournalWriteError:
            assert time.monotonic() - back < 60
    print(f"first recorded create {time.monotonic() - back:.2f} s after the server was back")
    assert journal.job(rid).status in ("queued", "in_progress") and creates(server) == before + 2
    started = time.monotonic()
    assert len(journal.pending()) == 2
    print(f"a read after recovery: {(time.monotonic() - started) * 1000:.1f} ms")
    journal.close()


def test_a_restarted_server_between_polls_does_not_end_the_wait(
    server: FakeResponsesServer, cluster: Cluster, url: str
) -> None:
    with Journal(url) as journal:
        client = OpenAI(api_key=KEY, base_url=server.base_url, journal=journal, max_retries=0)
        server.register_script("restart", JobScript.completed(polls=40, poll_after_ms=50))
        restarted: list[float] = []

        def restart_once(event: Any) -> None:
            if event.polls == 3 and not restarted:
                started = time.monotonic()
                cluster.stop()
                cluster.start()
                restarted.append(time.monotonic() - started)

        started = time.monotonic()
        response = client.responses.create_and_poll(
            model="m", input="x", metadata={"fake_script": "restart"}, on_poll=restart_once
        )
        print(f"wait with a server restart: {time.monotonic() - started:.2f} s (restart {restarted[0]:.2f} s)")
        job = journal.job(response.id)
        assert job.finished and job.outcome == "completed" and job.lease_owner is None


@pytest.mark.parametrize("spelling", ["postgres://", "POSTGRESQL+PSYCOPG://", "libpq", "pool"])
def test_every_spelling_reaches_the_same_database(server: FakeResponsesServer, url: str, spelling: str) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    from psycopg_pool import ConnectionPool

    with Journal(url) as reference:
        rid = (
            OpenAI(api_key=KEY, base_url=server.base_url, journal=reference)
            .responses.create(model="m", input="x", background=True)
            .id
        )
    pool = None
    if spelling == "pool":
        pool = ConnectionPool(url, kwargs={"autocommit": True}, min_size=1, max_size=2, open=True)
        target: object = pool
    elif spelling == "libpq":
        target = make_conninfo("", **conninfo_to_dict(url))
    else:
        target = spelling + url.split("://", 1)[1]
    with Journal(target) as journal:
        assert journal.pending() == [rid] and "postgres" in repr(journal).lower()
    if pool is not None:  # the caller's pool: used, never closed by the journal
        with pool.connection() as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        pool.close()
    with psycopg.connect(url) as db:
        assert db.execute("SELECT count(*) FROM openai_background_jobs").fetchone() == (1,)
