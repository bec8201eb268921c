"""The journal (issue 16) on SQLite, against the loopback fake server: what is recorded and when, resume,
``get`` without a request, leases between two journals, write failures, the schema version, the CLI.
The kill and fleet tests (and PostgreSQL) are in ``test_journal_heavy.py`` (``nox -s journal``)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest
from pydantic import BaseModel

from openai_background import AsyncOpenAI, OpenAI, ResponseCancelledError, ResponseServerError
from openai_background._command.main import main
from openai_background._waits.observers import record_create
from openai_background.journal import JobNotFinishedError, Journal, JournalError, JournalWriteError
from openai_background.journal._schema import MIGRATIONS, SCHEMA_VERSION
from openai_background.testing import FakeResponsesServer, JobScript

KEY = "sk-journal-canary-0123456789abcdef"


class Verdict(BaseModel):
    ok: bool


@pytest.fixture
def journal(tmp_path: Path) -> Any:
    with Journal(tmp_path / "jobs.sqlite3", lease_seconds=5) as journal:
        yield journal


def client(server: FakeResponsesServer, journal: Journal | None) -> OpenAI:
    return OpenAI(api_key=KEY, base_url=server.base_url, journal=journal, max_retries=0)


def creates(server: FakeResponsesServer) -> int:
    return sum(1 for r in server.requests if r.method == "POST" and r.path == "/v1/responses")


def test_create_and_poll_records_the_job_before_the_first_poll_and_stores_its_end(
    server: FakeResponsesServer, journal: Journal, tmp_path: Path
) -> None:
    server.register_script("slow", JobScript.completed(polls=2, poll_after_ms=5, output_text="the answer"))
    seen: list[Any] = []

    def at_each_poll(event: Any) -> None:  # runs after the journal recorded the same event
        seen.append((event.polls, journal.job(event.response_id).status, journal.job(event.response_id).polls))

    response = client(server, journal).responses.create_and_poll(
        model="gpt-fake", input="hi", metadata={"fake_script": "slow", "team": "a"}, on_poll=at_each_poll
    )
    job = journal.job(response.id)
    assert (job.model, job.status, job.finished, job.outcome, job.error_class) == (
        "gpt-fake",
        "completed",
        True,
        "completed",
        None,
    )
    assert job.metadata == {"fake_script": "slow", "team": "a"}
    assert job.base_url is not None and job.base_url.startswith(server.base_url)
    assert job.created_at == float(server.job(response.id).created_at)
    assert seen[0] == (1, "queued", 1)  # the create answer: recorded before any poll was sent
    assert seen[-1] == (4, "completed", 4)
    assert journal.get(response.id).output_text == "the answer"
    assert journal.pending() == []
    assert KEY.encode() not in (tmp_path / "jobs.sqlite3").read_bytes() + _wal(tmp_path)


def _wal(tmp_path: Path) -> bytes:
    wal = tmp_path / "jobs.sqlite3-wal"
    return wal.read_bytes() if wal.exists() else b""


def test_the_structured_output_model_is_recorded_by_import_path(server: FakeResponsesServer, journal: Journal) -> None:
    # The structured-output create paths (text_format=) read their create answer through record_create too.
    resource = client(server, journal).responses
    created = client(server, None).responses.create(model="m", input="x", background=True)
    record_create(resource, created, {"text_format": Verdict, "metadata": {"a": "b"}}, lease=False)
    job = journal.job(created.id)
    assert (job.text_format, job.metadata, job.lease_owner) == (f"{__name__}:Verdict", {"a": "b"}, None)


def test_get_raises_the_class_poll_raises_without_a_request(server: FakeResponsesServer, journal: Journal) -> None:
    server.register_script("boom", JobScript.failed("server_error", message="it broke"))
    with pytest.raises(ResponseServerError) as polled:
        client(server, journal).responses.create_and_poll(
            model="m", input="x", metadata={"fake_script": "boom"}, poll_interval_ms=5
        )
    rid = polled.value.response_id
    server.clear_requests()
    with pytest.raises(ResponseServerError) as read:
        journal.get(rid)
    assert isinstance(read.value, openai.InternalServerError)
    assert (read.value.code, read.value.message, read.value.response_id) == ("server_error", "it broke", rid)
    assert journal.job(rid).error_class == "ResponseServerError"
    assert journal.get(rid, raise_on=()).status == "failed"
    assert server.requests == []


def test_get_of_a_pending_or_unknown_job_is_a_journal_error(server: FakeResponsesServer, journal: Journal) -> None:
    rid = _record_queued(server, journal, JobScript.completed())
    with pytest.raises(JobNotFinishedError, match=rid):
        journal.get(rid)
    with pytest.raises(JournalError, match="resp_unknown"):
        journal.get("resp_unknown")


def _record_queued(server: FakeResponsesServer, journal: Journal, script: JobScript) -> str:
    """A job created on the server by a plain create, recorded as the client records a create answer."""
    raw = OpenAI(api_key=KEY, base_url=server.base_url).responses.with_raw_response.create(
        model="m", input="x", background=True
    )
    created = raw.parse()
    server.job(created.id).script = script
    journal.record_created(created, base_url=server.base_url)
    return created.id


def test_resume_waits_for_pending_jobs_once_and_never_creates(server: FakeResponsesServer, journal: Journal) -> None:
    scripts = [JobScript.completed(polls=1, poll_after_ms=5), JobScript.cancelled(poll_after_ms=5)]
    ids = [_record_queued(server, journal, script) for script in scripts]
    before = creates(server)
    assert journal.pending() == ids
    outcomes = {o.response_id: o for o in client(server, None).responses.resume(journal, poll_interval_ms=5)}
    assert set(outcomes) == set(ids)
    assert outcomes[ids[0]].ok and isinstance(outcomes[ids[1]].error, ResponseCancelledError)
    assert journal.pending() == [] and creates(server) == before
    assert journal.get(ids[0]).status == "completed"
    with pytest.raises(ResponseCancelledError):
        journal.get(ids[1])
    polls = {rid: server.job(rid).polls for rid in ids}
    assert list(client(server, None).responses.resume(journal)) == []  # finished jobs are never polled again
    assert {rid: server.job(rid).polls for rid in ids} == polls


def test_poll_many_of_pending_records_the_ends(server: FakeResponsesServer, journal: Journal) -> None:
    ids = [_record_queued(server, journal, JobScript.completed(poll_after_ms=5)) for _ in range(3)]
    done = list(client(server, journal).responses.poll_many(journal.pending(), poll_interval_ms=5))
    assert sorted(o.response_id for o in done) == sorted(ids)
    assert journal.pending() == [] and all(journal.job(rid).outcome == "completed" for rid in ids)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_resume(server: FakeResponsesServer, journal: Journal, backend: str) -> None:
    ids = [_record_queued(server, journal, JobScript.completed(polls=1, poll_after_ms=5)) for _ in range(3)]

    async def main() -> list[str]:
        aclient = AsyncOpenAI(api_key=KEY, base_url=server.base_url)
        async with aclient, aclient.responses.resume(journal, poll_interval_ms=5) as outcomes:
            return [outcome.response_id async for outcome in outcomes if outcome.ok]

    assert sorted(anyio.run(main, backend=backend)) == sorted(ids)
    assert journal.pending() == []


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_create_and_poll_records(server: FakeResponsesServer, journal: Journal, backend: str) -> None:
    async def main() -> str:
        async with AsyncOpenAI(api_key=KEY, base_url=server.base_url, journal=journal) as aclient:
            response = await aclient.responses.create_and_poll(model="m", input="x", poll_interval_ms=5)
            return response.id

    rid = anyio.run(main, backend=backend)
    assert journal.get(rid).status == "completed"


def test_a_live_holder_keeps_its_leases_and_a_dead_one_s_are_taken_over(
    server: FakeResponsesServer, tmp_path: Path
) -> None:
    path = tmp_path / "shared.sqlite3"
    first, second = Journal(path, lease_seconds=0.5), Journal(path, lease_seconds=0.5)
    ids = [_record_queued(server, first, JobScript.completed(poll_after_ms=5)) for _ in range(2)]
    assert sorted(first.claim(10)) == sorted(ids)
    assert second.claim(10) == []  # leased: not waited for twice
    time.sleep(0.8)
    assert second.claim(10) == []  # past lease_seconds, but the holder lives: its heartbeat renewed them
    first._heartbeat.stop()  # the first "hangs" on another host: its leases run out
    with sqlite3.connect(path) as db:
        db.execute("UPDATE openai_background_jobs SET lease_host = 'elsewhere'")
    time.sleep(0.6)
    assert sorted(second.claim(10)) == sorted(ids)  # expired: taken over
    second._heartbeat.stop()
    dead = _dead_pid()
    with sqlite3.connect(path) as db:  # the holder is a dead process of this host, its lease still long
        db.execute("UPDATE openai_background_jobs SET lease_pid = ?, lease_expires = ?", (dead, time.time() + 600))
    started = time.monotonic()
    third = Journal(path, lease_seconds=0.5)
    outcomes = list(client(server, None).responses.resume(third, poll_interval_ms=5))
    assert sorted(o.response_id for o in outcomes) == sorted(ids) and third.pending() == []
    assert time.monotonic() - started < 5  # taken over at once, not after 600 s
    for each in (first, second, third):
        each.close()


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_timed_out_wait_keeps_the_job_pending_and_releases_it(server: FakeResponsesServer, journal: Journal) -> None:
    rid = _record_queued(server, journal, JobScript.completed(polls=1000, poll_after_ms=5))
    (outcome,) = client(server, None).responses.resume(journal, max_wait_seconds=0.05)
    assert outcome.response_id == rid and outcome.error is not None
    job = journal.job(rid)
    assert (job.finished, job.lease_owner, job.outcome) == (False, None, "stopped")
    assert journal.pending() == [rid]


def test_a_failed_create_record_is_a_write_error_naming_the_job(server: FakeResponsesServer, journal: Journal) -> None:
    journal._store.execute("DROP TABLE openai_background_jobs")
    with pytest.raises(JournalWriteError) as caught:
        client(server, journal).responses.create_and_poll(model="m", input="x", poll_interval_ms=5)
    rid = server.jobs[-1].id
    assert caught.value.response_id == rid and rid in str(caught.value)
    assert server.job(rid).polls == 0  # the wait never started: the job is not silently unrecorded


def test_a_failed_poll_record_ends_the_wait_naming_the_job(server: FakeResponsesServer, journal: Journal) -> None:
    server.register_script("slow", JobScript.completed(polls=3, poll_after_ms=5))

    def break_the_journal(event: Any) -> None:
        journal._store.execute("DROP TABLE IF EXISTS openai_background_jobs")

    with pytest.raises(JournalWriteError) as caught:
        client(server, journal).responses.create_and_poll(
            model="m", input="x", metadata={"fake_script": "slow"}, on_poll=break_the_journal
        )
    assert caught.value.response_id == server.jobs[-1].id
    assert server.job(caught.value.response_id).polls == 1  # the second poll's record failed: the wait ended


def test_the_schema_is_versioned_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "v1.sqlite3"
    with sqlite3.connect(old) as db:  # a journal written by the first release (schema version 1)
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("CREATE TABLE openai_background_schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO openai_background_schema_version VALUES (1)")
        db.execute("INSERT INTO openai_background_jobs (id, recorded_at, updated_at) VALUES ('resp_old', 1, 1)")
    with Journal(old) as upgraded:
        assert upgraded.pending() == ["resp_old"] and upgraded.claim(5) == ["resp_old"]
        assert upgraded.job("resp_old").lease_pid == os.getpid()
    path = tmp_path / "v.sqlite3"
    Journal(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM openai_background_schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        db.execute("UPDATE openai_background_schema_version SET version = 99")
    with pytest.raises(JournalError, match="schema version 99"):
        Journal(path)


def test_journal_setting_is_checked_and_kept_by_copy(server: FakeResponsesServer, journal: Journal) -> None:
    with pytest.raises(ValueError, match="journal"):
        OpenAI(api_key=KEY, journal="jobs.sqlite3")  # type: ignore[arg-type]
    copied = client(server, journal).with_options(timeout=5)
    rid = copied.responses.create_and_poll(model="m", input="x", poll_interval_ms=5).id
    assert journal.job(rid).finished


def test_cli_list_show_resume_forget(
    server: FakeResponsesServer, journal: Journal, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    done = _record_queued(server, journal, JobScript.completed(poll_after_ms=5))
    boom = _record_queued(server, journal, JobScript.failed("server_error", poll_after_ms=5))
    where = str(tmp_path / "jobs.sqlite3")
    assert main(["jobs", "list", "--journal", where, "--json"]) == 0
    assert [job["id"] for job in json.loads(capsys.readouterr().out)] == [done, boom]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["jobs", "resume", "--journal", where]) == 2  # no key: usage error
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    resume = ["jobs", "resume", "--journal", where, "--base-url", server.base_url, "--poll-interval-ms", "5"]
    assert main(resume) == 3  # server_error is retryable: the wait command's exit status 3
    err = capsys.readouterr().err
    assert f"{boom}: ResponseServerError" in err and f"{done}: completed" in err and KEY not in err
    assert main(["jobs", "list", "--journal", where, "--status", "failed"]) == 0
    assert capsys.readouterr().out.split()[0] == boom
    assert main(["jobs", "show", done, "--journal", where, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["final_response"]["status"] == "completed" and shown["finished"] is True
    assert main(["jobs", "forget", boom, "--journal", where]) == 0
    assert main(["jobs", "forget", boom, "--journal", where]) == 2
    assert journal.pending() == [] and [job.id for job in journal.jobs()] == [done]


@pytest.mark.parametrize("mode", ["off", "wait", "always"])
def test_create_background_is_recorded_in_every_mode(server: FakeResponsesServer, journal: Journal, mode: str) -> None:
    server.register_script("slow", JobScript.completed(polls=1, poll_after_ms=5))
    responses = OpenAI(api_key=KEY, base_url=server.base_url, journal=journal, background_mode=mode).responses  # type: ignore[arg-type]
    response = responses.create(model="m", input="x", background=True, metadata={"fake_script": "slow"})
    job = journal.job(response.id)
    assert job.metadata == {"fake_script": "slow"}
    if mode == "off":  # returned at once, as the SDK does: recorded, pending, leased to nobody
        assert (response.status, job.finished, job.lease_owner) == ("queued", False, None)
        assert journal.pending() == [response.id]
    else:  # waited: the end is recorded too
        assert (response.status, job.finished, job.outcome) == ("completed", True, "completed")


def test_a_plain_create_is_not_recorded(server: FakeResponsesServer, journal: Journal) -> None:
    client(server, journal).responses.create(model="m", input="x")
    assert journal.jobs() == []


@pytest.mark.parametrize("backend", ["sync", "asyncio"])
def test_create_and_stream_records_the_job_at_its_first_event_and_its_end(
    server: FakeResponsesServer, journal: Journal, backend: str
) -> None:
    seen: list[Any] = []

    def look(event: Any) -> None:
        rid = getattr(getattr(event, "response", None), "id", None) or seen[0][0]
        job = journal.job(rid)
        seen.append((rid, job.stream_cursor, job.finished))

    if backend == "sync":
        for event in client(server, journal).responses.create_and_stream(model="m", input="x"):
            look(event)
    else:

        async def main() -> None:
            aclient = AsyncOpenAI(api_key=KEY, base_url=server.base_url, journal=journal)
            async with aclient, aclient.responses.create_and_stream(model="m", input="x") as stream:
                async for event in stream:
                    look(event)

        anyio.run(main)
    rid, cursor, finished = seen[0]
    assert cursor is not None and finished is False  # recorded before the first event reached the caller
    assert journal.get(rid).status == "completed" and journal.pending() == []


def test_install_journal_records_jobs_of_the_sdk_s_own_client(server: FakeResponsesServer, journal: Journal) -> None:
    from openai_background import install, uninstall

    install(journal=journal)
    try:
        sdk_client = openai.OpenAI(api_key=KEY, base_url=server.base_url)
        rid = sdk_client.responses.create(model="m", input="x", background=True).id
        assert journal.pending() == [rid]
    finally:
        uninstall()
