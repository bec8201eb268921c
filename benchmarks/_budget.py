"""Many jobs against a rate limit: ``poll_many`` on a client with ``max_polls_per_second=N`` against a fake
server that answers 429 past N polls a second, beside an ``asyncio.gather`` of hand-written loops (retrying a
429 after a second). Each side gets a fresh server and a fresh interpreter, stopped after ``LIMIT`` seconds; the
server counts the 429s (those after the first second since its first poll are the figure) and the jobs ended
(each ends at its first poll served)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

from ._fake import ROOT, FakeServerProcess, child_env
from ._report import Row

if TYPE_CHECKING:
    from ._figures import Sizes

API_KEY = "sk-bench"
PENDING = ("queued", "in_progress")
LIMIT = 300.0
"""Seconds a variant gets; jobs not ended by then count as not ended (10,000 hand-written loops sharing one
SDK client spend most of their time in its connection pool)."""


def budget_rows(sizes: Sizes) -> list[Row]:
    jobs, rate = sizes.budget_jobs, sizes.budget_rate
    runs = {}
    for variant in ("budget", "hand"):
        with FakeServerProcess(max_polls_per_second=rate) as server:
            ids = server.add_jobs(jobs, polls=0, poll_after_ms=1000)
            wall = _run_variant(variant, server.base_url, ids, rate, LIMIT)
            refused = server.rate_limited()
            polls = server.polls(ids)
            first = server.first_get() or 0.0
        runs[variant] = {
            "wall": wall,
            "ended": sum(1 for count in polls if count > 0),
            "refused": len(refused),
            "refused_late": sum(1 for at in refused if at > first + 1.0),
            "requests": sum(polls) + len(refused),
        }
    ours, hand = runs["budget"], runs["hand"]
    return [
        Row(
            f"{jobs} jobs, `poll_many` with `max_polls_per_second={rate}`, server 429 past {rate}/s",
            "`asyncio.gather` of hand-written loops (a 429 retried after 1 s)",
            _describe(ours, jobs),
            _describe(hand, jobs),
            f"429s {ours['refused']} vs {hand['refused']}",
            "zero 429s after the first second, every job ends",
            ours["refused_late"] == 0 and ours["ended"] == jobs,
            "one poll per job (each job ends at its first poll); the 429s are counted by the server",
        )
    ]


def _describe(run: dict[str, Any], jobs: int) -> str:
    return (
        f"{run['refused_late']} 429s after the first second ({run['refused']} in all), {run['ended']}/{jobs} ended, "
        f"{run['wall']:.1f} s, {run['requests'] / run['wall']:.0f} GETs/s reached the server"
    )


def _run_variant(variant: str, base_url: str, ids: list[str], rate: int, limit: float) -> float:
    """The variant's wall clock (``limit`` when it was stopped then)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks._budget", variant, base_url, str(rate)],
            cwd=ROOT,
            env=child_env(),
            input=json.dumps(ids),
            capture_output=True,
            text=True,
            check=False,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        return limit
    if done.returncode != 0:
        raise RuntimeError(f"variant {variant} failed:\n{done.stderr}")
    wall: float = json.loads(done.stdout.splitlines()[-1])["wall"]
    return wall


async def _hand(base_url: str, ids: list[str], rate: int) -> list[Any]:
    import openai

    client = openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url, max_retries=0)

    async def retrieve(rid: str) -> Any:
        while True:
            try:
                return await client.responses.retrieve(rid)
            except openai.RateLimitError:
                await asyncio.sleep(1.0)

    async def wait(rid: str) -> Any:
        result = await retrieve(rid)
        while result.status in PENDING:
            await asyncio.sleep(1.0)
            result = await retrieve(rid)
        return result

    return await asyncio.gather(*(wait(rid) for rid in ids), return_exceptions=True)


async def _budget(base_url: str, ids: list[str], rate: int) -> list[Any]:
    import openai_background

    client = openai_background.AsyncOpenAI(api_key=API_KEY, base_url=base_url, max_polls_per_second=rate)
    found = []
    async with client.responses.poll_many(ids) as outcomes:
        async for outcome in outcomes:
            found.append(outcome.response if outcome.ok else outcome.error)
    return found


def _main() -> None:
    variant, base_url, rate = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ids = json.loads(sys.stdin.read())
    if variant == "hand":
        import openai  # noqa: F401 - imported before the clock starts
    else:
        import openai_background  # noqa: F401
    run = {"hand": _hand, "budget": _budget}[variant]
    started = time.perf_counter()
    asyncio.run(run(base_url, ids, rate))
    print(json.dumps({"wall": time.perf_counter() - started}))


if __name__ == "__main__":
    _main()
