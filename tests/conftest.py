"""Shared fixtures: one test body runs sync, under asyncio and under trio, through respx and the SDK's own
HTTP library's ``MockTransport`` (``httpx2`` on openai 3.x, ``httpx`` on 1.x/2.x: see ``_sdk_http``).

``api`` is an in-memory scripted Responses API: each GET of a response takes the next scripted answer
(the last one repeats). ``harness`` builds a client for one mode and one transport, with a fake clock
and fake sleep on the resource, so no test waits for real seconds.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
import respx
from _sdk_http import SDK_HTTP
from _target import AsyncOpenAI, OpenAI

from openai_background.testing import FakeResponsesServer

CANARY_KEY = "sk-canary-0123456789abcdefghijklmnopqrstuvwxyz"
MODES = ("sync", "asyncio", "trio")
TRANSPORTS = ("respx", SDK_HTTP.__name__)
"""respx mocks an explicit ``httpx`` client; the other is the SDK's own library's mock transport."""


@dataclass
class Answer:
    status_code: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    error: type[Exception] | None = None  # raise this transport error instead of answering


def state(status: str | None, rid: str = "resp_1", *, hint_ms: int | None = None, **fields: Any) -> Answer:
    body: dict[str, Any] = {"id": rid, "object": "response", **fields}
    if status is not None:
        body["status"] = status
    headers = {} if hint_ms is None else {"openai-poll-after-ms": str(hint_ms)}
    return Answer(body=body, headers=headers)


def failed(code: Any, message: Any = "it broke", rid: str = "resp_1") -> Answer:
    return state("failed", rid, error={"code": code, "message": message, "param": None, "type": None})


@dataclass
class ScriptedAPI:
    """An in-memory Responses API. ``gets`` is served to successive polls; ``create`` to the POST."""

    gets: list[Answer] = field(default_factory=lambda: [state("completed")])
    create: Answer = field(default_factory=lambda: state("queued"))
    cancel: Answer = field(default_factory=lambda: state("cancelled"))
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    served: int = 0

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        self.requests.append((method, path, headers, body))
        if method == "POST" and path.endswith("/cancel"):
            return self.cancel
        if method == "POST":
            return self.create
        chosen = self.gets[min(self.served, len(self.gets) - 1)]
        self.served += 1
        return chosen

    @property
    def polls(self) -> list[dict[str, str]]:
        return [headers for method, _, headers, _ in self.requests if method == "GET"]

    def handler(self, library: Any) -> Callable[[Any], Any]:
        """A transport handler producing ``library.Response`` objects (httpx or httpx2)."""
        request_id = iter(range(1, 1_000_000))

        def handle(request: Any) -> Any:
            answer = self.answer(
                request.method, request.url.path, {k.lower(): v for k, v in request.headers.items()}, request.content
            )
            if answer.error is not None:
                raise _transport_error(library, answer.error, request)
            headers = {"x-request-id": f"req_{next(request_id)}", **answer.headers}
            if answer.raw is not None:
                headers.setdefault("content-type", "text/html")
                return library.Response(answer.status_code, content=answer.raw, headers=headers, request=request)
            content = json.dumps(answer.body).encode()
            headers["content-type"] = "application/json"
            return library.Response(answer.status_code, content=content, headers=headers, request=request)

        return handle


def _transport_error(library: Any, kind: type[Exception], request: Any) -> Exception:
    name = kind.__name__  # tests name httpx classes; map to the same class of the library in use
    return getattr(library, name)("scripted transport failure", request=request)


class FakeClock:
    """Monotonic time that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await anyio.lowlevel.checkpoint()


@dataclass
class Harness:
    """One way of running a call: a mode (sync/asyncio/trio) and a transport (respx, or the SDK's library)."""

    mode: str
    transport: str
    api: ScriptedAPI
    clock: FakeClock
    client_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def is_async(self) -> bool:
        return self.mode != "sync"

    def client(self) -> OpenAI | AsyncOpenAI:
        kwargs: dict[str, Any] = {"api_key": CANARY_KEY, "base_url": "http://fake.test/v1", "max_retries": 0}
        kwargs.update(self.client_kwargs)
        if self.transport != "respx":
            transport = SDK_HTTP.MockTransport(self.api.handler(SDK_HTTP))
            http_client: Any = (
                SDK_HTTP.AsyncClient(transport=transport) if self.is_async else SDK_HTTP.Client(transport=transport)
            )
        else:
            http_client = httpx.AsyncClient() if self.is_async else httpx.Client()
        client: Any = (
            AsyncOpenAI(http_client=http_client, **kwargs)
            if self.is_async
            else OpenAI(http_client=http_client, **kwargs)
        )
        client.responses._monotonic = self.clock.monotonic
        client.responses._sleep = self.clock.async_sleep if self.is_async else self.clock.sleep
        return client  # type: ignore[no-any-return]

    def run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``client.responses.<method>(*args, **kwargs)`` in this mode; return or raise its outcome."""
        return self.call(lambda client: getattr(client.responses, method)(*args, **kwargs))

    def call(self, use: Callable[[Any], Any]) -> Any:
        """``use(client)`` in this mode: its result, awaited when async; a fresh client each call."""
        with self._mocked():
            client = self.client()
            if not self.is_async:
                return use(client)

            async def main() -> Any:
                return await use(client)

            return anyio.run(main, backend=self.mode)

    def _mocked(self) -> Any:
        if self.transport != "respx":
            return _nothing()
        router = respx.mock(assert_all_called=False)
        router.route().mock(side_effect=self.api.handler(httpx))
        return router


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


@pytest.fixture
def api() -> ScriptedAPI:
    return ScriptedAPI()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _harness_fixture(modes: tuple[str, ...]) -> Any:
    @pytest.fixture(params=[(m, t) for m in modes for t in TRANSPORTS], ids=lambda p: f"{p[0]}-{p[1]}")
    def fixture(request: pytest.FixtureRequest, api: ScriptedAPI, clock: FakeClock) -> Harness:
        mode, transport = request.param
        return Harness(mode=mode, transport=transport, api=api, clock=clock)

    return fixture


harness = _harness_fixture(MODES)
"""Every mode: sync, asyncio, trio; each through respx and the SDK's library's mock transport."""
sync_harness = _harness_fixture(("sync",))
async_harness = _harness_fixture(("asyncio", "trio"))


@pytest.fixture(scope="module")
def server() -> Iterator[FakeResponsesServer]:
    """A loopback fake Responses server, one per test module (real sockets, the SDK's real transport)."""
    with FakeResponsesServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _collect_unclosed_async_clients(request: pytest.FixtureRequest) -> Iterator[None]:
    """An ``AsyncOpenAI`` a test leaves unclosed closes itself when collected, as a task of the *running*
    event loop (the SDK's ``__del__``): one made under trio and collected during a later asyncio test would
    run trio code there. Collect after every trio test, while no loop runs."""
    yield
    if "trio" in request.node.name:
        gc.collect()
