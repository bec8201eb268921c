"""``AzureOpenAI`` / ``AsyncAzureOpenAI``: the SDK's Azure clients, constructed the Azure way, that poll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import openai
import pytest
from _sdk_http import SDK_HTTP
from _target import AsyncAzureOpenAI, AzureOpenAI, ResponseServerError
from conftest import CANARY_KEY, FakeClock, ScriptedAPI, failed, state

ENDPOINT = "https://example-resource.openai.azure.com"
API_VERSION = "2025-04-01-preview"
MODES = ("sync", "asyncio", "trio")


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run_azure(mode: str, api: ScriptedAPI, clock: FakeClock, use: Callable[[Any], Any]) -> tuple[Any, list[Any]]:
    """``use(client)`` with an Azure client of this mode on the SDK's mock transport; (result, requests)."""
    seen: list[Any] = []
    answer = api.handler(SDK_HTTP)

    def handle(request: Any) -> Any:
        seen.append(request)
        return answer(request)

    transport = SDK_HTTP.MockTransport(handle)
    kwargs: dict[str, Any] = {
        "azure_endpoint": ENDPOINT,
        "api_version": API_VERSION,
        "api_key": CANARY_KEY,
        "max_retries": 0,
    }
    if mode == "sync":
        client = AzureOpenAI(http_client=SDK_HTTP.Client(transport=transport), **kwargs)
        client.responses._sleep = clock.sleep
        return use(client), seen

    async def main() -> Any:
        client = AsyncAzureOpenAI(http_client=SDK_HTTP.AsyncClient(transport=transport), **kwargs)
        client.responses._sleep = clock.async_sleep
        return await use(client)

    return anyio.run(main, backend=mode), seen


def test_azure_clients_are_the_sdks_azure_clients() -> None:
    assert issubclass(AzureOpenAI, openai.AzureOpenAI)
    assert issubclass(AsyncAzureOpenAI, openai.AsyncAzureOpenAI)


def test_poll_waits_on_the_azure_deployment_url(mode: str, api: ScriptedAPI, clock: FakeClock) -> None:
    api.gets = [state("in_progress", hint_ms=250), state("completed")]
    response, seen = run_azure(mode, api, clock, lambda client: client.responses.poll("resp_1"))
    assert response.status == "completed"
    assert clock.sleeps == [0.25]
    assert [(r.method, r.url.path, r.url.params["api-version"]) for r in seen] == [
        ("GET", "/openai/responses/resp_1", API_VERSION)
    ] * 2
    assert all(r.headers["api-key"] == CANARY_KEY for r in seen)


def test_a_failed_azure_job_raises_the_sdk_family(mode: str, api: ScriptedAPI, clock: FakeClock) -> None:
    api.gets = [failed("server_error")]
    with pytest.raises(openai.InternalServerError) as caught:
        run_azure(mode, api, clock, lambda client: client.responses.poll("resp_1"))
    assert isinstance(caught.value, ResponseServerError)
    assert caught.value.response_id == "resp_1"


def test_create_and_poll_creates_in_background_on_azure(mode: str, api: ScriptedAPI, clock: FakeClock) -> None:
    api.gets = [state("completed")]
    response, seen = run_azure(
        mode, api, clock, lambda client: client.responses.create_and_poll(model="my-deployment", input="hi")
    )
    assert response.status == "completed"
    create = seen[0]
    assert (create.method, create.url.path, create.url.params["api-version"]) == (
        "POST",
        "/openai/responses",
        API_VERSION,
    )
    assert b'"background":true' in create.content.replace(b" ", b"")
