"""Every HTTP transport the SDK offers, over real loopback sockets to the fake server.

- ``default``: the client the SDK builds itself (``httpx2`` on openai 3.x, ``httpx`` on 1.x/2.x);
- ``httpx``: an ``httpx.Client`` / ``httpx.AsyncClient`` passed explicitly (3.x accepts legacy httpx);
- ``aiohttp``: the SDK's ``DefaultAioHttpClient`` (extra ``openai[aiohttp]``). respx cannot intercept it,
  hence real sockets here. aiohttp runs on asyncio only, so it has no sync or trio variant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import httpx
import openai
import pytest
from _sdk_http import SDK_HTTP
from _target import AsyncOpenAI, OpenAI, ResponseServerError
from conftest import CANARY_KEY

from openai_background.testing import FakeResponsesServer, JobScript

HTTP_CLIENTS: dict[str, Callable[[bool], Any]] = {
    "default": lambda is_async: None,
    "httpx": lambda is_async: httpx.AsyncClient() if is_async else httpx.Client(),
    "aiohttp": lambda is_async: openai.DefaultAioHttpClient(),
}
RESPONSE_CLASS = {"default": SDK_HTTP.Response, "httpx": httpx.Response, "aiohttp": SDK_HTTP.Response}
"""The class of ``APIStatusError.response`` each transport produces (aiohttp is wrapped in the SDK's library)."""

ASYNCIO_ONLY = pytest.mark.skip(reason="aiohttp runs on asyncio only; trio has no aiohttp transport")
CASES = [
    pytest.param(("sync", "default"), id="sync-default"),
    pytest.param(("sync", "httpx"), id="sync-httpx"),
    pytest.param(("asyncio", "default"), id="asyncio-default"),
    pytest.param(("asyncio", "httpx"), id="asyncio-httpx"),
    pytest.param(("asyncio", "aiohttp"), id="asyncio-aiohttp"),
    pytest.param(("trio", "default"), id="trio-default"),
    pytest.param(("trio", "httpx"), id="trio-httpx"),
    pytest.param(("trio", "aiohttp"), id="trio-aiohttp", marks=ASYNCIO_ONLY),
]


@pytest.fixture(params=CASES)
def case(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(mode, transport); skipped, saying why, where the installed SDK has no aiohttp client."""
    mode, transport = request.param
    if transport == "aiohttp":
        if not hasattr(openai, "DefaultAioHttpClient"):
            pytest.skip("this openai SDK offers no DefaultAioHttpClient")
        try:
            openai.DefaultAioHttpClient()
        except RuntimeError as missing:  # the SDK raises this when the extra is not installed
            pytest.skip(f"openai[aiohttp] is not installed: {missing}")
    return mode, transport


def run(server: FakeResponsesServer, case: tuple[str, str], use: Callable[[Any], Any]) -> Any:
    """``use(client)`` with a real client of this mode on this transport; its result, awaited if async."""
    mode, transport = case
    kwargs: dict[str, Any] = {"api_key": CANARY_KEY, "base_url": server.base_url, "max_retries": 0}
    if mode == "sync":
        with OpenAI(http_client=HTTP_CLIENTS[transport](False), **kwargs) as client:
            return use(client)

    async def main() -> Any:
        async with AsyncOpenAI(http_client=HTTP_CLIENTS[transport](True), **kwargs) as client:
            return await use(client)

    return anyio.run(main, backend=mode)


def create_and_poll(client: Any) -> Any:
    return client.responses.create_and_poll(model="gpt-fake", input="hi", poll_interval_ms=5)


def test_a_completed_job_returns_its_output(server: FakeResponsesServer, case: tuple[str, str]) -> None:
    server.queue_create(JobScript.completed(output_text="over the wire", polls=2, poll_after_ms=5))
    response = run(server, case, create_and_poll)
    assert response.output_text == "over the wire"
    assert server.job(response.id).polls == 3


def test_a_failed_job_carries_the_transports_response(server: FakeResponsesServer, case: tuple[str, str]) -> None:
    server.queue_create(JobScript.failed("server_error", message="boom", polls=1, poll_after_ms=5))
    with pytest.raises(openai.InternalServerError) as caught:
        run(server, case, create_and_poll)
    error = caught.value
    assert isinstance(error, ResponseServerError)
    assert type(error.response) is type(error.http_response) is RESPONSE_CLASS[case[1]]
    assert error.http_response.status_code == 200  # the poll that saw the failure succeeded as HTTP
    assert error.response.status_code == error.status_code == 500
    assert error.request_id == error.response.headers["x-request-id"] == error.http_response.headers["x-request-id"]
    assert server.job(error.response_id).polls == 2


def test_poll_of_an_existing_job(server: FakeResponsesServer, case: tuple[str, str]) -> None:
    rid = server.add_job(JobScript.completed(polls=1, poll_after_ms=5))
    response = run(server, case, lambda client: client.responses.poll(rid))
    assert (response.id, response.status) == (rid, "completed")
