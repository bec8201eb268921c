"""``install(background_mode=..., strict_retrieve=..., **poll options)``: the modes on the SDK's own classes,
for frameworks that build their own ``openai.OpenAI()``; ``uninstall()`` restores every class by identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import openai
import pytest
from _target import FORK
from conftest import CANARY_KEY
from openai.resources.responses import Responses as SDKResponses

if FORK:
    pytest.skip("install() belongs to the openai-background package", allow_module_level=True)

import openai_background
from openai_background.testing import FakeResponsesServer, JobScript

SDK_CLASSES = [openai.OpenAI, openai.AsyncOpenAI, openai.AzureOpenAI, openai.AsyncAzureOpenAI]


@pytest.fixture(autouse=True)
def restored() -> Iterator[None]:
    before = {cls: dict(vars(cls)) for cls in SDK_CLASSES}
    yield
    openai_background.uninstall()
    for cls in SDK_CLASSES:
        after = vars(cls)
        assert after.keys() == before[cls].keys(), cls
        assert [name for name, value in before[cls].items() if after[name] is not value] == [], cls


@pytest.mark.parametrize("mode", ["sync", "asyncio", "trio"])
def test_a_framework_built_client_waits_after_install(server: FakeResponsesServer, mode: str) -> None:
    server.queue_create(JobScript.failed("server_error", polls=1))
    server.queue_create(JobScript.completed(output_text="second try", polls=1))
    openai_background.install(background_mode="always", poll_interval_ms=5)
    kwargs = {"api_key": CANARY_KEY, "base_url": server.base_url, "max_retries": 0}

    def framework(client: Any) -> Any:  # what a framework does: create, catch the SDK's errors, retry
        try:
            return client.responses.create(model="m", input="x")
        except openai.InternalServerError:
            return client.responses.create(model="m", input="x")

    async def async_framework(client: Any) -> Any:
        try:
            return await client.responses.create(model="m", input="x")
        except openai.InternalServerError:
            return await client.responses.create(model="m", input="x")

    if mode == "sync":
        response = framework(openai.OpenAI(**kwargs))
    else:
        response = anyio.run(async_framework, openai.AsyncOpenAI(**kwargs), backend=mode)
    assert response.output_text == "second try"
    assert [job.status for job in server.jobs[-2:]] == ["failed", "completed"]


def test_strict_retrieve_after_install_raises_on_the_sdk_client(server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.cancelled())
    openai_background.install(strict_retrieve=True)
    client = openai.OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0)
    with pytest.raises(openai_background.ResponseCancelledError):
        client.responses.retrieve(rid)


def test_install_without_settings_keeps_create_and_retrieve_the_sdks(server: FakeResponsesServer) -> None:
    openai_background.install()
    client = openai.OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0)
    assert type(client.responses).create is SDKResponses.create
    assert type(client.responses).retrieve is SDKResponses.retrieve
    server.queue_create(JobScript.completed(polls=2))
    assert client.responses.create(model="m", input="x", background=True).status == "queued"


def test_uninstall_after_install_with_settings_restores_every_class() -> None:
    openai_background.install(background_mode="wait", strict_retrieve=True, max_wait_seconds=10)
    assert all(vars(cls)["_background_settings"].strict_retrieve is True for cls in SDK_CLASSES)
    openai_background.uninstall()  # the autouse fixture checks every class by identity
    assert not openai_background.installed()
