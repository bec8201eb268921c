"""Many background jobs at once with AsyncOpenAI: gather create_and_poll, collect every outcome.

    python examples/many_jobs_async.py

Each job is one task; a semaphore bounds how many run at a time. ``return_exceptions=True`` keeps one
failed job from hiding the others: each result is a ``Response`` or the typed error of that job.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from _fake_api import FAST_POLLS_MS, MODEL, real_or_fake_api
from openai.types.responses import Response

from openai_background import AsyncOpenAI, BackgroundResponseError
from openai_background.testing import JobScript

PROMPTS = [f"Give one fact about the number {n}." for n in range(1, 7)]
FAKE_OUTCOMES = (  # one per create, in whatever order the tasks send them
    *(JobScript.completed(output_text=f"fact {n}", polls=n, poll_after_ms=FAST_POLLS_MS) for n in range(1, 4)),
    JobScript.failed("server_error", polls=1, poll_after_ms=FAST_POLLS_MS),
    JobScript.failed("invalid_prompt", polls=2, poll_after_ms=FAST_POLLS_MS),
    JobScript.incomplete("max_output_tokens", polls=1, poll_after_ms=FAST_POLLS_MS),
)
MAX_AT_ONCE = 4


async def run_all(client: AsyncOpenAI, prompts: list[str]) -> list[Response | BaseException]:
    limit = asyncio.Semaphore(MAX_AT_ONCE)

    async def one(prompt: str) -> Response:
        async with limit:
            return await client.responses.create_and_poll(model=MODEL, input=prompt, max_wait_seconds=900)

    return await asyncio.gather(*(one(prompt) for prompt in prompts), return_exceptions=True)


def describe(result: Response | BaseException) -> str:
    if isinstance(result, Response):
        return "completed"
    if isinstance(result, BackgroundResponseError):
        detail = getattr(result, "code", None) or getattr(result, "reason", None) or result.status
        return f"{result.status} ({detail}, {'retryable' if result.retryable else 'not retryable'})"
    return f"error ({type(result).__name__})"  # e.g. the create request itself failed


async def main() -> int:
    with real_or_fake_api(*FAKE_OUTCOMES):
        async with AsyncOpenAI() as client:
            results = await run_all(client, PROMPTS)
    for prompt, result in zip(PROMPTS, results, strict=True):
        print(f"{prompt:<40} {describe(result)}")
    counts = Counter(describe(result).split(" ")[0] for result in results)
    print("summary: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    retry = [p for p, r in zip(PROMPTS, results, strict=True) if isinstance(r, BackgroundResponseError) and r.retryable]
    print(f"worth a new create(): {len(retry)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
