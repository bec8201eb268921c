"""Real frameworks, end to end, against the loopback fake server (issue 13, point 6).

Collected only when ``OPENAI_BACKGROUND_INTEGRATIONS=1`` (set by ``nox -s integrations`` and
``nox -s integrations_openai2``, which install the pinned frameworks): the normal suite never imports them.
When the variable is set every module here must import, so a broken install fails instead of skipping.

No network but loopback: every framework's telemetry is switched off before it is imported, litellm reads its
bundled cost map, and a guard installed at import time refuses (and records) any connect or name lookup outside
127.0.0.1 / ::1. Each test fails if anything tried, so a framework that quietly swallows the refusal is still caught.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from openai_background.testing import FakeResponsesServer

ENABLED = os.environ.get("OPENAI_BACKGROUND_INTEGRATIONS") == "1"
if not ENABLED:
    collect_ignore_glob = ["test_*.py"]  # and nothing below: the normal suite's sockets stay untouched
else:
    # Before any framework is imported (test modules import them after this conftest).
    os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"  # openai-agents: no trace export to api.openai.com
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # litellm: the bundled cost map, not a download
    os.environ.pop("LITELLM_TELEMETRY_GROUPS", None)  # litellm: telemetry is its proxy's, opt-in through this
    os.environ.pop("INSPECT_TELEMETRY", None)  # inspect-ai: telemetry is opt-in through this variable
    os.environ["AGNO_TELEMETRY"] = "false"  # agno: no run telemetry to its API (the tests also pass telemetry=False)
    os.environ["OPENAI_API_KEY"] = "sk-test"  # frameworks that read the key themselves; never a real one
    for _name in ("OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        os.environ.pop(_name, None)
    from ._harness import OUTSIDE  # after the environment is set: importing it installs the guard


@pytest.fixture(autouse=True)
def nothing_leaves_the_machine() -> Iterator[None]:
    """Fails the test if it (or an import before it) tried to reach anything but loopback."""
    tried_before = list(OUTSIDE)
    OUTSIDE.clear()
    yield
    assert not tried_before, f"tried to leave the machine while importing: {tried_before}"
    assert not OUTSIDE, f"tried to leave the machine: {OUTSIDE}"


@pytest.fixture
def install_modes() -> Iterator[Callable[..., None]]:
    """``install_modes(background_mode=..., strict_retrieve=..., **poll options)``: ``openai_background.install``
    for this test only (``uninstall()`` after it), for frameworks that build their own client."""
    import openai_background

    yield lambda **options: openai_background.install(**options)
    openai_background.uninstall()


@pytest.fixture
def server() -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer() as fake:
        yield fake
