"""Tests of the loopback fake Responses API server, through real HTTP clients."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import openai
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream

from openai_background.testing import MISSING, Answer, FakeResponsesServer, JobScript
from openai_background.testing._script import DEFAULT_POLL_AFTER_MS


@pytest.fixture
def server() -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer() as fake:
        yield fake


@pytest.fixture
def client(server: FakeResponsesServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=2) as http:
        yield http


def create(client: httpx.Client, **body: Any) -> httpx.Response:
    return client.post("/responses", json={"model": "gpt-fake", "input": "hi", "background": True, **body})


def test_failed_script_is_served_create_then_polls(server: FakeResponsesServer, client: httpx.Client) -> None:
    server.queue_create(JobScript.failed("server_error", message="boom", polls=2))

    created = create(client)
    rid = created.json()["id"]
    polls = [client.get(f"/responses/{rid}") for _ in range(4)]

    assert created.status_code == 200
    assert re.fullmatch(r"resp_fake_[0-9a-f]+", rid)
    assert created.json()["status"] == "queued"
    assert [p.json()["status"] for p in polls] == ["in_progress", "in_progress", "failed", "failed"]
    assert all(p.status_code == 200 for p in polls)
    final = polls[-1].json()
    assert final["error"] == {"code": "server_error", "message": "boom", "param": None, "type": None}
    assert final["id"] == rid and final["object"] == "response" and final["background"] is True
    assert final["model"] == "gpt-fake" and final["output"] == []
    job = server.job(rid)
    assert (job.id, job.polls, job.status, job.cancel_requests) == (rid, 4, "failed", 0)
    assert job.create_body == {"model": "gpt-fake", "input": "hi", "background": True}


def test_terminal_factories_render_their_details(server: FakeResponsesServer, client: httpx.Client) -> None:
    done = server.add_job(JobScript.completed(output_text="hello"))
    cut = server.add_job(JobScript.incomplete("max_output_tokens"))
    gone = server.add_job(JobScript.cancelled(polls=1))

    done_body = client.get(f"/responses/{done}").json()
    cut_body = client.get(f"/responses/{cut}").json()
    gone_statuses = [client.get(f"/responses/{gone}").json()["status"] for _ in range(2)]

    assert done_body["status"] == "completed" and done_body["error"] is None
    [message] = done_body["output"]
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["content"] == [{"type": "output_text", "text": "hello", "annotations": []}]
    assert cut_body["status"] == "incomplete"
    assert cut_body["incomplete_details"] == {"reason": "max_output_tokens"}
    assert gone_statuses == ["in_progress", "cancelled"]
    assert server.job(gone).status == "cancelled"


def test_poll_after_header_per_answer(server: FakeResponsesServer, client: httpx.Client) -> None:
    default = create(client, metadata={})  # the default script: fast hints (DEFAULT_POLL_AFTER_MS), create included
    steady = server.add_job(JobScript.completed(polls=1, poll_after_ms=None))  # a script that says "no hint"
    fixed = server.add_job(JobScript.completed(polls=1, poll_after_ms=25))
    changing = server.add_job(JobScript.failed("server_error", polls=2, poll_after_ms=[10, 200, 30]))

    fixed_hints = [client.get(f"/responses/{fixed}").headers.get("openai-poll-after-ms") for _ in range(3)]
    changing_hints = [client.get(f"/responses/{changing}").headers.get("openai-poll-after-ms") for _ in range(4)]

    assert default.headers.get("openai-poll-after-ms") == str(DEFAULT_POLL_AFTER_MS) == "50"
    assert client.get(f"/responses/{default.json()['id']}").headers.get("openai-poll-after-ms") == str(
        DEFAULT_POLL_AFTER_MS
    )
    assert [client.get(f"/responses/{steady}").headers.get("openai-poll-after-ms") for _ in range(2)] == [None, None]
    assert fixed_hints == ["25", "25", "25"]
    assert changing_hints == ["10", "200", "30", "30"]
    with pytest.raises(ValueError, match="3 answers"):
        JobScript.completed(polls=2, poll_after_ms=[1, 2])


def test_every_answer_has_a_unique_request_id(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(JobScript.completed().with_faults(Answer.http_error(503)))
    answers = [create(client), client.get(f"/responses/{rid}"), client.get(f"/responses/{rid}")]
    answers += [client.get("/responses/resp_nope"), client.delete("/nowhere")]

    ids = [a.headers["x-request-id"] for a in answers]

    assert [a.status_code for a in answers] == [200, 503, 200, 404, 404]
    assert all(re.fullmatch(r"req_fake_\d+", i) for i in ids)
    assert len(set(ids)) == len(ids)
    for answer in answers:
        assert answer.headers["content-type"] == "application/json"
        assert int(answer.headers["content-length"]) == len(answer.content)


def test_queue_create_is_fifo_then_registered_then_default(server: FakeResponsesServer, client: httpx.Client) -> None:
    server.queue_create(JobScript.failed("rate_limit_exceeded"))
    server.queue_create(JobScript.incomplete("content_filter"))
    server.register_script("cut", JobScript.cancelled())

    ids = [create(client, metadata={"fake_script": "cut"}).json()["id"] for _ in range(3)]
    ids.append(create(client).json()["id"])
    unknown = create(client, metadata={"fake_script": "nope"})

    statuses = [client.get(f"/responses/{rid}").json()["status"] for rid in ids]
    assert statuses == ["failed", "incomplete", "cancelled", "completed"]
    assert server.job(ids[2]).create_body == {
        "model": "gpt-fake",
        "input": "hi",
        "background": True,
        "metadata": {"fake_script": "cut"},
    }
    assert client.get(f"/responses/{ids[2]}").json()["metadata"] == {"fake_script": "cut"}
    assert unknown.status_code == 400 and "nope" in unknown.json()["error"]["message"]


def test_with_faults_come_first(server: FakeResponsesServer, client: httpx.Client) -> None:
    script = JobScript.completed(polls=1).with_faults(
        Answer.http_error(503, headers={"retry-after-ms": "10"}), Answer.http_error(503)
    )
    rid = server.add_job(script)

    answers = [client.get(f"/responses/{rid}") for _ in range(4)]

    assert [a.status_code for a in answers] == [503, 503, 200, 200]
    assert answers[0].headers["retry-after-ms"] == "10"
    assert answers[0].json() == {"error": {"message": "fake 503", "type": "server_error", "code": None, "param": None}}
    assert [a.json()["status"] for a in answers[2:]] == ["in_progress", "completed"]
    assert server.job(rid).polls == 4


def test_terminal_on_create(server: FakeResponsesServer, client: httpx.Client) -> None:
    server.queue_create(JobScript.failed("server_error", polls=3).terminal_on_create())

    created = create(client).json()

    assert created["status"] == "failed" and created["error"]["code"] == "server_error"
    assert server.job(created["id"]).status == "failed"
    assert client.get(f"/responses/{created['id']}").json()["status"] == "failed"


def test_raw_and_json_answers(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(
        JobScript.of(
            Answer.raw(b"<html>bad gateway</html>", status_code=502, headers={"X-Extra": "1"}),
            Answer.json(["not", "a", "response"]),
            Answer.json({"id": "resp_other", "status": "completed"}, status_code=202),
        )
    )

    html, listing, other = (client.get(f"/responses/{rid}") for _ in range(3))

    assert (html.status_code, html.content) == (502, b"<html>bad gateway</html>")
    assert html.headers["content-type"] == "text/html" and html.headers["x-extra"] == "1"
    assert listing.json() == ["not", "a", "response"]
    assert (other.status_code, other.json()) == (202, {"id": "resp_other", "status": "completed"})


def test_extra_overrides_and_missing_removes(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(
        JobScript.of(Answer.state("completed", extra={"status": MISSING, "usage": {"total_tokens": 3}}))
    )

    body = client.get(f"/responses/{rid}").json()

    assert "status" not in body
    assert body["usage"] == {"total_tokens": 3}
    assert body["id"] == rid
    assert repr(MISSING) == "MISSING"


def test_drop_closes_the_connection(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(JobScript.of(Answer.drop(), Answer.drop(after_headers=True), Answer.state("completed")))

    with pytest.raises(httpx.RemoteProtocolError):
        client.get(f"/responses/{rid}")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get(f"/responses/{rid}")
    assert client.get(f"/responses/{rid}").json()["status"] == "completed"
    assert len({r.connection_id for r in server.requests}) == 3


def test_slow_answer_does_not_block_other_connections(server: FakeResponsesServer, client: httpx.Client) -> None:
    slow = server.add_job(JobScript.of(Answer.slow(2.0, Answer.state("completed"))))
    fast = server.add_job(JobScript.completed())
    timed_out = threading.Event()

    def slow_client() -> None:
        with httpx.Client(base_url=server.base_url, timeout=0.3) as other:
            try:
                other.get(f"/responses/{slow}")
            except httpx.ReadTimeout:
                timed_out.set()

    thread = threading.Thread(target=slow_client)
    thread.start()
    deadline = time.monotonic() + 2
    while server.job(slow).polls == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    answer = client.get(f"/responses/{fast}")
    served_while_slow_pending = not timed_out.is_set()
    thread.join(2)

    assert answer.json()["status"] == "completed"
    assert served_while_slow_pending
    assert timed_out.is_set()


def test_cancel_semantics(server: FakeResponsesServer, client: httpx.Client) -> None:
    running = server.add_job(JobScript.completed(polls=5).with_faults(Answer.http_error(500)))
    finished = server.add_job(JobScript.failed("server_error", message="boom"))
    stubborn = server.add_job(JobScript.of(Answer.state("in_progress"), on_cancel=Answer.http_error(409)))

    assert client.get(f"/responses/{running}").status_code == 500
    cancel = client.post(f"/responses/{running}/cancel")
    after = [client.get(f"/responses/{running}").json()["status"] for _ in range(2)]
    again = client.post(f"/responses/{running}/cancel")

    assert client.get(f"/responses/{finished}").json()["status"] == "failed"
    terminal = client.post(f"/responses/{finished}/cancel")
    refused = client.post(f"/responses/{stubborn}/cancel")

    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert cancel.json()["id"] == running
    assert after == ["cancelled", "cancelled"]
    assert again.json()["status"] == "cancelled"
    assert server.job(running).cancel_requests == 2 and server.job(running).status == "cancelled"
    assert terminal.status_code == 200
    assert terminal.json()["status"] == "failed" and terminal.json()["error"]["message"] == "boom"
    assert server.job(finished).status == "failed" and server.job(finished).cancel_requests == 1
    assert refused.status_code == 409 and server.job(stubborn).status == "queued"
    assert client.get(f"/responses/{stubborn}").json()["status"] == "in_progress"


def test_unknown_ids_and_routes_are_404(server: FakeResponsesServer, client: httpx.Client) -> None:
    missing = client.get("/responses/resp_missing")
    cancel = client.post("/responses/resp_missing/cancel")
    other = client.get("/models")
    broken = client.post("/responses", content=b"{not json")

    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "message": "No response found with id 'resp_missing'.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    assert cancel.status_code == 404 and other.status_code == 404
    assert broken.status_code == 400
    with pytest.raises(KeyError):
        server.job("resp_missing")


def test_requests_are_recorded(server: FakeResponsesServer, client: httpx.Client) -> None:
    before = time.monotonic()
    rid = create(client, metadata={"k": "v"}).json()["id"]
    client.get(f"/responses/{rid}?include=x&stream=false", headers={"X-Custom": "Yes"})
    client.post("/responses", content=iter([b'{"model": ', b'"chunked"}']))  # chunked body

    post, get, chunked = server.requests

    assert (post.method, post.path, post.query) == ("POST", "/v1/responses", "")
    assert post.json()["metadata"] == {"k": "v"} and post.headers["content-type"] == "application/json"
    assert (get.method, get.path, get.query) == ("GET", f"/v1/responses/{rid}", "include=x&stream=false")
    assert get.headers["x-custom"] == "Yes" and get.body == b""
    assert chunked.body == b'{"model": "chunked"}'
    assert before <= post.received_at <= get.received_at <= time.monotonic()
    assert post.connection_id == get.connection_id  # keep-alive
    server.clear_requests()
    assert server.requests == []


def test_connection_close_is_honoured(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job()
    first = client.get(f"/responses/{rid}", headers={"Connection": "close"})
    second = client.get(f"/responses/{rid}")

    assert first.headers["connection"] == "close"
    assert "connection" not in second.headers
    assert [r.connection_id for r in server.requests] == [1, 2]


def test_many_concurrent_keep_alive_connections(server: FakeResponsesServer) -> None:
    connections = 300
    rid = server.add_job(JobScript.of(Answer.slow(0.1, Answer.state("in_progress"))))
    request = f"GET /v1/responses/{rid} HTTP/1.1\r\nhost: fake\r\n\r\n".encode()
    statuses: list[bytes] = []

    async def one_connection() -> None:  # a bare keep-alive HTTP/1.1 client: httpx is ~10x slower
        async with await anyio.connect_tcp("127.0.0.1", server.port) as stream:
            buffered = BufferedByteReceiveStream(stream)
            for _ in range(2):
                await stream.send(request)
                head = await buffered.receive_until(b"\r\n\r\n", 65536)
                length = re.search(rb"content-length: (\d+)", head)
                assert length is not None
                await buffered.receive_exactly(int(length[1]))
                statuses.append(head.split(b" ")[1])

    async def main() -> None:
        with anyio.fail_after(10):  # served one after the other this would take 60 s
            async with anyio.create_task_group() as group:
                for _ in range(connections):
                    group.start_soon(one_connection)

    anyio.run(main)

    requests = server.requests
    assert statuses == [b"200"] * (2 * connections)
    assert len(requests) == 2 * connections
    assert len({r.connection_id for r in requests}) == connections  # each connection was reused


def test_stop_is_idempotent_and_joins_the_thread() -> None:
    server = FakeResponsesServer()
    server.stop()  # never started: no-op
    server.start()
    thread_name = f"fake-responses-server:{server.port}"
    with httpx.Client(base_url=server.base_url, timeout=1) as http:
        assert http.get(f"/responses/{server.add_job()}").status_code == 200  # keep-alive stays open
        assert any(t.name == thread_name for t in threading.enumerate())

        start = time.monotonic()
        server.stop()
        server.stop()

        assert time.monotonic() - start < 1
        assert not any(t.name == thread_name for t in threading.enumerate())
        with pytest.raises(httpx.TransportError):
            http.get("/responses/resp_any")
    with pytest.raises(RuntimeError):
        server.start()


def test_official_sdk_round_trip(server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.failed("server_error", message="boom", polls=1))
    server.queue_create(JobScript.completed(output_text="hi there"))
    client = openai.OpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0)

    try:
        created = client.responses.create(model="gpt-fake", input="hi", background=True)
        first = client.responses.retrieve(created.id)
        second = client.responses.retrieve(created.id)
        done = client.responses.create(model="gpt-fake", input="hi", background=True)
        done = client.responses.retrieve(done.id)
    finally:
        client.close()

    assert isinstance(second, openai.types.responses.Response)
    assert (created.status, first.status, second.status) == ("queued", "in_progress", "failed")
    assert second.error is not None
    assert (second.error.code, second.error.message) == ("server_error", "boom")
    assert done.status == "completed" and done.output_text == "hi there"
    assert server.requests[0].headers["authorization"] == "Bearer sk-test"
    assert server.job(created.id).create_body is not None
