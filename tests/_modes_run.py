"""The client fixture of the framework-mode tests: one test body, run with a real client of each mode
(sync, asyncio, trio) against the module's loopback fake server."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import pytest
from conftest import CANARY_KEY

from openai_background import AsyncOpenAI, OpenAI
from openai_background.testing import FakeResponsesServer

MODES = ("sync", "asyncio", "trio")
Body = Callable[[Any], Coroutine[Any, Any, Any]]


async def maybe(value: Any) -> Any:
    """``value``, awaited if the client is async: one test body serves both."""
    return await value if inspect.isawaitable(value) else value


def modes_run_fixture() -> Any:
    """A ``run`` fixture: ``run(body, **client_kwargs)`` awaits ``body(client)`` with a real client of each
    mode; polls every 5 ms unless told otherwise."""

    @pytest.fixture(params=MODES)
    def run(request: pytest.FixtureRequest, server: FakeResponsesServer) -> Callable[..., Any]:
        """``run(body, **client_kwargs)``: ``await body(client)`` with a real client of this mode."""
        mode = request.param

        def runner(body: Body, **client_kwargs: Any) -> Any:
            kwargs = {"api_key": CANARY_KEY, "base_url": server.base_url, "max_retries": 0, "poll_interval_ms": 5}
            kwargs.update(client_kwargs)
            if mode == "sync":
                with OpenAI(**kwargs) as client:
                    coroutine = body(client)
                    try:
                        coroutine.send(None)  # a sync client never suspends the body
                    except StopIteration as done:
                        return done.value
                    raise AssertionError("the body suspended with a sync client")

            async def main() -> Any:
                async with AsyncOpenAI(**kwargs) as client:
                    return await body(client)

            return anyio.run(main, backend=mode)

        return runner

    return run
