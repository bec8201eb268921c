"""The HTTP library the installed SDK speaks, for tests that build its objects or mock its transport.

openai 3.x speaks ``httpx2``; 1.x and 2.x speak ``httpx`` (also when ``httpx2`` is installed beside 2.x).
Asked of the SDK by identity (``openai.Timeout`` is that library's class), not guessed from a version
string; the name would not do, since the SDK rewrites ``__module__`` of what it exports.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import openai


def _sdk_http() -> ModuleType:
    for name in ("httpx2", "httpx"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if module.Timeout is openai.Timeout:
            return module
    raise RuntimeError("the installed openai SDK speaks neither httpx2 nor httpx")


SDK_HTTP: ModuleType = _sdk_http()
"""``httpx2`` or ``httpx``: ``SDK_HTTP.Response``, ``SDK_HTTP.MockTransport``..."""

SDK_SPEAKS_HTTPX2 = SDK_HTTP.__name__ == "httpx2"
