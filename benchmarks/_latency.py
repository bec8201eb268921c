"""Detection latency of ``poll``: from the moment the job could be seen terminal to the helper returning.

The fake's jobs turn terminal by script, right after their last in-progress answer: that is the worst
case for a poller, which then learns it only after the hint and one more round trip. A hand-written loop
sleeping the same hint is measured beside it, to show the floor the SDK's own request costs set.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import openai

import openai_background

from ._fake import FakeServerProcess
from ._figures import API_KEY, PENDING, Sizes
from ._report import Row, median, ms


def detection_latency(server: FakeServerProcess, sizes: Sizes) -> list[Row]:
    hint = sizes.latency_hint_ms / 1000
    polls = sizes.latency_polls

    def since_terminal(rid: str, done_at: float) -> float:
        gets = server.get_times(rid)
        assert len(gets) == polls + 1, gets
        return done_at - gets[-2]

    def sync_round(wait: Callable[[str], object]) -> float:
        rid = server.add_jobs(1, polls=polls, poll_after_ms=sizes.latency_hint_ms)[0]
        wait(rid)
        return since_terminal(rid, time.monotonic())

    ours = openai_background.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
    plain = openai.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)

    def hand(rid: str) -> object:
        result = plain.responses.retrieve(rid)
        while result.status in PENDING:
            time.sleep(hint)
            result = plain.responses.retrieve(rid)
        return result

    async def async_rounds() -> tuple[list[float], list[float]]:
        a_ours = openai_background.AsyncOpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
        a_plain = openai.AsyncOpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)

        async def a_hand(rid: str) -> object:
            result = await a_plain.responses.retrieve(rid)
            while result.status in PENDING:
                await asyncio.sleep(hint)
                result = await a_plain.responses.retrieve(rid)
            return result

        async def one(wait: Callable[[str], Awaitable[object]]) -> float:
            rid = server.add_jobs(1, polls=polls, poll_after_ms=sizes.latency_hint_ms)[0]
            await wait(rid)
            return since_terminal(rid, time.monotonic())

        found: tuple[list[float], list[float]] = ([], [])
        for n in range(sizes.rounds + 1):
            first = await one(a_ours.responses.poll)
            second = await one(a_hand)
            if n:  # the first round warms up connections
                found[0].append(first)
                found[1].append(second)
        await a_ours.close()
        await a_plain.close()
        return found

    sync_round(ours.responses.poll), sync_round(hand)
    sync: tuple[list[float], list[float]] = ([], [])
    for _ in range(sizes.rounds):
        sync[0].append(sync_round(ours.responses.poll))
        sync[1].append(sync_round(hand))
    in_async = asyncio.run(async_rounds())
    server.clear()
    rows = []
    for name, (found, hand_found) in (("sync", sync), ("async", in_async)):
        latency, floor = median(found), median(hand_found)
        rows.append(
            Row(
                f"detection latency, `poll` ({name})",
                f"the server's hint ({sizes.latency_hint_ms} ms)",
                ms(latency),
                ms(hint),
                f"hint + {ms(latency - hint)}",
                "<= hint + 5 ms",
                latency <= hint + 0.005,
                f"worst case (the job turns terminal right after a poll), median of {sizes.rounds}; a hand-written "
                f"loop sleeping the same hint: hint + {ms(floor - hint)}",
            )
        )
    return rows
