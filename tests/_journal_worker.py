"""A child process of the journal's heavy tests (``test_journal_heavy.py``), run as a script.

``create JOURNAL BASE_URL N [LEASE_SECONDS]``: create N background jobs with a journal (``create_and_poll``, all at once
under asyncio) and wait for them; the test kills it with SIGKILL mid-poll.
``resume JOURNAL BASE_URL WORKER [LEASE_SECONDS]``: ``client.responses.resume(journal)``, each poll carrying the header
``x-worker: WORKER`` so the server can tell which process polled; prints one JSON line per job that ends.
"""

from __future__ import annotations

import asyncio
import json
import sys

from openai_background import AsyncOpenAI, Journal, OpenAI

LEASE_SECONDS = 1.5


async def create(journal: Journal, base_url: str, count: int) -> None:
    async with AsyncOpenAI(api_key="sk-test", base_url=base_url, journal=journal) as client:
        scripts = ["quick"] * 2 + ["slow"] * (count - 2)
        waits = [
            client.responses.create_and_poll(model="m", input=str(n), metadata={"fake_script": s}, poll_interval_ms=50)
            for n, s in enumerate(scripts)
        ]
        await asyncio.gather(*waits, return_exceptions=True)
    print("all done before the kill", flush=True)


def resume(journal: Journal, base_url: str, worker: str) -> None:
    with OpenAI(api_key="sk-test", base_url=base_url, max_retries=0) as client:
        outcomes = client.responses.resume(
            journal, concurrency=32, batch=100, poll_interval_ms=20, extra_headers={"x-worker": worker}
        )
        for outcome in outcomes:
            error = None if outcome.error is None else type(outcome.error).__name__
            print(json.dumps({"id": outcome.response_id, "error": error}), flush=True)


if __name__ == "__main__":
    command, target, url = sys.argv[1:4]
    lease = float(sys.argv[5]) if len(sys.argv) > 5 else LEASE_SECONDS  # create: N, then LEASE_SECONDS
    with Journal(target, lease_seconds=lease) as journal:
        if command == "create":
            asyncio.run(create(journal, url, int(sys.argv[4])))
        else:
            resume(journal, url, sys.argv[4])
