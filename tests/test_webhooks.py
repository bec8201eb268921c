"""The webhook receiver: under uvicorn on a loopback socket, mounted in FastAPI, as WSGI in Flask, and the
``webhooks serve`` command. Only a verified, new end event writes anything."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from _webhooks import OTHER_SECRET, SECRET, deliver, event_body, free_port, serving, signed_headers

from openai_background import Journal
from openai_background.journal import JournalWriteError
from openai_background.journal._schema import EVENTS, KEEP_EVENTS_SECONDS
from openai_background.webhooks import WebhookReceiver
from openai_background.webhooks._receiver import MAX_BODY_BYTES


def events(journal: Journal) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in journal._store.query(f"SELECT webhook_id, response_id, type FROM {EVENTS}")]


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "jobs.sqlite3")


def test_a_signed_end_event_is_recorded_once_even_for_a_job_never_seen(journal: Journal) -> None:
    receiver = WebhookReceiver(journal, secret=SECRET)
    with serving(receiver) as url:
        first = deliver(f"{url}/any/path/at/all", "resp_unknown", "response.failed", webhook_id="wh_1")
        again = deliver(f"{url}/", "resp_unknown", "response.failed", webhook_id="wh_1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert events(journal) == [("wh_1", "resp_unknown", "response.failed")]
    job = journal.job("resp_unknown")
    assert job.status == "failed" and not job.finished  # the final Response is read by the waiter's GET
    assert journal.pending() == ["resp_unknown"]  # so a resume knows the job


@pytest.mark.parametrize(
    "tamper",
    ["wrong secret", "unsigned", "stale", "from the future", "body changed", "not json"],
)
def test_a_forged_unsigned_or_stale_delivery_is_refused_and_writes_nothing(journal: Journal, tamper: str) -> None:
    receiver = WebhookReceiver(journal, secret=SECRET)
    body = event_body("resp_1")
    headers = signed_headers(body)
    if tamper == "wrong secret":
        headers = signed_headers(body, secret=OTHER_SECRET)
    elif tamper == "unsigned":
        headers = {"content-type": "application/json"}
    elif tamper == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 600)
    elif tamper == "from the future":
        headers = signed_headers(body, timestamp=int(time.time()) + 600)
    elif tamper == "body changed":
        body = event_body("resp_other")
    else:
        body = b"{not json"
        headers = signed_headers(body)
    with serving(receiver) as url:
        answer = httpx.post(f"{url}/hooks", content=body, headers=headers, timeout=10)
    assert answer.status_code == 400
    assert events(journal) == [] and journal.jobs() == []


def test_a_replayed_delivery_changes_nothing(journal: Journal) -> None:
    """A captured delivery sent again: same webhook-id, same signature. Within the tolerance it is a repeat
    (ignored); later its timestamp is stale (refused)."""
    receiver = WebhookReceiver(journal, secret=SECRET)
    body = event_body("resp_1")
    headers = signed_headers(body, webhook_id="wh_replayed")
    with serving(receiver) as url:
        assert httpx.post(url, content=body, headers=headers).status_code == 200
        journal._store.execute(f"UPDATE {EVENTS} SET type = 'marker'")
        assert httpx.post(url, content=body, headers=headers).status_code == 200
        old = signed_headers(body, webhook_id="wh_old", timestamp=int(time.time()) - 3600)
        assert httpx.post(url, content=body, headers=old).status_code == 400
    assert events(journal) == [("wh_replayed", "resp_1", "marker")]


def test_only_post_and_events_that_end_a_response(journal: Journal) -> None:
    receiver = WebhookReceiver(journal, secret=SECRET)
    with serving(receiver) as url:
        assert httpx.get(url).status_code == 405
        assert deliver(url, "batch_1", "batch.completed").status_code == 200
    assert events(journal) == []


def test_mounted_in_fastapi(journal: Journal) -> None:
    fastapi = pytest.importorskip("fastapi")
    app = fastapi.FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"ok": "yes"}

    receiver = WebhookReceiver(journal, secret=SECRET)
    app.add_route("/openai-webhooks", receiver, methods=["POST"])  # the exact path, no redirect
    app.mount("/hooks", receiver)  # everything under /hooks/
    with serving(app) as url:
        assert httpx.get(f"{url}/health").json() == {"ok": "yes"}
        assert deliver(f"{url}/openai-webhooks", "resp_1", webhook_id="wh_fa").status_code == 200
        assert deliver(f"{url}/hooks/openai", "resp_2", webhook_id="wh_fb").status_code == 200
        assert deliver(f"{url}/openai-webhooks", "resp_3", secret=OTHER_SECRET).status_code == 400
    assert sorted(events(journal)) == [
        ("wh_fa", "resp_1", "response.completed"),
        ("wh_fb", "resp_2", "response.completed"),
    ]


def test_the_wsgi_twin_in_flask(journal: Journal) -> None:
    flask = pytest.importorskip("flask")
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    app = flask.Flask(__name__)
    receiver = WebhookReceiver(journal, secret=SECRET)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/openai-webhooks": receiver.wsgi})  # type: ignore[method-assign]
    client = app.test_client()
    body = event_body("resp_1")
    ok = client.post("/openai-webhooks", data=body, headers=signed_headers(body, webhook_id="wh_fl"))
    again = client.post("/openai-webhooks", data=body, headers=signed_headers(body, webhook_id="wh_fl"))
    forged = client.post("/openai-webhooks/x", data=body, headers=signed_headers(body, secret=OTHER_SECRET))
    assert (ok.status_code, again.status_code, forged.status_code) == (200, 200, 400)
    assert client.get("/openai-webhooks").status_code == 405
    assert events(journal) == [("wh_fl", "resp_1", "response.completed")]


def test_a_journal_that_cannot_be_written_answers_500_so_openai_retries(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> bool:
        raise JournalWriteError("the disk is full", response_id="resp_1")

    receiver = WebhookReceiver(journal, secret=SECRET)
    monkeypatch.setattr(journal, "record_event", broken)
    with serving(receiver) as url:
        assert deliver(url, "resp_1").status_code == 500


def test_the_secret_never_shows(
    journal: Journal, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver = WebhookReceiver(journal, secret=SECRET)
    with serving(receiver) as url:
        deliver(url, "resp_1", secret=OTHER_SECRET)
        deliver(url, "resp_1")
        httpx.post(url, content=b"", headers={"webhook-id": "x"})
    shown = repr(receiver) + repr(vars(receiver)) + caplog.text
    assert "refused" in caplog.text
    for secret in (SECRET, SECRET.removeprefix("whsec_")):
        assert secret not in shown
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValueError, match="secret"):
        WebhookReceiver(journal)
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    assert WebhookReceiver(journal)._secret.value == SECRET


def test_webhooks_serve(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    port = free_port()
    env = {**os.environ, "OPENAI_WEBHOOK_SECRET": SECRET}
    command = [sys.executable, "-m", "openai_background", "webhooks", "serve", "--journal", str(path)]
    process = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/webhooks"
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = deliver(url, "resp_cli", webhook_id="wh_cli")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, (
                    process.stderr.read() if process.stderr else ""
                )
                time.sleep(0.1)
        assert answer.status_code == 200
        assert deliver(url, "resp_cli", secret=OTHER_SECRET).status_code == 400
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    assert "receiving webhooks" in err and "resp_cli" in err and "refused" in err
    assert SECRET not in out + err and SECRET.removeprefix("whsec_") not in out + err
    assert Journal(path).job("resp_cli").status == "completed"
    missing = subprocess.run(
        [*command],
        env={k: v for k, v in env.items() if k != "OPENAI_WEBHOOK_SECRET"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "OPENAI_WEBHOOK_SECRET" in missing.stderr


def test_a_body_over_the_limit_is_refused_unread(journal: Journal) -> None:
    receiver = WebhookReceiver(journal, secret=SECRET)
    body = b'{"pad": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    with serving(receiver) as url:
        assert httpx.post(url, content=body, headers=signed_headers(body), timeout=30).status_code == 413
    status = 0
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)), "wsgi.input": None}

    def start_response(line: str, headers: list[tuple[str, str]]) -> None:
        nonlocal status
        status = int(line.split()[0])

    receiver.wsgi(environ, start_response)
    assert status == 413 and events(journal) == []


def test_event_ids_are_kept_a_week_to_recognise_repeats(journal: Journal) -> None:
    assert journal.record_event("wh_old", "response.completed", "resp_1")
    assert not journal.record_event("wh_old", "response.completed", "resp_1")
    journal._store.execute(f"UPDATE {EVENTS} SET received_at = received_at - ?", (KEEP_EVENTS_SECONDS + 60,))
    assert journal.record_event("wh_new", "response.completed", "resp_2")
    assert [row[0] for row in events(journal)] == ["wh_new"]  # the week-old one aged out


def test_a_journal_from_before_webhooks_is_upgraded_with_the_events_table(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    Journal(path).close()
    with sqlite3.connect(path) as db:  # as version 2 (leases, no events) left it
        db.execute(f"DROP TABLE {EVENTS}")
        db.execute("UPDATE openai_background_schema_version SET version = 2")
    journal = Journal(path)
    assert journal.record_event("wh_1", "response.completed", "resp_1")
    assert journal._store.query("SELECT version FROM openai_background_schema_version") == [(3,)]
