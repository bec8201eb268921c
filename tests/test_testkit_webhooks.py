"""The fake server's webhooks and rate limit: signed events the SDK's own ``webhooks.unwrap`` accepts, the
scripted ways they travel (duplicate, delay, swap, loss, bad signature, stale), delivery that never holds up
the server, and 429s past N polls a second."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import openai
import pytest

from openai_background.testing import Answer, FakeResponsesServer, JobScript, WebhookScript


class Receiver:
    """A loopback webhook endpoint that checks each delivery with the SDK's ``webhooks.unwrap``: 200 and the
    event kept when it verifies, 400 when not. ``hang`` makes it read and never answer."""

    def __init__(self, secret: str | None = None, *, hang: float = 0.0, status: int | None = None) -> None:
        self.client = openai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9", webhook_secret=secret)
        self.events: list[Any] = []
        self.refused: list[str] = []
        self.headers: list[dict[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.headers.append(headers)
                if hang:
                    time.sleep(hang)
                try:
                    event = receiver.client.webhooks.unwrap(body, headers)
                except openai.InvalidWebhookSignatureError as error:
                    receiver.refused.append(str(error))
                    code = 400
                else:
                    receiver.events.append(event)
                    code = status or 200
                with contextlib.suppress(OSError):  # the sender gave up waiting (a hanging receiver)
                    self.send_response(code)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/hooks/openai"
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    # The secret is set once the server made one: the receiver learns it like a user pasting it.
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def server(receiver: Receiver) -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer(webhook_url=receiver.url) as started:
        assert started.webhook_secret is not None and started.webhook_secret.startswith("whsec_")
        receiver.client.webhook_secret = started.webhook_secret
        yield started


def poll_until_done(server: FakeResponsesServer, job_id: str) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(20):
            if client.get(f"/responses/{job_id}").json()["status"] not in ("queued", "in_progress"):
                return
    raise AssertionError("the job never ended")


@pytest.mark.parametrize(
    ("script", "event_type"),
    [
        (JobScript.completed(), "response.completed"),
        (JobScript.failed("server_error"), "response.failed"),
        (JobScript.incomplete("max_output_tokens"), "response.incomplete"),
        (JobScript.cancelled(), "response.cancelled"),
    ],
)
def test_a_job_that_ends_sends_one_signed_event_the_sdk_unwraps(
    server: FakeResponsesServer, receiver: Receiver, script: JobScript, event_type: str
) -> None:
    job_id = server.add_job(script)
    poll_until_done(server, job_id)
    poll_until_done(server, job_id)  # polled again after its end: still one event

    (delivery,) = server.wait_for_webhooks(1)
    (event,) = receiver.events
    assert event.type == event_type and event.data.id == job_id and event.id.startswith("evt_")
    assert delivery.ok and delivery.status_code == 200 and delivery.event_type == event_type
    headers = receiver.headers[0]
    assert headers["webhook-id"] == delivery.webhook_id and headers["webhook-id"].startswith("wh_")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 30
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["content-type"] == "application/json"
    assert receiver.refused == []


def test_the_async_clients_unwrap_accepts_the_same_delivery(server: FakeResponsesServer, receiver: Receiver) -> None:
    job_id = server.add_job(JobScript.completed().terminal_on_create())
    (delivery,) = server.wait_for_webhooks(1)
    client = openai.AsyncOpenAI(api_key="sk-test", webhook_secret=server.webhook_secret)
    event = client.webhooks.unwrap(delivery.body, delivery.headers)
    assert event.type == "response.completed" and event.data.id == job_id
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(delivery.body.replace(b"completed", b"cancelled"), delivery.headers)


def test_a_cancel_request_sends_response_cancelled(server: FakeResponsesServer, receiver: Receiver) -> None:
    job_id = server.add_job(JobScript.completed(polls=100))
    httpx.post(f"{server.base_url}/responses/{job_id}/cancel")
    server.wait_for_webhooks(1)
    assert [(e.type, e.data.id) for e in receiver.events] == [("response.cancelled", job_id)]


def test_a_running_job_ends_on_its_own_clock_without_a_poll(server: FakeResponsesServer, receiver: Receiver) -> None:
    started = time.monotonic()
    job_id = server.add_job(JobScript.completed(polls=1).running_for(0.3))
    with httpx.Client(base_url=server.base_url) as client:
        assert [client.get(f"/responses/{job_id}").json()["status"] for _ in range(3)] == ["in_progress"] * 3
        (delivery,) = server.wait_for_webhooks(1)
        assert delivery.sent_at - started >= 0.3
        assert client.get(f"/responses/{job_id}").json()["status"] == "completed"
    assert server.job(job_id).polls == 4 and receiver.events[0].data.id == job_id


def test_finish_job_ends_a_job_now(server: FakeResponsesServer, receiver: Receiver) -> None:
    job_id = server.add_job(JobScript.failed("server_error", polls=1000))
    server.finish_job(job_id)
    server.finish_job(job_id)  # already ended: nothing more
    server.wait_for_webhooks(1)
    assert [e.type for e in receiver.events] == ["response.failed"]
    assert httpx.get(f"{server.base_url}/responses/{job_id}").json()["status"] == "failed"
    with pytest.raises(KeyError):
        server.finish_job("resp_unknown")


def test_a_duplicated_event_arrives_twice_with_one_webhook_id(server: FakeResponsesServer, receiver: Receiver) -> None:
    server.add_job(JobScript.completed().with_webhook(WebhookScript.duplicated()).terminal_on_create())
    first, second = server.wait_for_webhooks(1)
    assert (first.copy, second.copy) == (1, 2) and first.webhook_id == second.webhook_id
    assert first.body == second.body and len(receiver.events) == 2
    assert receiver.events[0].id == receiver.events[1].id


def test_a_delayed_event_comes_late(server: FakeResponsesServer, receiver: Receiver) -> None:
    job_id = server.add_job(JobScript.completed().with_webhook(WebhookScript.delayed(0.4)))
    ended = time.monotonic()
    poll_until_done(server, job_id)
    time.sleep(0.1)
    assert receiver.events == []
    (delivery,) = server.wait_for_webhooks(1)
    assert delivery.sent_at - ended >= 0.4 and len(receiver.events) == 1


def test_a_lost_event_never_reaches_the_receiver(server: FakeResponsesServer, receiver: Receiver) -> None:
    server.add_job(JobScript.completed().with_webhook(WebhookScript.lost()).terminal_on_create())
    server.add_job(JobScript.completed().terminal_on_create())  # a later one still arrives
    deliveries = server.wait_for_webhooks(2)
    lost = [d for d in deliveries if not d.sent]
    assert len(lost) == 1 and lost[0].error == "lost" and lost[0].status_code is None
    assert len(receiver.events) == 1 and len(receiver.headers) == 1


@pytest.mark.parametrize(
    ("script", "reason"), [(WebhookScript.bad_signature(), "match"), (WebhookScript.stale(), "old")]
)
def test_a_bad_or_stale_signature_is_refused_by_unwrap_and_not_retried(
    server: FakeResponsesServer, receiver: Receiver, script: WebhookScript, reason: str
) -> None:
    server.add_job(JobScript.completed().with_webhook(script).terminal_on_create())
    (delivery,) = server.wait_for_webhooks(1)
    assert delivery.status_code == 400 and receiver.events == []
    assert len(receiver.refused) == 1 and reason in receiver.refused[0]
    assert delivery.forged == script.forge and delivery.stale == (script.age > 300)


def test_a_swapped_event_arrives_after_the_next_one(server: FakeResponsesServer, receiver: Receiver) -> None:
    first = server.add_job(JobScript.completed().with_webhook(WebhookScript.swapped(hold=5)).terminal_on_create())
    time.sleep(0.2)
    assert receiver.events == []
    second = server.add_job(JobScript.completed().terminal_on_create())
    server.wait_for_webhooks(2, timeout=4)  # well before the 5 s hold: released by the second's delivery
    assert [e.data.id for e in receiver.events] == [second, first]


def test_a_swapped_event_with_no_other_is_sent_after_its_hold(server: FakeResponsesServer, receiver: Receiver) -> None:
    job_id = server.add_job(JobScript.completed().with_webhook(WebhookScript.swapped(hold=0.2)).terminal_on_create())
    server.wait_for_webhooks(1)
    assert [e.data.id for e in receiver.events] == [job_id]


def test_a_receiver_that_is_down_is_retried_then_given_up() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with FakeResponsesServer(webhook_url=f"http://127.0.0.1:{port}/", webhook_retries=2) as server:
        server.add_job(JobScript.completed().terminal_on_create())
        deliveries = server.wait_for_webhooks(1)
    assert [d.attempt for d in deliveries] == [1, 2, 3]
    assert all(d.status_code is None and d.error and "Error" in d.error for d in deliveries)


def test_a_5xx_is_retried_and_the_retry_keeps_the_webhook_id() -> None:
    receiver = Receiver(status=503)
    try:
        with FakeResponsesServer(webhook_url=receiver.url, webhook_retries=1) as server:
            receiver.client.webhook_secret = server.webhook_secret
            server.add_job(JobScript.completed().terminal_on_create())
            first, retry = server.wait_for_webhooks(1)
    finally:
        receiver.close()
    assert (first.status_code, retry.status_code, retry.attempt) == (503, 503, 2)
    assert first.webhook_id == retry.webhook_id


def test_a_hanging_receiver_never_holds_up_the_server() -> None:
    receiver = Receiver(hang=3.0)
    try:
        with FakeResponsesServer(webhook_url=receiver.url, webhook_timeout=0.5, webhook_retries=0) as server:
            receiver.client.webhook_secret = server.webhook_secret
            server.add_job(JobScript.completed().terminal_on_create())
            job_id = server.add_job(JobScript.completed(polls=3))
            started = time.monotonic()
            poll_until_done(server, job_id)  # served while the first delivery hangs
            assert time.monotonic() - started < 0.5
            deliveries = server.wait_for_webhooks(1, timeout=2)
    finally:
        receiver.close()
    assert deliveries[0].error == "timeout" and deliveries[0].status_code is None


def test_events_made_before_start_are_sent_once_it_runs(receiver: Receiver) -> None:
    server = FakeResponsesServer(webhook_url=receiver.url)
    receiver.client.webhook_secret = server.webhook_secret
    job_id = server.add_job(JobScript.completed().terminal_on_create())
    with server:
        server.wait_for_webhooks(1)
    assert [e.data.id for e in receiver.events] == [job_id]


def test_bad_webhook_settings_are_refused_and_the_secret_is_never_shown() -> None:
    with pytest.raises(ValueError, match="http://"):
        FakeResponsesServer(webhook_url="https://example.com/hook")
    with pytest.raises(ValueError, match="max_polls_per_second"):
        FakeResponsesServer(max_polls_per_second=0)
    with pytest.raises(ValueError, match="copies"):
        WebhookScript(copies=0)
    server = FakeResponsesServer(webhook_url="http://127.0.0.1:9/", webhook_secret="whsec_c2VjcmV0")
    assert "c2VjcmV0" not in repr(server._endings.sender) and "c2VjcmV0" not in repr(server)
    with pytest.raises(RuntimeError, match="no webhook_url"):
        FakeResponsesServer().wait_for_webhooks(1)


def test_polls_past_the_limit_get_openais_429() -> None:
    with FakeResponsesServer(max_polls_per_second=5) as server:
        job_id = server.add_job(JobScript.completed(polls=1000))
        with httpx.Client(base_url=server.base_url) as client:
            codes = [client.get(f"/responses/{job_id}").status_code for _ in range(8)]
            refused = client.get(f"/responses/{job_id}")
            assert codes[:5] == [200] * 5 and codes[5:] == [429] * 3 and refused.status_code == 429
            assert refused.json()["error"]["code"] == "rate_limit_exceeded"
            assert refused.headers["x-ratelimit-limit-requests"] == "5"
            assert refused.headers["x-ratelimit-remaining-requests"] == "0"
            wait_ms = int(refused.headers["retry-after-ms"])
            assert 0 < wait_ms <= 1000 and refused.headers["retry-after"] == "1"
            assert refused.headers["x-ratelimit-reset-requests"] == f"{wait_ms}ms"
            time.sleep(wait_ms / 1000 + 0.05)
            assert client.get(f"/responses/{job_id}").status_code == 200  # the window slid on
        assert len(server.rate_limited) == 4 and server.job(job_id).polls == 6


def test_the_sdk_reads_the_429_as_a_rate_limit_error() -> None:
    with FakeResponsesServer(max_polls_per_second=1) as server:
        job_id = server.add_job(JobScript.completed(polls=1000))
        client = openai.OpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0)
        client.responses.retrieve(job_id)
        with pytest.raises(openai.RateLimitError) as caught:
            client.responses.retrieve(job_id)
        assert caught.value.response.headers["retry-after-ms"]


def test_creates_cancels_and_streams_are_not_rate_limited() -> None:
    with FakeResponsesServer(max_polls_per_second=1) as server, httpx.Client(base_url=server.base_url) as client:
        codes = [client.post("/responses", json={"model": "m", "input": "hi"}).status_code for _ in range(5)]
        job_id = server.jobs[0].id
        assert codes == [200] * 5
        assert client.get(f"/responses/{job_id}").status_code == 200
        assert client.get(f"/responses/{job_id}").status_code == 429  # the second poll in the second
        with client.stream("GET", f"/responses/{job_id}", params={"stream": "true"}) as stream:
            assert stream.status_code == 200
        assert [client.post(f"/responses/{job.id}/cancel").status_code for job in server.jobs] == [200] * 5


def test_the_rate_limit_counts_only_served_polls_unknown_ids_included() -> None:
    with FakeResponsesServer(max_polls_per_second=2) as server, httpx.Client(base_url=server.base_url) as client:
        assert client.get("/responses/resp_unknown").status_code == 404  # a 404 is not a poll of a job
        job_id = server.add_job(JobScript.of(Answer.state("in_progress")))
        assert [client.get(f"/responses/{job_id}").status_code for _ in range(3)] == [200, 200, 429]


def test_a_login_in_the_webhook_url_is_never_shown() -> None:
    with pytest.raises(ValueError) as caught:
        FakeResponsesServer(webhook_url="https://user:hunter2@example.com/hook")
    assert "hunter2" not in str(caught.value) and "https" in str(caught.value)
    server = FakeResponsesServer(webhook_url="http://user:hunter2@127.0.0.1:9/hook?token=abc")
    sender = server._endings.sender
    assert sender is not None and "hunter2" not in repr(sender) and "abc" not in repr(sender)
    assert sender.url == "http://127.0.0.1:9/hook"
