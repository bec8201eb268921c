"""Where the examples send their requests: the real API when OPENAI_API_KEY is set, else a loopback fake.

Not part of what the examples teach. Without an API key, ``real_or_fake_api(...)`` starts the test kit's
``FakeResponsesServer``, queues the outcomes the example wants to show (one per ``create``, in order) and
points ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` at it, so the example's plain ``OpenAI()`` talks to it:
no key, no network, and every failure the example handles really happens.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from openai_background.testing import FakeResponsesServer, JobScript

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4.1-mini")
FAST_POLLS_MS = 20  # the fake jobs hint a 20 ms poll interval, so the examples finish at once


@contextmanager
def real_or_fake_api(*outcomes: JobScript) -> Iterator[bool]:
    """Yields True when the examples run against the fake server (no OPENAI_API_KEY)."""
    if os.environ.get("OPENAI_API_KEY"):
        print(f"[OPENAI_API_KEY is set: using the real API, model {MODEL}]", file=sys.stderr)
        yield False
        return
    saved = {name: os.environ.get(name) for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    with FakeResponsesServer() as server:
        for script in outcomes:
            server.queue_create(script.with_create_hint(FAST_POLLS_MS))
        os.environ["OPENAI_API_KEY"] = "sk-fake-examples"
        os.environ["OPENAI_BASE_URL"] = server.base_url
        print("[no OPENAI_API_KEY: using the loopback fake server]", file=sys.stderr)
        try:
            yield True
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
