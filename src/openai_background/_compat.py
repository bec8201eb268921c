"""The one place that knows which HTTP library the installed SDK speaks.

openai 3.x answers with ``httpx2`` objects; 1.x and 2.x with ``httpx``. Everything else in the package
uses the names defined here, so the rest of the code has a single path for every SDK major.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    import httpx2 as http
else:
    try:
        import httpx2 as http
    except ImportError:  # openai < 3 speaks httpx
        import httpx as http

HttpResponse = http.Response
Timeout = http.Timeout
"""The response class the installed SDK puts on ``APIStatusError.response``."""

_SYNTHESIZED_BASE = "https://api.openai.com/v1/responses/"


def synthesize_poll_response(response_id: str, request_id: str | None) -> HttpResponse:
    """An HTTP 200 answer standing in for a poll we did not see (a bare ``Response`` given to
    ``raise_for_status``), so the exception still has the ``response`` every ``APIStatusError`` has."""
    request = http.Request("GET", _SYNTHESIZED_BASE + quote(response_id, safe=""))
    headers = {"x-request-id": request_id} if request_id else {}
    return http.Response(200, headers=headers, request=request)
