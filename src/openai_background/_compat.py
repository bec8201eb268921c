"""The one place that knows which HTTP library the installed SDK speaks.

openai 3.x answers with ``httpx2`` objects; 1.x and 2.x with ``httpx`` (even when ``httpx2`` happens to be
installed beside 2.x). Rather than guess from a version string or from what is importable, ask the SDK:
``openai._types`` imports ``Response`` and ``Timeout`` from the library it uses, so that library is the
imported module whose ``Response`` is the SDK's (the SDK rewrites ``__module__`` of the names it exports,
so identity, not the name, tells). Everything else in the package uses the names defined here, so the rest
of the code has one path for every SDK major.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

# Not re-exported by openai._types, but present there on every supported SDK: the ignore is always used.
from openai._types import Response as _SDKResponse  # type: ignore[attr-defined]
from openai._types import Timeout as _SDKTimeout  # type: ignore[attr-defined]

if TYPE_CHECKING:
    # The SDK declares its cached resources (``client.responses``) as properties to type checkers; an
    # override must be one too, or pyright calls it incompatible. At run time it is what the SDK uses.
    cached_property = property
else:
    from functools import cached_property

__all__ = ["HttpResponse", "Timeout", "cached_property", "http_library", "make_tools", "synthesize_poll_response"]

HttpResponse = _SDKResponse
"""The response class the installed SDK puts on ``APIStatusError.response`` (``httpx2`` or ``httpx``)."""
Timeout = _SDKTimeout
"""The timeout class the SDK's ``timeout=`` parameters take."""

_SYNTHESIZED_PATH = "/responses/"  # a stand-in names no host: no request was sent


def http_library() -> ModuleType:
    """``httpx2`` or ``httpx``: the imported library whose ``Response`` class the SDK uses."""
    for name in ("httpx2", "httpx"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "Response", None) is HttpResponse:
            return module
    raise ImportError(f"the openai SDK speaks neither httpx2 nor httpx (its Response is {HttpResponse!r})")


def synthesize_poll_response(response_id: str, request_id: str | None) -> HttpResponse:
    """An HTTP 200 answer standing in for a poll we did not see (a bare ``Response`` given to
    ``raise_for_status``), so the exception still has the ``response`` every ``APIStatusError`` has."""
    http: Any = http_library()
    # Total over any text: a lone surrogate is percent-encoded as its bytes, a header keeps ASCII only.
    request = http.Request("GET", _SYNTHESIZED_PATH + quote(response_id.encode("utf-8", "surrogatepass"), safe=""))
    headers = {"x-request-id": request_id.encode("ascii", "backslashreplace").decode()} if request_id else {}
    return HttpResponse(200, headers=headers, request=request)


def make_tools(tools: Any) -> Any:
    """``tools`` as ``responses.parse`` sends them: pydantic function tools in the Responses shape, keeping
    their model for parsing the call's arguments. The SDK's own converter lives in ``lib`` from 3.x on, in
    the resource module before."""
    for name in ("openai.lib._response_resources", "openai.resources.responses.responses"):
        try:
            convert: Callable[[Any], Any] | None = getattr(importlib.import_module(name), "_make_tools", None)
        except ImportError:  # openai 1.x, 2.x: no lib._response_resources
            continue
        if convert is not None:
            return convert(tools)
    raise ImportError("the openai SDK has no _make_tools (the converter of responses.parse's tools)")
