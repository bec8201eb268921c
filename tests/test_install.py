"""``install()`` / ``uninstall()``: the SDK's own client classes, patched in place and restored exactly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import openai
import pytest
from _sdk_http import SDK_HTTP
from _target import FORK, ResponseServerError
from conftest import CANARY_KEY, ScriptedAPI, failed, state
from openai import OpenAI as OpenAIImportedBeforeInstall
from openai.resources.responses import AsyncResponses as SDKAsyncResponses
from openai.resources.responses import Responses as SDKResponses

if FORK:
    pytest.skip("install() belongs to the openai-background package, not to the forked SDK", allow_module_level=True)

import openai_background

SDK_CLASSES = [openai.OpenAI, openai.AsyncOpenAI, openai.AzureOpenAI, openai.AsyncAzureOpenAI]
PATCHED_NAMES = ("responses", "_make_background_failure_error")
AZURE = {"azure_endpoint": "https://example-resource.openai.azure.com", "api_version": "2025-04-01-preview"}


def class_attributes() -> dict[type, dict[str, object]]:
    """Each SDK client class's own namespace, by identity of its values."""
    return {cls: dict(vars(cls)) for cls in SDK_CLASSES}


@pytest.fixture(autouse=True)
def restored() -> Iterator[None]:
    """Every test starts uninstalled and leaves the SDK as it found it, whatever the test did."""
    assert not openai_background.installed()
    before = class_attributes()
    yield
    openai_background.uninstall()
    assert_same_namespaces(before, class_attributes())


def assert_same_namespaces(before: dict[type, dict[str, object]], after: dict[type, dict[str, object]]) -> None:
    for cls in SDK_CLASSES:
        assert after[cls].keys() == before[cls].keys(), cls
        changed = [name for name, value in before[cls].items() if after[cls][name] is not value]
        assert changed == [], cls


def build(cls: type, api: ScriptedAPI) -> Any:
    """An instance of an SDK client class on the SDK's mock transport answering from ``api``."""
    is_async = issubclass(cls, openai.AsyncOpenAI)
    transport = SDK_HTTP.MockTransport(api.handler(SDK_HTTP))
    http_client = SDK_HTTP.AsyncClient(transport=transport) if is_async else SDK_HTTP.Client(transport=transport)
    extra = AZURE if issubclass(cls, (openai.AzureOpenAI, openai.AsyncAzureOpenAI)) else {"base_url": "http://t/v1"}
    return cls(api_key=CANARY_KEY, max_retries=0, http_client=http_client, **extra)


def outcome(client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """``client.responses.<method>(...)``, awaited on asyncio for an async client; its result or exception."""
    call = getattr(client.responses, method)
    try:
        if not isinstance(client, openai.AsyncOpenAI):
            return call(*args, **kwargs)

        async def main() -> Any:
            return await call(*args, **kwargs)

        return anyio.run(main)
    except Exception as error:
        return error


@pytest.mark.parametrize("cls", SDK_CLASSES, ids=lambda cls: cls.__name__)
def test_clients_built_after_install_raise_for_a_failed_job(cls: type, api: ScriptedAPI) -> None:
    api.gets = [failed("server_error")]
    openai_background.install()
    client = build(cls, api)
    error = outcome(client, "poll", "resp_1")
    assert isinstance(error, ResponseServerError)
    assert isinstance(error, openai.InternalServerError)
    assert error.response_id == "resp_1"
    assert client._make_background_failure_error is not None


@pytest.mark.parametrize("cls", SDK_CLASSES, ids=lambda cls: cls.__name__)
def test_create_and_poll_works_on_installed_sdk_clients(cls: type, api: ScriptedAPI) -> None:
    api.gets = [state("completed")]
    openai_background.install()
    response = outcome(build(cls, api), "create_and_poll", model="gpt-fake", input="hi")
    assert response.status == "completed"
    assert [method for method, *_ in api.requests] == ["POST", "GET"]


def test_a_name_imported_before_install_benefits(api: ScriptedAPI) -> None:
    api.gets = [failed("server_error")]
    openai_background.install()
    client = build(OpenAIImportedBeforeInstall, api)
    assert isinstance(outcome(client, "poll", "resp_1"), ResponseServerError)


def test_a_framework_subclass_defined_before_install_benefits(api: ScriptedAPI) -> None:
    class FrameworkClient(openai.OpenAI):
        pass

    api.gets = [failed("rate_limit_exceeded")]
    openai_background.install()
    assert isinstance(outcome(build(FrameworkClient, api), "poll", "resp_1"), openai.RateLimitError)


def test_copies_made_with_with_options_keep_poll(api: ScriptedAPI) -> None:
    api.gets = [failed("server_error")]
    openai_background.install()
    copy = build(openai.OpenAI, api).with_options(max_retries=0)
    assert isinstance(outcome(copy, "poll", "resp_1"), ResponseServerError)


@pytest.mark.parametrize("cls", SDK_CLASSES, ids=lambda cls: cls.__name__)
def test_retrieve_is_untouched(cls: type, api: ScriptedAPI) -> None:
    api.gets = [failed("server_error")]
    openai_background.install()
    client = build(cls, api)
    sdk_resource = SDKAsyncResponses if issubclass(cls, openai.AsyncOpenAI) else SDKResponses
    assert type(client.responses).retrieve is sdk_resource.retrieve
    result = outcome(client, "retrieve", "resp_1")
    assert result.status == "failed"  # returned, not raised: only poll and create_and_poll raise
    assert result.error.code == "server_error"


def test_install_is_idempotent() -> None:
    before = class_attributes()
    openai_background.install()
    once = class_attributes()
    openai_background.install()
    assert_same_namespaces(once, class_attributes())
    assert openai_background.installed()
    openai_background.uninstall()  # one uninstall undoes any number of installs
    assert not openai_background.installed()
    assert_same_namespaces(before, class_attributes())


def test_install_adds_only_the_two_attributes() -> None:
    before = class_attributes()
    openai_background.install()
    after = class_attributes()
    for cls in SDK_CLASSES:
        added_or_changed = {name for name, value in after[cls].items() if before[cls].get(name) is not value}
        assert added_or_changed == set(PATCHED_NAMES), cls


def test_uninstall_restores_the_originals_exactly(api: ScriptedAPI) -> None:
    sdk_responses = vars(openai.OpenAI)["responses"]
    openai_background.install()
    openai_background.uninstall()
    assert vars(openai.OpenAI)["responses"] is sdk_responses
    assert "responses" not in vars(openai.AzureOpenAI)  # inherited before, inherited again
    client = build(openai.OpenAI, api)
    assert type(client.responses) is SDKResponses
    assert not hasattr(client, "_make_background_failure_error")


def test_uninstall_without_install_does_nothing() -> None:
    before = class_attributes()
    openai_background.uninstall()
    assert_same_namespaces(before, class_attributes())


def test_the_package_clients_do_not_depend_on_install(api: ScriptedAPI) -> None:
    api.gets = [failed("server_error")]
    openai_background.install()
    openai_background.uninstall()
    assert isinstance(outcome(build(openai_background.OpenAI, api), "poll", "resp_1"), ResponseServerError)
