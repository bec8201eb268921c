"""The loopback fake server's event streams (``GET /v1/responses/{id}?stream=true``), through plain httpx."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openai_background.testing import Answer, FakeResponsesServer, JobScript, StreamScript

TEXT_EVENTS = [
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]


@pytest.fixture
def client(server: FakeResponsesServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        yield http


def events(client: httpx.Client, rid: str, **params: Any) -> list[dict[str, Any]]:
    """Every event of one stream request, read to the end of its body."""
    with client.stream("GET", f"/responses/{rid}", params={"stream": "true", **params}) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        return _decode(answer.iter_lines())


def _decode(lines: Iterator[str]) -> list[dict[str, Any]]:
    decoded, name = [], None
    for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
            assert data["type"] == name  # the SSE event name is the data's type
            decoded.append(data)
    return decoded


def test_a_completed_job_streams_numbered_events_then_its_terminal_event(
    server: FakeResponsesServer, client: httpx.Client
) -> None:
    rid = server.add_job(JobScript.completed(output_text="forty-two"))
    seen = events(client, rid)
    assert [e["sequence_number"] for e in seen] == list(range(11))
    assert [e["type"] for e in seen] == ["response.created", "response.in_progress", *TEXT_EVENTS, "response.completed"]
    assert "".join(e["delta"] for e in seen if e["type"] == "response.output_text.delta") == "forty-two"
    assert [e["response"]["status"] for e in seen if "response" in e] == ["queued", "in_progress", "completed"]
    assert seen[-1]["response"]["id"] == rid
    assert seen[-1]["response"]["output"][0]["content"][0]["text"] == "forty-two"
    assert (server.job(rid).streams, server.job(rid).polls) == (1, 0)


@pytest.mark.parametrize(
    ("script", "terminal", "status"),
    [
        (JobScript.failed("server_error"), "response.failed", "failed"),
        (JobScript.incomplete("max_output_tokens"), "response.incomplete", "incomplete"),
    ],
)
def test_failed_and_incomplete_jobs_end_on_their_event(
    server: FakeResponsesServer, client: httpx.Client, script: JobScript, terminal: str, status: str
) -> None:
    seen = events(client, server.add_job(script))
    assert [e["type"] for e in seen] == ["response.created", "response.in_progress", terminal]
    assert seen[-1]["response"]["status"] == status


def test_a_cancelled_job_streams_no_terminal_event(server: FakeResponsesServer, client: httpx.Client) -> None:
    seen = events(client, server.add_job(JobScript.cancelled()))
    assert [e["type"] for e in seen] == ["response.created", "response.in_progress"]


def test_a_job_cancelled_by_request_streams_as_cancelled(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(JobScript.of(Answer.state("in_progress")))
    client.post(f"/responses/{rid}/cancel")
    assert [e["type"] for e in events(client, rid)] == ["response.created", "response.in_progress"]


def test_starting_after_sends_only_the_later_events(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(JobScript.completed())
    assert [e["sequence_number"] for e in events(client, rid, starting_after=7)] == [8, 9, 10]


def test_a_replaying_server_ignores_starting_after(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript(replay=True)))
    assert len(events(client, rid, starting_after=7)) == 11


def test_a_drop_breaks_the_connection_after_that_many_events(server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.dropping(3)))
    seen: list[str] = []
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        with pytest.raises(httpx.RemoteProtocolError), http.stream("GET", f"/responses/{rid}?stream=true") as answer:
            seen.extend(answer.iter_lines())
        resumed = events(http, rid, starting_after=2)  # the next request is not cut
    assert [json.loads(line[6:])["sequence_number"] for line in seen if line.startswith("data: ")] == [0, 1, 2]
    assert [e["sequence_number"] for e in resumed] == list(range(3, 11))


def test_a_clean_cut_ends_the_body_without_a_terminal_event(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.dropping(None, 4, end_cleanly=True)))
    assert len(events(client, rid)) == 11  # the first request is not cut
    assert [e["sequence_number"] for e in events(client, rid)] == [0, 1, 2, 3]


@pytest.mark.parametrize("nested", [False, True])
def test_an_error_event_replaces_the_terminal_event(
    server: FakeResponsesServer, client: httpx.Client, nested: bool
) -> None:
    rid = server.add_job(
        JobScript.completed(output_text="").with_stream(StreamScript.failing("server_error", nested=nested))
    )
    *_, last = events(client, rid)
    error = {"code": "server_error", "message": "The fake stream failed.", "param": None}
    assert last == ({"type": "error", "error": error, "sequence_number": 2} if nested else
                    {"type": "error", **error, "sequence_number": 2})  # fmt: skip


def test_a_refusing_script_answers_every_stream_request_so(server: FakeResponsesServer, client: httpx.Client) -> None:
    rid = server.add_job(JobScript.completed().with_stream(StreamScript.refused(Answer.http_error(400))))
    answer = client.get(f"/responses/{rid}", params={"stream": "true"})
    assert answer.status_code == 400
    assert client.get(f"/responses/{rid}").json()["status"] == "completed"  # polls are unaffected
    assert (server.job(rid).streams, server.job(rid).polls) == (1, 1)


def test_a_create_asking_for_a_stream_gets_the_new_jobs_events(
    server: FakeResponsesServer, client: httpx.Client
) -> None:
    server.queue_create(JobScript.incomplete("content_filter"))
    body = {"model": "gpt-fake", "input": "hi", "background": True, "stream": True}
    with client.stream("POST", "/responses", json=body) as answer:
        seen = _decode(answer.iter_lines())
    assert [e["type"] for e in seen] == ["response.created", "response.in_progress", "response.incomplete"]
    assert seen[0]["response"]["id"] == server.jobs[-1].id


def test_a_running_job_keeps_its_stream_open_and_silent(server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.of(Answer.state("in_progress")))
    seen: list[str] = []
    with (
        httpx.Client(base_url=server.base_url, timeout=httpx.Timeout(5, read=0.3)) as http,
        pytest.raises(httpx.ReadTimeout),
        http.stream("GET", f"/responses/{rid}?stream=true") as answer,
    ):
        seen.extend(line for line in answer.iter_lines() if line.startswith("data: "))
    assert len(seen) == 2  # created, in progress; then nothing until the client gives up


def test_each_event_is_flushed_as_it_is_written(server: FakeResponsesServer) -> None:
    """With 0.1 s between events, the first arrives long before the last: nothing waits for the body."""
    rid = server.add_job(JobScript.completed(output_text="").with_stream(StreamScript(interval=0.1)))
    arrivals = []
    with (
        httpx.Client(base_url=server.base_url, timeout=5) as http,
        http.stream("GET", f"/responses/{rid}?stream=true") as answer,
    ):
        arrivals.extend(time.monotonic() for line in answer.iter_lines() if line.startswith("data: "))
    assert len(arrivals) == 3
    assert arrivals[-1] - arrivals[0] >= 0.15
