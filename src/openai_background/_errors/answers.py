"""Reading a poll's HTTP answer as the ``Response`` asked for, or a typed ``ResponseMalformedError``.

Every answer the helpers read passes here: a body that is not JSON, not a JSON object, or the answer for
another response (or for none) is an error that names the response, never a ``KeyError`` further on.
"""

from __future__ import annotations

from typing import Protocol

from openai import APIResponseValidationError
from openai.types.responses import Response

from .._compat import HttpResponse
from .dispatch import MAX_TEXT_IN_MESSAGE, as_text, safe_repr, shorten
from .exceptions import ResponseMalformedError

__all__ = ["RawResponse", "check_answer_id", "malformed_answer_error", "parse_answer"]


class RawResponse(Protocol):
    """What ``client.responses.with_raw_response.retrieve(...)`` returns, as far as we use it."""

    @property
    def http_response(self) -> HttpResponse: ...

    def parse(self) -> object: ...


def parse_answer(raw: RawResponse, *, response_id: str | None) -> Response:
    """The ``Response`` in a poll's answer; ``ResponseMalformedError`` when the body is not one.

    ``raw`` may be an answer read within the size ceiling (``_bounded.BoundedAnswer``): its ``body`` holds the
    bytes read, since its HTTP response was streamed and keeps no content."""
    http_response = raw.http_response
    body = getattr(raw, "body", None)
    body = body if isinstance(body, bytes) else None
    try:
        parsed = raw.parse()
    except ResponseMalformedError:
        raise
    except APIResponseValidationError as exc:  # a client built with _strict_response_validation=True
        why = "its body does not validate as a Response (the client validates strictly)"
        raise malformed_answer_error(response_id, http_response, why, body=body) from exc
    except Exception as exc:  # undecodable JSON, too deep (RecursionError)
        raise malformed_answer_error(response_id, http_response, "its body is not valid JSON", body=body) from exc
    if not isinstance(parsed, Response):
        raise malformed_answer_error(response_id, http_response, "its body is not a JSON object", body=body)
    return parsed


def check_answer_id(result: Response, rid: str, http_response: HttpResponse, *, body: bytes | None = None) -> None:
    """``ResponseMalformedError`` unless ``result`` is the answer for ``rid``: another id, a number, null or a
    missing id all mean the answer is not the one asked for."""
    found = getattr(result, "id", None)
    if found != rid or not isinstance(found, str):
        why = "it names no response" if found is None else f"it is the answer for another response, {safe_repr(found)}"
        raise malformed_answer_error(rid, http_response, why, body=body)


def malformed_answer_error(
    response_id: str | None, http_response: HttpResponse, why: str, *, body: bytes | None = None
) -> ResponseMalformedError:
    """``ResponseMalformedError`` for an answer that cannot be read as the response asked for. ``body``: the
    bytes read (default: the HTTP response's content, if it was read); ``err.body`` quotes at most
    ``MAX_TEXT_IN_MESSAGE`` characters of it, decoded from its first bytes only."""
    rid = response_id or "<no id>"
    content_type = as_text(http_response.headers.get("content-type")) or "no content type"
    if body is None:
        body = _content_of(http_response)
    size = "" if body is None else f", {len(body)} bytes"
    return ResponseMalformedError(
        f"The answer for background response {shorten(rid)} could not be read: {why} "
        f"(HTTP {http_response.status_code}, {shorten(content_type)}{size})",
        response=http_response,
        body=None if body is None else _preview(body),
        response_id=rid,
        status=None,
        final_response=None,
        content=body,  # err.response's body: the bytes read, even where the answer was streamed
    )


def _content_of(http_response: HttpResponse) -> bytes | None:
    try:
        return http_response.content  # a streamed response that was not read raises
    except Exception:
        return None


def _preview(body: bytes) -> str:
    """At most ``MAX_TEXT_IN_MESSAGE`` characters of ``body``, decoding only its first bytes (a 100 MiB body
    is not decoded to show 500 characters of it)."""
    head = body[: MAX_TEXT_IN_MESSAGE * 4].decode("utf-8", errors="replace")
    if len(head) <= MAX_TEXT_IN_MESSAGE and len(body) <= MAX_TEXT_IN_MESSAGE * 4:
        return head
    return f"{head[:MAX_TEXT_IN_MESSAGE]}... [{len(body)} bytes in all]"
