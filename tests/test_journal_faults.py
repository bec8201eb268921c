"""The journal under faults, on SQLite (issue 22): what a ``Journal(...)`` target may be, credentials kept out
of what is stored and printed, a broken journal refusing a create before it is sent, typed errors from a
locked or damaged file, leases waited for and said, ``resume`` that warns when dropped unused, and the CLI
(an existing journal only; each job at its stored base URL; SIGTERM releases the leases).
PostgreSQL's faults (a terminated backend, a restarted server) are in ``test_journal_pg.py``."""

from __future__ import annotations

import gc
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from openai_background import AsyncOpenAI, OpenAI
from openai_background._command.main import main
from openai_background.journal import Journal, JournalError, JournalWriteError, _leasing, _store
from openai_background.journal._targets import parse_target, public_base_url
from openai_background.testing import FakeResponsesServer, JobScript

KEY = "sk-journal-canary-0123456789abcdef"
SECRET = "s3cret-pw-canary"


def creates(server: FakeResponsesServer) -> int:
    return sum(1 for r in server.requests if r.method == "POST" and r.path == "/v1/responses")


def record_queued(server: FakeResponsesServer, journal: Journal, script: JobScript, base_url: str) -> str:
    created = OpenAI(api_key=KEY, base_url=server.base_url).responses.create(model="m", input="x", background=True)
    server.job(created.id).script = script
    journal.record_created(created, base_url=base_url)
    return created.id


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://app:{SECRET}@db.example:5433/jobs",
        f"POSTGRESQL://app:{SECRET}@db.example/jobs",
        f"postgres://app:{SECRET}@db.example/jobs",
        f"postgresql+psycopg://app:{SECRET}@db.example/jobs",
        f"host=db.example port=5433 dbname=jobs user=app password={SECRET}",
    ],
)
def test_every_postgres_spelling_reaches_postgres_and_hides_the_password(url: str) -> None:
    pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    target = parse_target(url)
    assert target.postgres and SECRET not in target.describe() and "db.example" in target.describe()


@pytest.mark.parametrize("url", [f"mysql://app:{SECRET}@db/jobs", f"HTTP://app:{SECRET}@db/x", "sqlite://x.db"])
def test_a_url_not_understood_is_an_error_never_a_file(url: str, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as caught:
        Journal(url)
    assert SECRET not in str(caught.value) and list(tmp_path.iterdir()) == []


def test_sqlite_urls_and_wrong_types(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse_target("sqlite:///rel.db").path == "rel.db"
    assert parse_target("sqlite:////abs/jobs.db").path == "/abs/jobs.db"
    Journal("sqlite:///rel.db").close()
    assert (tmp_path / "rel.db").exists()
    with pytest.raises(TypeError, match="not int"):
        Journal(123)
    with pytest.raises(ValueError, match="empty"):
        Journal("  ")


def test_a_refused_postgres_connection_names_no_password() -> None:
    pytest.importorskip("psycopg_pool", reason="the postgres extra is not installed")
    with pytest.raises(JournalError) as caught:
        Journal(f"postgresql://app:{SECRET}@127.0.0.1:1/jobs")
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value) and caught.value.__cause__ is not None


def test_credentials_in_a_base_url_are_never_stored_or_printed(
    server: FakeResponsesServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert public_base_url(f"http://user:{SECRET}@proxy:8080/v1?api-version=2&api-key={SECRET}") == (
        "http://proxy:8080/v1?api-version=2"
    )
    with Journal(tmp_path / "j.sqlite3") as journal:
        rid = record_queued(server, journal, JobScript.completed(), f"http://u:{SECRET}@proxy/v1?sig={SECRET}")
        assert journal.job(rid).base_url == "http://proxy/v1"
    assert main(["jobs", "list", "--journal", str(tmp_path / "j.sqlite3"), "--json"]) == 0
    assert SECRET not in capsys.readouterr().out
    assert SECRET not in (tmp_path / "j.sqlite3").read_bytes().decode("latin-1")


def _locked(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    return holder


def test_a_locked_journal_refuses_the_create_before_it_is_sent(
    server: FakeResponsesServer, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(_store, "BUSY_SECONDS", 0.2)
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    client = OpenAI(api_key=KEY, base_url=server.base_url, journal=journal, max_retries=0)
    holder = _locked(path)
    before = creates(server)
    for create in (
        lambda: client.responses.create_and_poll(model="m", input="x", poll_interval_ms=5),
        lambda: client.responses.create(model="m", input="x", background=True),
        lambda: list(client.responses.create_and_stream(model="m", input="x")),
    ):
        with pytest.raises(JournalWriteError, match=r"cannot be written.*the create was not sent"):
            create()
    assert creates(server) == before  # nothing paid for
    holder.execute("ROLLBACK")
    rid = client.responses.create_and_poll(model="m", input="x", poll_interval_ms=5).id
    assert journal.job(rid).finished and creates(server) == before + 1
    holder = _locked(path)  # a write fails mid-way (the job is paid for, reported with its id) ...
    with pytest.raises(JournalWriteError) as caught:
        client.responses.create(model="m", input="x", background=True)
    assert caught.value.response_id == server.jobs[-1].id and creates(server) == before + 2
    with pytest.raises(JournalWriteError, match="not sent"):  # ... and the next create is not sent
        client.responses.create(model="m", input="x", background=True)
    assert creates(server) == before + 2
    holder.execute("ROLLBACK")
    journal.close()


def test_the_check_before_a_create_waits_for_a_lock_less_than_a_write_does(
    server: FakeResponsesServer, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(_leasing, "PROBE_SECONDS", 0.3)  # a write would wait BUSY_SECONDS (30 s) for the lock
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        holder = _locked(path)
        started = time.monotonic()
        with pytest.raises(JournalWriteError, match="not sent"):
            OpenAI(api_key=KEY, base_url=server.base_url, journal=journal).responses.create(
                model="m", input="x", background=True
            )
        assert time.monotonic() - started < 5
        holder.execute("ROLLBACK")
        journal.check_writable()  # the lock is gone: writable again, and the usual wait is back
        assert journal._store.query("PRAGMA busy_timeout") == [(int(_store.BUSY_SECONDS * 1000),)]


@pytest.mark.skipif(os.geteuid() != 0, reason="chattr +i needs root")
def test_a_read_only_journal_reads_but_refuses_creates(server: FakeResponsesServer, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        rid = record_queued(server, journal, JobScript.completed(), server.base_url)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode != 0:
        pytest.skip("chattr +i is not supported on this filesystem")
    try:
        with Journal(path) as journal:
            assert journal.pending() == [rid]
            before = creates(server)
            client = OpenAI(api_key=KEY, base_url=server.base_url, journal=journal, max_retries=0)
            with pytest.raises(JournalWriteError, match="not sent") as caught:
                client.responses.create(model="m", input="x", background=True)
            assert isinstance(caught.value.__cause__, sqlite3.Error) and creates(server) == before
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_damaged_file_is_a_journal_error_from_every_read(server: FakeResponsesServer, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        for _ in range(40):
            record_queued(server, journal, JobScript.completed(), server.base_url)
    size = path.stat().st_size
    with path.open("r+b") as file:  # the header stays; the pages after it are garbage
        file.seek(4096)
        file.write(os.urandom(size - 4096))
    try:
        journal = Journal(path)
    except JournalError as error:
        assert isinstance(error.__cause__, sqlite3.DatabaseError)
        return
    with journal:
        for read in (journal.pending, journal.jobs, lambda: journal.get("resp_x"), lambda: journal.claim(5)):
            with pytest.raises(JournalError) as caught:
                read()
            assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_resume_says_it_waits_for_a_live_holder_and_takes_the_jobs_once_freed(
    server: FakeResponsesServer, tmp_path: Path
) -> None:
    path = tmp_path / "j.sqlite3"
    holder, waiter = Journal(path, lease_seconds=0.5), Journal(path, lease_seconds=0.5)
    rid = record_queued(server, holder, JobScript.completed(poll_after_ms=5), server.base_url)
    assert holder.claim(5) == [rid]
    said: list[str] = []
    threading.Timer(1.2, holder.release, ([rid],)).start()  # alive (heartbeat) for 1.2 s, then lets go
    started = time.monotonic()
    outcomes = list(OpenAI(api_key=KEY, base_url=server.base_url).responses.resume(waiter, on_wait=said.append))
    assert [o.response_id for o in outcomes] == [rid] and time.monotonic() - started >= 1.1
    assert said and "1 pending job(s) leased by another live process" in said[0]
    holder.close()
    waiter.close()


def test_an_explicit_wait_returns_to_its_caller_beside_a_resume_worker(
    server: FakeResponsesServer, tmp_path: Path
) -> None:
    path = tmp_path / "j.sqlite3"
    worker, waiter = Journal(path), Journal(path)
    rid = record_queued(server, worker, JobScript.completed(poll_after_ms=5), server.base_url)
    assert worker.claim(5) == [rid]  # a resume worker holds it
    plain = OpenAI(api_key=KEY, base_url=server.base_url, journal=waiter).responses.poll(rid, poll_interval_ms=5)
    assert plain.status == "completed"  # the explicit wait got its end ...
    worker.release([rid])
    (outcome,) = OpenAI(api_key=KEY, base_url=server.base_url).responses.resume(worker)
    assert outcome.response_id == rid and outcome.error is None  # ... and so does the worker: at least once
    assert list(OpenAI(api_key=KEY, base_url=server.base_url).responses.resume(worker)) == []  # ended: once
    assert worker.get(rid).status == "completed"  # the end stays readable without a request
    worker.close()
    waiter.close()


def test_async_resume_never_entered_warns(server: FakeResponsesServer, tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        client = AsyncOpenAI(api_key=KEY, base_url=server.base_url)
        with pytest.warns(RuntimeWarning, match="never entered"):
            client.responses.resume(journal)
            gc.collect()


def test_resume_never_iterated_warns_and_leases_nothing(server: FakeResponsesServer, tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        rid = record_queued(server, journal, JobScript.completed(), server.base_url)
        client = OpenAI(api_key=KEY, base_url=server.base_url)
        with pytest.warns(RuntimeWarning, match="never iterated"):
            client.responses.resume(journal)
            gc.collect()
        assert journal.job(rid).lease_owner is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert [o.response_id for o in client.responses.resume(journal)] == [rid]
            gc.collect()


def test_cli_opens_existing_journals_only(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    for command in ("list", "resume"):
        assert main(["jobs", command, "--journal", str(tmp_path / "typo.sqlite3")]) == 2
        assert "no journal" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    assert main(["jobs", "list", "--journal", str(tmp_path / "other.db")]) == 2
    assert "holds no journal" in capsys.readouterr().err


def test_cli_resume_polls_each_job_at_its_stored_base_url(
    server: FakeResponsesServer, tmp_path: Path, monkeypatch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        ids = [record_queued(server, journal, JobScript.completed(poll_after_ms=5), server.base_url) for _ in "ab"]
    assert main(["jobs", "resume", "--journal", str(path), "--poll-interval-ms", "5", "--json"]) == 0
    assert sorted(json.loads(line)["response_id"] for line in capsys.readouterr().out.splitlines()) == sorted(ids)
    with Journal(path) as holder:  # a job another live process waits for: said on stderr, then taken once freed
        rid = record_queued(server, holder, JobScript.completed(poll_after_ms=5), server.base_url)
        assert holder.claim(5) == [rid]
        threading.Timer(1.0, holder.release, ([rid],)).start()
        assert main(["jobs", "resume", "--journal", str(path), "--poll-interval-ms", "5"]) == 0
    err = capsys.readouterr().err
    assert "waiting for 1 pending job(s) leased by another live process" in err and f"{rid}: completed" in err


def test_resume_of_one_base_url_neither_takes_nor_waits_for_another_s(
    server: FakeResponsesServer, tmp_path: Path
) -> None:
    path = tmp_path / "j.sqlite3"
    holder, worker = Journal(path), Journal(path)
    mine = record_queued(server, worker, JobScript.completed(poll_after_ms=5), server.base_url)
    other = record_queued(server, worker, JobScript.completed(poll_after_ms=5), "http://elsewhere.example/v1")
    assert holder.claim(5, base_url="http://elsewhere.example/v1") == [other]  # a live process holds it
    started = time.monotonic()
    client = OpenAI(api_key=KEY, base_url=server.base_url)
    assert [o.response_id for o in client.responses.resume(worker, only_base_url=server.base_url)] == [mine]
    assert time.monotonic() - started < 5 and worker.pending() == [other]
    assert worker.pending_base_urls() == ["http://elsewhere.example/v1"]
    holder.close()
    worker.close()


@pytest.mark.once
def test_sigterm_to_cli_resume_releases_its_leases(server: FakeResponsesServer, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        rid = record_queued(server, journal, JobScript.completed(polls=100_000, poll_after_ms=20), server.base_url)
    env = {**os.environ, "OPENAI_API_KEY": KEY}
    command = [sys.executable, "-m", "openai_background", "jobs", "resume", "--journal", str(path)]
    child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        with Journal(path) as journal:
            deadline = time.monotonic() + 30
            while journal.job(rid).lease_owner is None or server.job(rid).polls < 2:
                assert time.monotonic() < deadline and child.poll() is None
                time.sleep(0.05)
            child.send_signal(signal.SIGTERM)
            _, err = child.communicate(timeout=30)
            assert child.returncode == 143 and "terminated (SIGTERM)" in err
            assert journal.job(rid).lease_owner is None and journal.pending() == [rid]
    finally:
        child.kill()
        child.wait()
