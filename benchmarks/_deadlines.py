"""Deadline overshoot and the cancel bound, against the hostile loopback server (``tests/hostile``).

Overshoot: how long after ``max_wait_seconds`` a ``poll`` (or ``poll(wait="stream")``) raises
``ResponsePollTimeoutError`` when every request stalls, drips its answer a few bytes at a time, or is
refused with ``503 retry-after: 100``; clients keep the SDK's defaults (600 s timeout, 2 retries), which
before the bounded requests held callers 1.2 s to 38+ s past a 2 s deadline. Cancel bound: how long
``cancel_on_timeout`` takes past the deadline when the cancel endpoint stalls (``CANCEL_TIMEOUT``, 10 s; 31 s
sync before). Each figure is the worst of its samples; the median of each behaviour is in the note.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import openai_background
from openai_background import ResponsePollTimeoutError
from openai_background._waits.deadline import CANCEL_TIMEOUT

from ._fake import ROOT
from ._figures import API_KEY, Sizes
from ._report import Row, ms

sys.path.insert(0, str(ROOT / "tests"))
from hostile.server import Answer, Behaviour, Drip, HostileServer, Request, Stall, response_answer

DEADLINE = 0.5
TARGET = 0.25
SSE = [("content-type", "text/event-stream")]


def _running(rid: str) -> Answer:
    return response_answer(rid, "in_progress", [("openai-poll-after-ms", "100")])


def _behaviour(request: Request) -> Behaviour:
    rid = request.path.split("?")[0].split("/")[3]
    kind = rid.removeprefix("resp_")
    if request.kind == "cancel":
        return Stall()
    if kind == "done":
        return response_answer(rid, "completed")
    if request.kind == "stream":
        if kind == "drip":
            return Drip(Answer(200, SSE, b": keep-alive\n" * 1000), interval=0.02, chunk=1)
        return Stall() if kind == "stall" else Answer(503, [("retry-after", "100")], b"{}")
    if kind == "stall":
        return Stall()
    if kind == "drip":
        return Drip(_running(rid), interval=0.05, chunk=2)
    if kind in ("503", "cancel"):
        return Answer(503, [("retry-after", "100"), ("content-type", "application/json")], b"{}")
    return _running(rid)


KINDS = ("stall", "drip", "503")


def deadline_rows(sizes: Sizes) -> list[Row]:
    rounds = 5 if sizes.rounds > 2 else 1
    cancel_bound = CANCEL_TIMEOUT if sizes.rounds > 2 else None
    with HostileServer(_behaviour) as server:
        sync_client = openai_background.OpenAI(api_key=API_KEY, base_url=server.base_url)
        sync_client.responses.poll("resp_done")  # warm: the SDK's lazy imports, the connection
        found: dict[Any, list[float]] = {}
        for wait in ("poll", "stream"):
            for kind in KINDS:
                found[("sync", wait), kind] = [_overshoot_sync(sync_client, kind, wait) for _ in range(rounds)]
        cancels = {"sync": _cancel_sync(sync_client, cancel_bound)}
        in_async, cancels["async"] = asyncio.run(_async_samples(server.base_url, rounds, cancel_bound))
        found.update(in_async)
        sync_client.close()
    rows = [_overshoot_row(found, mode, wait) for wait in ("poll", "stream") for mode in ("sync", "async")]
    bound = cancel_bound or _SMOKE_CANCEL
    for mode, took in cancels.items():
        over = took - DEADLINE - bound
        rows.append(
            Row(
                f"cancel bound, `cancel_on_timeout` ({mode})",
                "before: 31 s sync, 10 s async (stalled endpoint)",
                f"{took - DEADLINE:.2f} s",
                f"{bound:g} s",
                f"bound + {ms(over)}",
                f"<= bound ({bound:g} s) + 250 ms",
                over < TARGET,
                "cancel endpoint stalls; measured from the deadline to the error",
            )
        )
    return rows


_SMOKE_CANCEL = 0.2


def _overshoot_row(found: dict[Any, list[float]], mode: str, wait: str) -> Row:
    samples = {kind: found[(mode, wait), kind] for kind in KINDS}
    worst = max(max(values) for values in samples.values())
    medians = ", ".join(f"{kind} {ms(statistics.median(values))}" for kind, values in samples.items())
    name = "`poll`" if wait == "poll" else '`poll(wait="stream")`'
    return Row(
        f"deadline overshoot, {name} ({mode})",
        "before: 1.2 s to 38+ s past 2 s",
        ms(worst),
        "-",
        "-",
        f"< {ms(TARGET)}",
        worst < TARGET,
        f"worst of stall, drip, 503 retry-after 100 ({len(samples['stall'])} each, deadline {DEADLINE} s); "
        f"medians: {medians}",
    )


def _overshoot_sync(client: Any, kind: str, wait: str) -> float:
    started = time.monotonic()
    try:
        client.responses.poll(f"resp_{kind}", wait=wait, max_wait_seconds=DEADLINE)
    except ResponsePollTimeoutError:
        return time.monotonic() - started - DEADLINE
    raise AssertionError("the poll did not time out")


def _patched_cancel(bound: float | None) -> Callable[[], None]:
    """Shorten the cancel bound for a smoke run; returns the undo."""
    if bound is not None:
        return lambda: None
    from openai_background._waits import program as _loop

    saved = _loop.CANCEL
    _loop.CANCEL = _loop.Cancel(within=_SMOKE_CANCEL)

    def undo() -> None:
        _loop.CANCEL = saved

    return undo


def _cancel_sync(client: Any, bound: float | None) -> float:
    undo = _patched_cancel(bound)
    started = time.monotonic()
    try:
        client.responses.poll("resp_cancel", max_wait_seconds=DEADLINE, cancel_on_timeout=True)
    except ResponsePollTimeoutError:
        return time.monotonic() - started
    finally:
        undo()
    raise AssertionError("the poll did not time out")


async def _async_samples(base_url: str, rounds: int, bound: float | None) -> tuple[dict[Any, list[float]], float]:
    client = openai_background.AsyncOpenAI(api_key=API_KEY, base_url=base_url)
    await client.responses.poll("resp_done")

    async def overshoot(kind: str, wait: str) -> float:
        started = time.monotonic()
        try:
            await client.responses.poll(f"resp_{kind}", wait=wait, max_wait_seconds=DEADLINE)
        except ResponsePollTimeoutError:
            return time.monotonic() - started - DEADLINE
        raise AssertionError("the poll did not time out")

    found: dict[Any, list[float]] = {}
    for wait in ("poll", "stream"):
        for kind in KINDS:
            found[("async", wait), kind] = [await overshoot(kind, wait) for _ in range(rounds)]
    undo = _patched_cancel(bound)
    started = time.monotonic()
    try:
        await client.responses.poll("resp_cancel", max_wait_seconds=DEADLINE, cancel_on_timeout=True)
    except ResponsePollTimeoutError:
        took = time.monotonic() - started
    finally:
        undo()
    await client.close()
    return found, took
