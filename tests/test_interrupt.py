"""Interrupting a wait returns at once and, when asked, cancels the job server-side."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import anyio
import pytest
from conftest import Harness, state


def _cancels(harness: Harness) -> list[str]:
    return [path for method, path, _, _ in harness.api.requests if method == "POST"]


@pytest.mark.parametrize("cancel_on_interrupt", [True, False])
def test_sync_keyboard_interrupt_cancels_only_when_asked(sync_harness: Harness, cancel_on_interrupt: bool) -> None:
    harness = sync_harness
    harness.api.gets = [state("in_progress")]

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    def use(client: Any) -> Any:
        client.responses._sleep = interrupted
        return client.responses.poll("resp_1", cancel_on_interrupt=cancel_on_interrupt)

    with pytest.raises(KeyboardInterrupt):
        harness.call(use)
    assert _cancels(harness) == (["/v1/responses/resp_1/cancel"] if cancel_on_interrupt else [])


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="needs POSIX signals")
def test_sigint_during_a_long_sleep_returns_at_once(sync_harness: Harness) -> None:
    harness = sync_harness
    harness.api.gets = [state("in_progress", hint_ms=600_000)]
    timer = threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGINT))

    def use(client: Any) -> Any:
        del client.responses._sleep  # the real time.sleep
        timer.start()
        return client.responses.poll("resp_1", cancel_on_interrupt=True)

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        harness.call(use)
    timer.join()
    assert time.monotonic() - started < 5
    assert _cancels(harness) == ["/v1/responses/resp_1/cancel"]


@pytest.mark.parametrize("cancel_on_interrupt", [True, False])
def test_task_cancellation_during_a_long_sleep_returns_at_once(
    async_harness: Harness, cancel_on_interrupt: bool
) -> None:
    harness = async_harness
    harness.api.gets = [state("in_progress", hint_ms=600_000)]
    finished: list[bool] = []

    async def use(client: Any) -> None:
        del client.responses._sleep  # the real anyio.sleep
        with anyio.move_on_after(0.2):
            await client.responses.poll("resp_1", cancel_on_interrupt=cancel_on_interrupt)
        finished.append(True)

    started = time.monotonic()
    harness.call(use)
    assert finished == [True]
    assert time.monotonic() - started < 5
    assert _cancels(harness) == (["/v1/responses/resp_1/cancel"] if cancel_on_interrupt else [])
