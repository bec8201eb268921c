"""The stream-wait figures (``poll(..., wait="stream")``): requests per job and detection latency.

They run once the package has the stream wait and the fake server can stream a background response;
until then they are reported as pending, never guessed.
"""

from __future__ import annotations

import asyncio
import inspect
import time

from ._fake import FakeServerProcess
from ._figures import API_KEY, Sizes
from ._report import Row, median, ms

REQUESTS = ('requests per job, `poll(wait="stream")`', "polling the same jobs: non-terminal polls + 1")
LATENCY = ('detection latency, `poll(wait="stream")`', "the terminal event leaving the server")


def stream_wait_available() -> bool:
    import openai_background.testing
    from openai_background import Responses

    return "wait" in inspect.signature(Responses.poll).parameters and hasattr(openai_background.testing, "StreamScript")


def stream_rows(server: FakeServerProcess, sizes: Sizes) -> list[Row]:
    if not stream_wait_available():
        why = "the stream wait is not available"
        return [
            Row(*REQUESTS, "-", "-", "-", "1 request + resumes", None, why),
            Row(*LATENCY, "-", "-", "-", "<= 5 ms", None, why),
        ]
    return [_requests(server, sizes), *_latency(server, sizes)]


def _requests(server: FakeServerProcess, sizes: Sizes) -> Row:
    """Jobs that would take ``cpu_polls`` non-terminal polls: streamed whole, and with the connection
    dropped once mid-stream (resumed with ``starting_after``, after the failure backoff)."""
    import openai_background

    client = openai_background.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
    per_job = sizes.cpu_polls + 1
    found = {}
    for drops in ((), (4,)):
        ids = server.add_jobs(sizes.stream_jobs, polls=sizes.cpu_polls, poll_after_ms=0, stream={"drops": drops})
        for rid in ids:
            client.responses.poll(rid, wait="stream")
        found[len(drops)] = server.streams(ids)
    server.clear()
    whole, dropped = (sum(s + p for s, p in found[n]) / len(found[n]) for n in (0, 1))
    exact = all(pair == (1 + n, 0) for n in (0, 1) for pair in found[n])
    return Row(
        *REQUESTS,
        f"{whole:.2f} (whole), {dropped:.2f} (one drop)",
        f"{per_job} (polling)",
        f"{whole / per_job:.2f}x",
        "1 request + resumes",
        exact,
        f"jobs that take {sizes.cpu_polls} non-terminal polls when polled; no poll was made while streaming",
    )


def _latency(server: FakeServerProcess, sizes: Sizes) -> list[Row]:
    """From the server writing the terminal event (stamped in the server process) to
    ``poll(wait="stream")`` returning; the server paces the job's events, so the client waits on an open
    stream as it would for a running job."""
    import openai_background

    stream = {"interval": sizes.stream_interval_ms / 1000, "deltas": 1}

    def latency(rid: str, done_at: float) -> float:
        sent = server.terminal_sent(rid)
        if sent is None:
            raise RuntimeError("the fake server's terminal events could not be stamped")
        return done_at - sent

    sync_client = openai_background.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)

    def one_sync() -> float:
        rid = server.add_jobs(1, polls=0, poll_after_ms=None, stream=stream)[0]
        sync_client.responses.poll(rid, wait="stream")
        return latency(rid, time.monotonic())

    async def all_async() -> list[float]:
        client = openai_background.AsyncOpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
        found = []
        for _ in range(sizes.rounds + 1):
            rid = server.add_jobs(1, polls=0, poll_after_ms=None, stream=stream)[0]
            await client.responses.poll(rid, wait="stream")
            found.append(latency(rid, time.monotonic()))
        await client.close()
        return found[1:]  # the first warms up the connection

    one_sync()
    sync = median([one_sync() for _ in range(sizes.rounds)])
    in_async = median(asyncio.run(all_async()))
    server.clear()
    return [
        Row(
            f"{LATENCY[0]} ({name})",
            LATENCY[1],
            ms(value),
            "0 ms",
            f"+ {ms(value)}",
            "<= 5 ms",
            value <= 0.005,
            f"events paced {sizes.stream_interval_ms:g} ms apart; median of {sizes.rounds}",
        )
        for name, value in (("sync", sync), ("async", in_async))
    ]
