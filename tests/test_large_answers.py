"""Large answers: every wait returns any answer ``retrieve()`` returns (40 MiB here, 120 MiB once), gzipped real
JSON passes with the defaults, a compression bomb is refused naming the response and the option to raise, and
the options (``max_answer_bytes``, ``max_inflate_ratio``) do what they say. Sync, asyncio and trio.

Peak memory against ``retrieve()`` is a benchmark figure (``benchmarks/_memory.py``); the one bound asserted
here is the bomb's (400 MB, measured at ~130 MB), in a fresh process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest
from _stream_run import MODES, Run
from _target import FORK, AsyncOpenAI, OpenAI, ResponseMalformedError, ResponsePollTimeoutError
from conftest import CANARY_KEY
from hostile.bodies import MIB, Patient, Streamed, gzip_bomb, gzip_bomb_answer, gzipped_answer, real_answer
from hostile.server import Answer, HostileServer, response_answer, route, script

from openai_background.testing import Answer as FakeAnswer
from openai_background.testing import FakeResponsesServer, JobScript, StreamScript

BIG = 40 * MIB
TEXT = "0123456789abcdef" * (BIG // 16)
ROOT = Path(__file__).resolve().parent.parent
SETTINGS = pytest.mark.skipif(FORK, reason="the size options are client settings of this package")


@pytest.fixture(params=MODES)
def run(request: pytest.FixtureRequest, server: FakeResponsesServer) -> Run:
    return Run(request.param, server)


def many(rids: list[str]) -> Any:
    def use(client: Any) -> Any:
        if isinstance(client, OpenAI):
            return [outcome.response for outcome in client.responses.poll_many(rids, poll_interval_ms=10)]

        async def collect() -> list[Any]:
            async with client.responses.poll_many(rids, poll_interval_ms=10) as outcomes:
                return [outcome.response async for outcome in outcomes]

        return collect()

    return use


def test_poll_create_and_poll_and_poll_many_return_a_40_mib_answer(run: Run, server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(output_text=TEXT, polls=1, poll_after_ms=10))
    assert run.call(lambda client: client.responses.poll(rid)).output_text == TEXT
    server.queue_create(JobScript.completed(output_text=TEXT, polls=1, poll_after_ms=10))
    created = run.call(lambda client: client.responses.create_and_poll(model="gpt-test", input="hi"))
    assert created.output_text == TEXT
    (polled,) = run.call(many([server.add_job(JobScript.completed(output_text=TEXT))]))
    assert polled.output_text == TEXT


def test_a_streams_fallback_poll_returns_a_40_mib_answer(run: Run, server: FakeResponsesServer) -> None:
    refused = StreamScript.refused(FakeAnswer.http_error(400))  # the server cannot stream it: the wait polls
    rid = server.add_job(JobScript.completed(output_text=TEXT).with_stream(refused))
    assert run.call(lambda client: client.responses.poll(rid, wait="stream")).output_text == TEXT


@pytest.mark.once  # the SDK's own SSE decoding of 5 events of 34 MiB takes 10-30 s on a loaded machine
@pytest.mark.parametrize("mode", ["sync", "asyncio"])
def test_a_stream_whose_events_pass_the_old_32_mib_cap_returns_the_answer(
    mode: str, server: FakeResponsesServer
) -> None:
    text = TEXT[: 34 * MIB]
    rid = server.add_job(JobScript.completed(output_text=text).with_stream(StreamScript(deltas=1)))
    assert Run(mode, server).call(lambda client: client.responses.poll(rid, wait="stream")).output_text == text


@SETTINGS
def test_the_wait_mode_returns_a_40_mib_answer(run: Run, server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(output_text=TEXT, polls=1, poll_after_ms=10))
    create = lambda client: client.responses.create(model="gpt-test", input="hi", background=True)  # noqa: E731
    assert run.call(create, background_mode="wait").output_text == TEXT


@pytest.mark.once
def test_a_120_mib_answer_is_returned(server: FakeResponsesServer) -> None:
    text = "0123456789abcdef" * (120 * MIB // 16)
    rid = server.add_job(JobScript.completed(output_text=text))
    assert Run("sync", server).call(lambda client: client.responses.poll(rid)).output_text == text


def poll_hostile(server: HostileServer, mode: str = "sync", *, deadline: float | None = None, **settings: Any) -> Any:
    """``poll`` of ``resp_1`` by a client built with ``settings``: once, or until ``deadline`` seconds."""
    run = Run(mode, server)  # type: ignore[arg-type]  # the hostile server has the same ``base_url``
    failures = 1 if deadline is None else 10
    wait = lambda c: c.responses.poll("resp_1", max_poll_failures=failures, max_wait_seconds=deadline)  # noqa: E731
    return run.call(wait, **settings)


@pytest.mark.once  # the ratio guard reads through the HTTP library, whatever the SDK: once per CI run
@pytest.mark.parametrize("kind", ["text", "arguments", "image"])
def test_real_gzipped_json_of_40_mib_passes_with_the_defaults(kind: str) -> None:
    body = real_answer(BIG, kind)
    with HostileServer(script([gzipped_answer(body)])) as server:
        result = poll_hostile(server)
    assert result.status == "completed" and len(result.output) == len(json.loads(body)["output"])


@pytest.mark.once
def test_real_gzipped_json_of_120_mib_passes_with_the_defaults() -> None:
    body = real_answer(120 * MIB, "arguments")
    with HostileServer(script([gzipped_answer(body)])) as server:
        result = poll_hostile(server, "asyncio")
    assert result.status == "completed" and len(result.output) == len(json.loads(body)["output"])


@pytest.mark.parametrize("mode", MODES)
def test_a_gzip_bomb_is_refused_naming_the_response_and_the_option(mode: str) -> None:
    with (
        HostileServer(script([gzip_bomb_answer(1024 * MIB)])) as server,
        pytest.raises(ResponseMalformedError) as caught,
    ):
        poll_hostile(server, mode)
    error = caught.value
    assert error.response_id == "resp_1" and len(error.body) < 1000
    assert "compression bomb" in str(error) and "max_inflate_ratio" in str(error)


def test_an_answer_under_32_mib_is_read_whatever_its_ratio() -> None:
    with HostileServer(script([gzip_bomb_answer(31 * MIB, closed=True)])) as server:  # ~1000x
        assert poll_hostile(server).status == "completed"


@SETTINGS
def test_max_inflate_ratio_none_reads_a_highly_compressed_answer() -> None:
    with HostileServer(script([gzip_bomb_answer(64 * MIB, closed=True)])) as server:
        with pytest.raises(ResponseMalformedError, match="max_inflate_ratio"):
            poll_hostile(server)
        assert poll_hostile(server, max_inflate_ratio=None).status == "completed"
        assert poll_hostile(server, max_inflate_ratio=2000).status == "completed"


@SETTINGS
@pytest.mark.parametrize("mode", MODES)
def test_max_answer_bytes_refuses_a_larger_answer_unread(mode: str) -> None:
    body = real_answer(4 * MIB, "image")
    with HostileServer(script([gzipped_answer(body)])) as server:
        with pytest.raises(ResponseMalformedError) as caught:
            poll_hostile(server, mode, max_answer_bytes=MIB)
        assert caught.value.response_id == "resp_1" and "max_answer_bytes" in str(caught.value)
        assert poll_hostile(server, mode, max_answer_bytes=len(body)).status == "completed"


@SETTINGS
def test_max_answer_bytes_applies_to_each_stream_event(server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(output_text="x" * (2 * MIB)).with_stream(StreamScript(deltas=4)))
    wait = lambda client: client.responses.poll(rid, wait="stream", max_poll_failures=1)  # noqa: E731
    with pytest.raises(ResponseMalformedError) as caught:
        Run("sync", server).call(wait, max_answer_bytes=MIB)
    assert caught.value.response_id == rid and "one event is larger than 1 MiB" in str(caught.value)
    assert Run("sync", server).call(wait, max_answer_bytes=3 * MIB).output_text == "x" * (2 * MIB)


@SETTINGS
@pytest.mark.parametrize(
    ("option", "value"),
    [("max_answer_bytes", 0), ("max_answer_bytes", 1.5), ("max_answer_bytes", True), ("max_inflate_ratio", 0.5),
     ("max_inflate_ratio", float("inf")), ("max_inflate_ratio", "200")],
)  # fmt: skip
def test_a_bad_size_option_is_a_value_error_where_the_client_is_built(option: str, value: object) -> None:
    with pytest.raises(ValueError, match=option):
        OpenAI(api_key=CANARY_KEY, **{option: value})


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("interval", [0.05, 30.0], ids=["drip", "stall"])
def test_a_huge_body_dripping_or_stalling_is_still_cut_at_the_deadline(mode: str, interval: float) -> None:
    with HostileServer(script([Streamed(500 * MIB, interval=interval)])) as server:
        started = time.monotonic()
        with pytest.raises(ResponsePollTimeoutError) as caught:
            poll_hostile(server, mode, deadline=1)
    assert caught.value.response_id == "resp_1"
    assert time.monotonic() - started < 4.0  # generous: the deadline is 1 s; the body would take 25 s or more


PEAK_MB = """
def peak_mb():
    # VmHWM: the peak RSS of this program's own memory. ``ru_maxrss`` would do, but Linux carries into it, at
    # exec, the peak of the parent that spawned it (vfork), and the parent may hold large bodies itself.
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_CHILD = (
    PEAK_MB
    + """
import json, sys
import openai
from openai_background import OpenAI
client = OpenAI(api_key="sk-test-bomb", base_url=sys.argv[1], max_retries=0, timeout=60)
try:
    client.responses.poll("resp_1", max_poll_failures=1)
    outcome = "read"
except openai.APIError as error:
    outcome = f"{type(error).__name__} {getattr(error, 'response_id', None)}: {error}"
print(json.dumps({"outcome": outcome, "peak_mb": peak_mb()}))
"""
)


@pytest.mark.once
@pytest.mark.skipif(FORK or sys.platform == "win32", reason="ru_maxrss of this package's client, on Unix")
def test_a_1_gib_gzip_bomb_is_refused_under_400_mb_peak_rss() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    with HostileServer(script([gzip_bomb_answer(1024 * MIB)])) as server:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, server.base_url], capture_output=True, text=True, timeout=120, env=env
        )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["outcome"].startswith("ResponseMalformedError resp_1:") and "max_inflate_ratio" in found["outcome"]
    assert found["peak_mb"] < 400, found  # measured: ~130 MB, interpreter and imports (~65 MB) included


@pytest.mark.parametrize("answer", ["bomb", "real"])
def test_the_aiohttp_transport_counts_the_bytes_received_too(answer: str) -> None:
    """aiohttp leaves decompression to the SDK's HTTP library, which counts the bytes received."""
    if not hasattr(openai, "DefaultAioHttpClient"):
        pytest.skip("this openai SDK offers no DefaultAioHttpClient")
    try:
        openai.DefaultAioHttpClient()
    except RuntimeError as missing:
        pytest.skip(f"openai[aiohttp] is not installed: {missing}")
    behaviour = gzip_bomb_answer(1024 * MIB) if answer == "bomb" else gzipped_answer(real_answer(BIG, "arguments"))

    async def main(base_url: str) -> Any:
        async with AsyncOpenAI(
            api_key=CANARY_KEY, base_url=base_url, max_retries=0, http_client=openai.DefaultAioHttpClient()
        ) as client:
            return await client.responses.poll("resp_1", max_poll_failures=1)

    with HostileServer(script([behaviour])) as server:
        if answer == "real":
            assert anyio.run(main, server.base_url).status == "completed"
            return
        with pytest.raises(ResponseMalformedError, match="max_inflate_ratio"):
            anyio.run(main, server.base_url)


@pytest.mark.parametrize("mode", MODES)
def test_an_event_stream_that_is_a_gzip_bomb_is_refused(mode: str) -> None:
    prefix = b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": "'
    headers = [("content-type", "text/event-stream"), ("content-encoding", "gzip")]
    bomb = Patient(Answer(200, headers, gzip_bomb(1024 * MIB, prefix=prefix)))
    with HostileServer(route(stream=bomb, get=response_answer("resp_1", "in_progress"))) as server:
        wait = lambda client: client.responses.poll("resp_1", wait="stream", max_poll_failures=1)  # noqa: E731
        with pytest.raises(ResponseMalformedError) as caught:
            Run(mode, server).call(wait)  # type: ignore[arg-type]
    assert caught.value.response_id == "resp_1" and "max_inflate_ratio" in str(caught.value)
