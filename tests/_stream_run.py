"""Running background streams on the loopback fake server in each mode, for the stream tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from _target import AsyncOpenAI, OpenAI
from conftest import CANARY_KEY, FakeClock

from openai_background.testing import Answer, FakeResponsesServer, JobScript

MODES = ("sync", "asyncio", "trio")
ALL_EVENTS = list(range(11))
"""The sequence numbers a completed job with output text streams."""
RUNNING = JobScript.of(Answer.state("in_progress"))
"""A job that never ends: polls say in progress; its stream stays open, silent."""


@dataclass
class Run:
    """One way of running: sync, asyncio or trio, with a real client on the fake server."""

    mode: str
    server: FakeResponsesServer
    clock: FakeClock | None = None

    def call(self, use: Callable[[Any], Any], **client_kwargs: Any) -> Any:
        """``use(client)`` in this mode (awaited when async); a fresh client each call."""
        kwargs = {"api_key": CANARY_KEY, "base_url": self.server.base_url, "max_retries": 0, **client_kwargs}
        if self.mode == "sync":
            with OpenAI(**kwargs) as client:
                return use(self._prepared(client))

        async def main() -> Any:
            async with AsyncOpenAI(**kwargs) as client:
                return await use(self._prepared(client))

        return anyio.run(main, backend=self.mode)

    def read(self, open_stream: Callable[[Any], Any], seen: list[Any] | None = None, **client_kwargs: Any) -> Any:
        """Open ``open_stream(client)``, read it to its end into ``seen``; return the stream or raise."""
        into = [] if seen is None else seen
        if self.mode == "sync":

            def use(client: Any) -> Any:
                with open_stream(client) as stream:
                    into.extend(stream)
                return stream
        else:

            async def use(client: Any) -> Any:
                async with open_stream(client) as stream:
                    async for event in stream:
                        into.append(event)  # one by one: what came before an error is kept
                return stream

        return self.call(use, **client_kwargs)

    def _prepared(self, client: Any) -> Any:
        if self.clock is not None:
            client.responses._monotonic = self.clock.monotonic
            client.responses._sleep = self.clock.sleep if self.mode == "sync" else self.clock.async_sleep
        return client


def stream_of(rid: str, **kwargs: Any) -> Callable[[Any], Any]:
    return lambda client: client.responses.stream_background(rid, **kwargs)


def numbers(events: list[Any]) -> list[int]:
    return [event.sequence_number for event in events]


def requests_for(server: FakeResponsesServer, rid: str) -> list[str]:
    """What was asked about ``rid``: "stream" (with its ``starting_after``) or "poll", in order."""
    asked = []
    for request in server.requests:
        if request.path == f"/v1/responses/{rid}":
            after = [p.split("=")[1] for p in request.query.split("&") if p.startswith("starting_after=")]
            asked.append(
                ("stream" + (f" after {after[0]}" if after else "")) if "stream=true" in request.query else "poll"
            )
    return asked


def notes(error: BaseException) -> str:
    return "\n".join([str(error), *getattr(error, "__notes__", [])])
