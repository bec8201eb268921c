"""The in-process figures: the fake's own latency, error build, client CPU per poll and requests per job.
Each compares ours with its baseline side by side, alternating which goes first, and takes the median of
the per-round ratios (a slow moment of a noisy machine then hits both sides of one ratio alike)."""

from __future__ import annotations

import http.client
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import openai
from openai._models import construct_type
from openai.types.responses import Response

import openai_background
from openai_background._compat import http_library

from ._fake import FakeServerProcess
from ._report import Row, median, ms, us

PENDING = ("queued", "in_progress")
API_KEY = "sk-bench"


@dataclass(frozen=True)
class Sizes:
    rounds: int
    fake_requests: int
    error_rounds: int
    error_calls: int
    cpu_rounds: int
    cpu_jobs: int
    cpu_polls: int
    latency_hint_ms: int
    latency_polls: int
    stream_jobs: int
    stream_interval_ms: float
    many_jobs: int
    many_polls: int
    many_hint_ms: int
    many_rounds: int
    import_samples: int
    resume_jobs: int = 10_000
    budget_jobs: int = 10_000
    budget_rate: int = 200


def fake_latency(server: FakeServerProcess, sizes: Sizes) -> str:
    """Round trip of one GET on a kept-alive ``http.client`` connection: the floor under every poll."""
    rid = server.add_jobs(1, polls=0, poll_after_ms=None)[0]
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    times = []
    for _ in range(sizes.fake_requests + 20):
        start = time.perf_counter()
        conn.request("GET", f"/v1/responses/{rid}")
        conn.getresponse().read()
        times.append(time.perf_counter() - start)
    conn.close()
    server.clear()
    times = sorted(times[20:])
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return f"median {ms(median(times))}, p99 {ms(p99)} per GET (http.client, keep-alive, {len(times)} requests)"


def error_build(sizes: Sizes) -> Row:
    """``_make_background_failure_error`` on a failed ``Response`` vs ``_make_status_error`` on a 500."""
    client = openai_background.OpenAI(api_key=API_KEY, base_url="http://127.0.0.1:9/v1")
    http: Any = http_library()
    request = http.Request("GET", "http://127.0.0.1:9/v1/responses/resp_bench")
    error = {"code": "server_error", "message": "The model failed.", "param": None, "type": "server_error"}
    body = {"id": "resp_bench", "object": "response", "status": "failed", "error": error, "output": []}
    result = cast(Response, construct_type(type_=Response, value=body))  # as the SDK builds it from a poll
    poll = http.Response(200, json=body, request=request, headers={"x-request-id": "req_1"})
    failed = http.Response(500, json={"error": error}, request=request, headers={"x-request-id": "req_1"})
    message = f"Error code: 500 - { ({'error': error}) }"

    def ours() -> object:
        return client._make_background_failure_error(result, response=poll)

    def sdk() -> object:
        return client._make_status_error(message, body={"error": error}, response=failed)

    assert isinstance(ours(), openai.InternalServerError) and isinstance(sdk(), openai.InternalServerError)
    n = sizes.error_calls
    a, b, ratio = paired(
        sizes.error_rounds, lambda: timeit.timeit(ours, number=n) / n, lambda: timeit.timeit(sdk, number=n) / n
    )
    return Row(
        "build the typed error for a failed `Response`",
        "`_make_status_error` on the same error as an HTTP 500",
        us(a),
        us(b),
        f"{ratio:.2f}x",
        "<= 1.5x",
        ratio <= 1.5,
        f"median of {sizes.error_rounds} alternating rounds of {n} calls",
    )


def cpu_per_poll(server: FakeServerProcess, sizes: Sizes) -> tuple[Row, Row]:
    """Client CPU per poll of ``responses.poll`` vs a hand-written ``retrieve()`` loop, same server, no
    sleep between polls (hint 0 ms) so only the work per poll is counted; and the requests it made."""
    ours = openai_background.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
    plain = openai.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
    per_job = sizes.cpu_polls + 1
    sent: list[int] = []

    def hand_loop(rid: str) -> Response:
        result = plain.responses.retrieve(rid)
        while result.status in PENDING:
            time.sleep(0)
            result = plain.responses.retrieve(rid)
        return result

    def batch(wait: Callable[[str], Response], record: bool) -> float:
        ids = server.add_jobs(sizes.cpu_jobs, polls=sizes.cpu_polls, poll_after_ms=0)
        start = time.process_time()
        for rid in ids:
            wait(rid)
        cpu = time.process_time() - start
        if record:
            sent.extend(server.polls(ids))
        server.clear()
        return cpu / (len(ids) * per_job)

    batch(ours.responses.poll, False), batch(hand_loop, False)  # warm up: connections, lazy imports
    a, b, ratio = paired(sizes.cpu_rounds, lambda: batch(ours.responses.poll, True), lambda: batch(hand_loop, False))
    cpu = Row(
        "client CPU per poll, `responses.poll`",
        "hand-written `while status in (queued, in_progress): retrieve()` loop",
        us(a),
        us(b),
        f"{ratio:.2f}x",
        "<= 1.10x",
        ratio <= 1.10,
        f"`time.process_time()` of the client process; median of {sizes.cpu_rounds} alternating rounds of "
        f"{sizes.cpu_jobs} jobs x {per_job} polls",
    )
    wasted = sum(sent) - per_job * len(sent)
    requests = Row(
        "requests per job, `responses.poll`",
        f"non-terminal polls + 1 = {per_job}",
        f"{sum(sent) / len(sent):.2f}",
        str(per_job),
        f"{wasted} wasted in {len(sent)} jobs",
        "equal: zero wasted",
        wasted == 0,
    )
    return cpu, requests


def paired(rounds: int, ours: Callable[[], float], baseline: Callable[[], float]) -> tuple[float, float, float]:
    """Median of each side and median of the per-round ratios, alternating which side runs first."""
    a: list[float] = []
    b: list[float] = []
    for n in range(rounds):
        if n % 2:
            b.append(baseline())
            a.append(ours())
        else:
            a.append(ours())
            b.append(baseline())
    return median(a), median(b), median([x / y for x, y in zip(a, b, strict=True)])
