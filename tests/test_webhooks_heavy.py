"""Waits that listen across processes, on SQLite and on PostgreSQL (``LISTEN``/``NOTIFY``, the throwaway
cluster of the journal's heavy tests): the receiver in this process, the waiter in another."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _postgres import Unavailable, drop_journal, start_cluster
from _webhooks import OTHER_SECRET, SECRET, deliver, serving

from openai_background import AsyncOpenAI, Journal, OpenAI
from openai_background.testing import FakeResponsesServer, JobScript
from openai_background.webhooks import WebhookReceiver

pytestmark = pytest.mark.journal_heavy

WAITER = str(Path(__file__).with_name("_webhook_waiter.py"))


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    try:
        with start_cluster() as url:
            yield url
    except Unavailable as why:
        pytest.skip(f"no PostgreSQL server can be started here: {why}")


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "jobs.sqlite3")
        return
    url: str = request.getfixturevalue("postgres_url")
    drop_journal(url)
    yield url


def test_a_waiter_in_another_process_wakes_on_the_event(target: str) -> None:
    with FakeResponsesServer() as server, serving(WebhookReceiver(target, secret=SECRET)) as url:
        rid = server.add_job(JobScript.completed(polls=1))
        waiter = subprocess.Popen(
            [sys.executable, WAITER, target, server.base_url, rid, "60"], stdout=subprocess.PIPE, text=True
        )
        try:
            assert waiter.stdout is not None and waiter.stdout.readline().strip() == "listening"
            time.sleep(0.5)
            assert deliver(url, rid, secret=OTHER_SECRET).status_code == 400  # wakes nobody
            time.sleep(0.5)
            assert server.job(rid).polls == 1
            delivered = time.time()
            assert deliver(url, rid).status_code == 200
            line = json.loads(waiter.stdout.readline())
        finally:
            waiter.kill()
            waiter.wait(10)
        assert line["status"] == "completed" and line["returned_at"] - delivered < 5
        assert server.job(rid).polls == 2


@pytest.mark.parametrize("backend", ["sync", "asyncio", "trio"])
def test_waits_in_this_process_wake(target: str, backend: str) -> None:
    import anyio

    with FakeResponsesServer() as server, serving(WebhookReceiver(Journal(target), secret=SECRET)) as url:
        rids = [server.add_job(JobScript.completed(polls=1)) for _ in range(3)]
        journal = Journal(target)

        def later() -> None:
            time.sleep(0.5)
            for rid in rids:
                deliver(url, rid)

        import threading

        threading.Thread(target=later, daemon=True).start()
        started = time.monotonic()
        if backend == "sync":
            client = OpenAI(api_key="sk-test", base_url=server.base_url, journal=journal)
            ended = [o.response_id for o in client.responses.poll_many(rids, wait="webhook", fallback_poll_seconds=60)]
        else:

            async def main() -> list[str]:
                aclient = AsyncOpenAI(api_key="sk-test", base_url=server.base_url, journal=journal)
                async with aclient.responses.poll_many(rids, wait="webhook", fallback_poll_seconds=60) as outcomes:
                    return [o.response_id async for o in outcomes]

            ended = anyio.run(main, backend=backend)
        assert sorted(ended) == sorted(rids) and time.monotonic() - started < 10
        assert [server.job(rid).polls for rid in rids] == [2, 2, 2]
        assert all(journal.job(rid).finished for rid in rids)


def test_a_lost_listen_connection_is_reopened(postgres_url: str) -> None:
    """The server ends the watcher's LISTEN session: it reconnects, and a later event still wakes the wait."""
    import threading

    import psycopg

    drop_journal(postgres_url)
    with FakeResponsesServer() as server, serving(WebhookReceiver(postgres_url, secret=SECRET)) as url:
        rid = server.add_job(JobScript.completed(polls=3))
        client = OpenAI(api_key="sk-test", base_url=server.base_url, journal=Journal(postgres_url))
        ended: list[str] = []
        waiter = threading.Thread(
            target=lambda: ended.append(client.responses.poll(rid, wait="webhook", fallback_poll_seconds=60).status)
        )
        waiter.start()
        deadline = time.monotonic() + 10
        while server.job(rid).polls < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        with psycopg.connect(postgres_url, autocommit=True) as db:
            killed = db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
            ).fetchall()
        assert killed
        time.sleep(2.0)  # reconnected, and looked once in case an event was missed meanwhile
        assert server.job(rid).polls == 2
        deliver(url, rid)
        waiter.join(15)
        assert ended == ["completed"]
