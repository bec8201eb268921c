"""The cancel sent on timeout or interrupt takes at most its bound, sync as async, whatever the cancel
endpoint does; a sync ``poll_many`` that is left lets the process exit at once. Hostile loopback server.

The bound is ``CANCEL_TIMEOUT`` (10 s); tests that need a stalled endpoint shorten it to 1 s so they stay
fast, and a bound of a few seconds proves the SDK's retries (31-200 s before) no longer run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from _target import ResponsePollTimeoutError, internal
from hostile.server import Answer, Behaviour, HostileServer, Stall, response_answer, route
from test_deadlines import MODES, RID, RUNNING, call

SHORT_BOUND = 1.0
STALLED = Stall()
RETRY_LATER = Answer(503, [("retry-after", "100"), ("content-type", "application/json")], b"{}")


@pytest.fixture
def short_cancel_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = internal("_waits.program")
    monkeypatch.setattr(loop, "CANCEL", loop.Cancel(within=SHORT_BOUND))
    monkeypatch.setattr(internal("_waits.shells"), "CANCEL_TIMEOUT", SHORT_BOUND)


def _cancels(server: HostileServer) -> int:
    return sum(request.kind == "cancel" for request in server.requests)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", [pytest.param(STALLED, id="stall"), pytest.param(RETRY_LATER, id="503-100")])
def test_cancel_on_timeout_takes_at_most_its_bound(mode: str, endpoint: Behaviour, short_cancel_bound: None) -> None:
    with HostileServer(route(get=RUNNING, cancel=endpoint)) as server:
        error, took = call(mode, server, lambda c: c.responses.poll(RID, max_wait_seconds=0.5, cancel_on_timeout=True))
    assert isinstance(error, ResponsePollTimeoutError), error
    assert "cancelling it failed" in str(error)
    assert _cancels(server) == 1  # one attempt: the SDK's retries are off for it
    assert took < 0.5 + SHORT_BOUND + 2.5


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_cancel_is_not_retried_for_its_retry_after(mode: str) -> None:
    with HostileServer(route(get=RUNNING, cancel=RETRY_LATER)) as server:
        error, took = call(mode, server, lambda c: c.responses.poll(RID, max_wait_seconds=0.5, cancel_on_timeout=True))
    assert isinstance(error, ResponsePollTimeoutError), error
    assert took < 4.0  # the real 10 s bound is not even reached: no retry sleeps 100 s, nor 60


def test_sync_cancel_on_interrupt_takes_at_most_its_bound(short_cancel_bound: None) -> None:
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    def use(client: Any) -> Any:
        client.responses._sleep = interrupted
        return client.responses.poll(RID, cancel_on_interrupt=True)

    with HostileServer(route(get=RUNNING, cancel=STALLED)) as server:
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            call("sync", server, use)
        took = time.monotonic() - started
    assert _cancels(server) == 1
    assert took < SHORT_BOUND + 2.5


@pytest.mark.parametrize("mode", ["asyncio", "trio"])
def test_async_cancel_on_interrupt_takes_at_most_its_bound(mode: str, short_cancel_bound: None) -> None:
    async def use(client: Any) -> None:
        with anyio.move_on_after(0.5):
            await client.responses.poll(RID, cancel_on_interrupt=True)

    with HostileServer(route(get=RUNNING, cancel=STALLED)) as server:
        _, took = call(mode, server, use)
    assert _cancels(server) == 1
    assert took < 0.5 + SHORT_BOUND + 2.5


CHILD = """
import sys
from openai_background import OpenAI

client = OpenAI(api_key="sk-test", base_url=sys.argv[1])
print("ready", flush=True)
for outcome in client.responses.poll_many([f"resp_{n}" for n in range(8)], cancel_on_interrupt=False):
    if sys.argv[2] == "raise":
        raise RuntimeError("the caller's loop body failed")
"""


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
@pytest.mark.parametrize("leave", ["sigint", "raise"])
def test_a_sync_poll_many_left_with_stalled_workers_lets_the_process_exit(leave: str) -> None:
    def job(request: Any) -> Behaviour:
        if leave == "raise" and request.path.split("?")[0].endswith("resp_0"):
            return response_answer("resp_0", "completed")
        return STALLED

    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with HostileServer(route(get=job)) as server:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, server.base_url, leave],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
            deadline = time.monotonic() + 20
            while sum(r.kind == "get" for r in server.requests) < (8 if leave == "sigint" else 1):
                assert time.monotonic() < deadline, "the child never polled"
                time.sleep(0.05)
            time.sleep(0.3)  # the workers are now inside stalled requests
            left = time.monotonic()
            if leave == "sigint":
                child.send_signal(signal.SIGINT)
            child.wait(timeout=40)
            took = time.monotonic() - left
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert child.returncode != 0
    # The stalls last 30 s (the server's cap): a process held by its workers' requests would take that long.
    # On a loaded machine an idle interpreter with openai imported takes 2-3 s to exit after Ctrl-C.
    assert took < 15.0
