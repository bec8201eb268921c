"""Client background settings: constructor keywords on the four clients, kept by ``copy``/``with_options``,
given to the SDK's own classes by ``install(...)``, read through the one accessor ``settings_of``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from _target import FORK

if FORK:
    pytest.skip("client settings belong to the openai-background package", allow_module_level=True)

import openai_background
from openai_background.modes._settings import DEFAULT_SETTINGS, BackgroundSettings, settings_of

AZURE = {"azure_endpoint": "https://example-resource.openai.azure.com", "api_version": "2025-04-01-preview"}
OURS = [
    (openai_background.OpenAI, {}),
    (openai_background.AsyncOpenAI, {}),
    (openai_background.AzureOpenAI, AZURE),
    (openai_background.AsyncAzureOpenAI, AZURE),
]
SDK = [(openai.OpenAI, {}), (openai.AsyncOpenAI, {}), (openai.AzureOpenAI, AZURE), (openai.AsyncAzureOpenAI, AZURE)]


@pytest.fixture(autouse=True)
def uninstalled() -> Iterator[None]:
    yield
    openai_background.uninstall()


@pytest.mark.parametrize(("cls", "extra"), OURS, ids=lambda c: getattr(c, "__name__", ""))
def test_a_client_without_settings_has_the_defaults_everything_off(cls: Any, extra: dict[str, Any]) -> None:
    client = cls(api_key="sk-test", **extra)
    assert settings_of(client) == DEFAULT_SETTINGS
    assert DEFAULT_SETTINGS.background_mode == "off" and not DEFAULT_SETTINGS.strict_retrieve
    assert DEFAULT_SETTINGS.max_wait_seconds is None and DEFAULT_SETTINGS.max_poll_failures == 10
    assert DEFAULT_SETTINGS.raise_on == {"failed", "cancelled"}


@pytest.mark.parametrize(("cls", "extra"), OURS, ids=lambda c: getattr(c, "__name__", ""))
def test_constructor_keywords_set_the_settings_and_copy_keeps_them(cls: Any, extra: dict[str, Any]) -> None:
    client = cls(
        api_key="sk-test",
        background_mode="wait",
        strict_retrieve=True,
        max_wait_seconds=30,
        poll_interval_ms=250,
        max_poll_failures=3,
        cancel_on_timeout=True,
        cancel_on_interrupt=True,
        raise_on=["failed"],
        **extra,
    )
    expected = BackgroundSettings("wait", True, 30, 250, 3, True, True, frozenset({"failed"}))
    assert settings_of(client) == expected
    assert settings_of(client.copy()) == expected
    copied = client.with_options(timeout=7.0, max_retries=1)
    assert settings_of(copied) == expected
    assert copied.timeout == 7.0 and copied.max_retries == 1  # the SDK's own options still work
    assert type(copied) is cls


@pytest.mark.parametrize(("cls", "extra"), OURS, ids=lambda c: getattr(c, "__name__", ""))
def test_with_options_changes_only_the_settings_it_names(cls: Any, extra: dict[str, Any]) -> None:
    client = cls(api_key="sk-test", background_mode="always", max_wait_seconds=30, **extra)
    changed = client.with_options(strict_retrieve=True, max_wait_seconds=None)
    assert settings_of(changed).background_mode == "always"
    assert settings_of(changed).strict_retrieve is True
    assert settings_of(changed).max_wait_seconds is None
    assert settings_of(client).strict_retrieve is False  # the original is untouched


@pytest.mark.parametrize(
    "bad",
    [
        {"background_mode": "sometimes"},
        {"strict_retrieve": "yes"},
        {"max_wait_seconds": -1},
        {"poll_interval_ms": float("nan")},
        {"max_poll_failures": 0},
        {"raise_on": "failed"},
        {"raise_on": ["completed"]},
        {"cancel_on_timeout": 1},
    ],
)
def test_a_bad_setting_is_a_value_error_where_the_client_is_built(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        openai_background.OpenAI(api_key="sk-test", **bad)
    with pytest.raises(ValueError):
        openai_background.install(**bad)
    assert not openai_background.installed()


def test_an_unknown_setting_in_build_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="journl"):
        DEFAULT_SETTINGS.build(journl=1)


@pytest.mark.parametrize(("cls", "extra"), SDK, ids=lambda c: getattr(c, "__name__", ""))
def test_install_gives_the_sdk_classes_the_settings_also_for_clients_built_before(
    cls: Any, extra: dict[str, Any]
) -> None:
    before = cls(api_key="sk-test", **extra)
    assert settings_of(before) == DEFAULT_SETTINGS
    openai_background.install(background_mode="wait", strict_retrieve=True, max_wait_seconds=60)
    after = cls(api_key="sk-test", **extra)
    for client in (before, after, after.with_options(max_retries=0)):
        assert settings_of(client).background_mode == "wait"
        assert settings_of(client).strict_retrieve is True
        assert settings_of(client).max_wait_seconds == 60
    openai_background.uninstall()
    assert settings_of(after) == DEFAULT_SETTINGS
    assert "_background_settings" not in vars(cls)


def test_install_without_arguments_gives_no_settings_and_a_later_call_replaces_them() -> None:
    openai_background.install()
    assert "_background_settings" not in vars(openai.OpenAI)
    assert settings_of(openai.OpenAI(api_key="sk-test")) == DEFAULT_SETTINGS
    openai_background.install(background_mode="always")
    openai_background.install(background_mode="wait")
    assert settings_of(openai.AsyncOpenAI(api_key="sk-test")).background_mode == "wait"


def test_install_settings_never_override_our_own_clients_settings() -> None:
    openai_background.install(background_mode="always", strict_retrieve=True)
    ours = openai_background.OpenAI(api_key="sk-test")
    assert settings_of(ours) == DEFAULT_SETTINGS
