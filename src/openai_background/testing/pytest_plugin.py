"""pytest fixtures: a loopback fake Responses API and clients pointed at it. No API key, no network.

Opt in where you need it, in the top-level ``conftest.py`` (or in one test module)::

    pytest_plugins = ["openai_background.testing.pytest_plugin"]

or on the command line: ``pytest -p openai_background.testing.pytest_plugin``. The plugin is not
registered through a ``pytest11`` entry point on purpose: loading it imports ``openai_background`` and so
``openai``, which would slow down every pytest session in any environment where the package is installed,
and its fixture names would be defined in projects that never asked for them. Loaded, it defines no hooks,
options or markers and starts nothing until a test asks for one of its fixtures.

Fixtures (each per test):

``fake_responses_server``
    A started :class:`~openai_background.testing.FakeResponsesServer`; script what the next
    ``responses.create`` gets with ``queue_create(JobScript...)``, then read ``jobs`` / ``requests``.
``background_client``
    An ``openai_background.OpenAI`` pointed at that server, with a dummy API key and the SDK's default
    retries and transport.
``async_background_client``
    The same as an ``openai_background.AsyncOpenAI``. It is a plain (sync) fixture, so it works under
    pytest-asyncio, anyio (asyncio and trio) or ``asyncio.run`` inside a test. Its connection pool keeps
    no idle connection, so nothing is left bound to the event loop that ends with the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import pytest
from openai import DefaultAsyncHttpxClient

from .. import AsyncOpenAI, OpenAI
from .._compat import http_library
from ._server import FakeResponsesServer

__all__ = ["FAKE_API_KEY", "async_background_client", "background_client", "fake_responses_server"]

FAKE_API_KEY: Final = "sk-fake-openai-background-test-kit"
"""The API key the fixtures' clients send; the fake server accepts any key."""


@pytest.fixture
def fake_responses_server() -> Iterator[FakeResponsesServer]:
    """A started loopback fake Responses server, stopped after the test."""
    with FakeResponsesServer() as server:
        yield server


@pytest.fixture
def background_client(fake_responses_server: FakeResponsesServer) -> Iterator[OpenAI]:
    """An ``openai_background.OpenAI`` for ``fake_responses_server``, closed after the test."""
    with OpenAI(api_key=FAKE_API_KEY, base_url=fake_responses_server.base_url) as client:
        yield client


@pytest.fixture
def async_background_client(fake_responses_server: FakeResponsesServer) -> AsyncOpenAI:
    """An ``openai_background.AsyncOpenAI`` for ``fake_responses_server``, usable from any event loop."""
    # No keep-alive: a pooled connection would belong to the test's event loop, which is gone at teardown.
    limits = http_library().Limits(max_connections=1000, max_keepalive_connections=0)  # httpx2 or httpx
    http_client = DefaultAsyncHttpxClient(limits=limits)
    return AsyncOpenAI(api_key=FAKE_API_KEY, base_url=fake_responses_server.base_url, http_client=http_client)
