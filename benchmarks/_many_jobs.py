"""1,000 concurrent async jobs: ``poll_many`` and ``gather`` of ``poll`` against ``asyncio.gather`` of
hand-written loops. Each variant runs in a fresh interpreter so its peak RSS is its own; the wall clock
starts after the imports."""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

from ._fake import ROOT, FakeServerProcess, child_env
from ._report import Row, median, ms

if TYPE_CHECKING:  # ``_figures`` imports openai; this module is also the variant's fresh interpreter
    from ._figures import Sizes

API_KEY = "sk-bench"
PENDING = ("queued", "in_progress")
VARIANTS = ("hand", "gather_poll", "poll_many")
LABELS = {"gather_poll": "`gather` of `poll`", "poll_many": "`poll_many`"}
FAILED_EVERY = 10
RSS_LIMIT_MB = 150.0


def many_jobs(server: FakeServerProcess, sizes: Sizes) -> list[Row]:
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    per_job = sizes.many_polls + 1
    wasted = 0
    for n in range(sizes.many_rounds):
        for variant in VARIANTS[n % 3 :] + VARIANTS[: n % 3]:
            ids = server.add_jobs(
                sizes.many_jobs, polls=sizes.many_polls, poll_after_ms=sizes.many_hint_ms, failed_every=FAILED_EVERY
            )
            run = _run_variant(variant, server.base_url, ids, sizes.many_hint_ms)
            failed = len(ids) // FAILED_EVERY
            run["resolved"] = (run["completed"], run["failed"]) == (len(ids) - failed, failed)
            if variant != "hand":
                wasted += sum(server.polls(ids)) - per_job * len(ids)
            server.clear()
            runs[variant].append(run)
    hand_wall = median([r["wall"] for r in runs["hand"]])
    hand_rss = max(r["rss_mb"] for r in runs["hand"])
    rows = []
    for variant in ("poll_many", "gather_poll"):
        wall = median([r["wall"] for r in runs[variant]])
        ratio = median([r["wall"] / h["wall"] for r, h in zip(runs[variant], runs["hand"], strict=True)])
        rss = max(r["rss_mb"] for r in runs[variant])
        resolved = all(r["resolved"] for r in runs[variant])
        rows.append(
            Row(
                f"{sizes.many_jobs} concurrent async jobs, {LABELS[variant]}",
                "`asyncio.gather` of hand-written loops",
                f"{ms(wall)}, peak RSS {rss:.0f} MB, {'all' if resolved else 'NOT all'} resolved",
                f"{ms(hand_wall)}, peak RSS {hand_rss:.0f} MB",
                f"wall {ratio:.2f}x",
                f"wall <= 1.0x, all resolved, RSS <= {RSS_LIMIT_MB:.0f} MB",
                ratio <= 1.0 and resolved and rss <= RSS_LIMIT_MB,
                f"{sizes.many_polls} in-progress poll(s) then the end, hint {sizes.many_hint_ms} ms, "
                f"every {FAILED_EVERY}th job fails (server_error); default client settings; median of "
                f"{sizes.many_rounds} rounds",
            )
        )
    rows.append(
        Row(
            f"requests per job, {sizes.many_jobs} concurrent jobs",
            f"non-terminal polls + 1 = {per_job}",
            f"{wasted} extra",
            "0",
            "",
            "equal: zero wasted",
            wasted == 0,
            "`poll_many` and `gather` of `poll`",
        )
    )
    return rows


def _run_variant(variant: str, base_url: str, ids: list[str], hint_ms: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks._many_jobs", variant, base_url, str(hint_ms)],
        cwd=ROOT,
        env=child_env(),
        input=json.dumps(ids),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"variant {variant} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


async def _hand(base_url: str, ids: list[str], hint: float) -> list[Any]:
    import openai

    client = openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url)

    async def wait(rid: str) -> Any:
        result = await client.responses.retrieve(rid)
        while result.status in PENDING:
            await asyncio.sleep(hint)
            result = await client.responses.retrieve(rid)
        return result

    return await asyncio.gather(*(wait(rid) for rid in ids), return_exceptions=True)


async def _gather_poll(base_url: str, ids: list[str], hint: float) -> list[Any]:
    import openai_background

    client = openai_background.AsyncOpenAI(api_key=API_KEY, base_url=base_url)
    return await asyncio.gather(*(client.responses.poll(rid) for rid in ids), return_exceptions=True)


async def _poll_many(base_url: str, ids: list[str], hint: float) -> list[Any]:
    import openai_background

    client = openai_background.AsyncOpenAI(api_key=API_KEY, base_url=base_url)
    found = []
    async with client.responses.poll_many(ids) as outcomes:
        async for outcome in outcomes:
            found.append(outcome.response if outcome.ok else outcome.error)
    return found


def _main() -> None:
    variant, base_url, hint_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ids = json.loads(sys.stdin.read())
    if variant == "hand":
        import openai  # noqa: F401 - imported before the clock starts
    else:
        import openai_background  # noqa: F401
    run = {"hand": _hand, "gather_poll": _gather_poll, "poll_many": _poll_many}[variant]
    start = time.perf_counter()
    found = asyncio.run(run(base_url, ids, hint_ms / 1000))
    wall = time.perf_counter() - start
    statuses = [getattr(x, "status", None) for x in found]  # a Response, or a BackgroundResponseError
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform == "darwin" else 1)
    print(
        json.dumps(
            {
                "wall": wall,
                "rss_mb": rss_kb / 1024,
                "completed": statuses.count("completed"),
                "failed": statuses.count("failed"),
            }
        )
    )


if __name__ == "__main__":
    _main()
