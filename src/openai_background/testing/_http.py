"""Minimal HTTP/1.1 wire format for the fake server: read requests, write replies.

Only what the fake needs: a request line, headers, a ``Content-Length`` (or
chunked) body, keep-alive by default with ``Connection: close`` honoured.
"""

from __future__ import annotations

import asyncio
import http
import json
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BadRequest", "RecordedRequest", "Reply", "read_request", "write_reply"]

# Announced in full, sent in half, by ``Answer.drop(after_headers=True)``.
_TRUNCATED = b'{"id": "resp_fake_truncated", "object": "response", "status": "completed"}'


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str  #: without the query string
    query: str  #: raw query string, without ``?`` ("" when absent)
    headers: dict[str, str]  #: lower-case names; repeated headers joined with ", "
    body: bytes
    received_at: float  #: ``time.monotonic()`` when the request line arrived
    connection_id: int  #: serial number of the TCP connection it came on (1, 2, ...)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class Reply:
    """A rendered answer, ready to be written to the socket."""

    status_code: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict[str, str])
    delay: float = 0.0  #: seconds to wait before writing anything
    drop: bool = False  #: close instead of answering
    after_headers: bool = False  #: with ``drop``: send the head and half a body first
    state: dict[str, Any] | None = None  #: the Response body, for state answers


class BadRequest(Exception):
    """The bytes received are not an HTTP/1.x request the fake understands."""


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"x", 16)
        if size == 0:
            while (await reader.readline()).strip():
                pass  # trailers
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def read_request(reader: asyncio.StreamReader, connection_id: int) -> tuple[RecordedRequest, bool] | None:
    """Read one request: ``(request, keep_alive)``, or ``None`` at end of stream.

    Raises :class:`BadRequest` (or ``ValueError``) on malformed input and
    ``asyncio.IncompleteReadError`` when the body is cut short.
    """
    line = await reader.readline()
    while line in (b"\r\n", b"\n"):
        line = await reader.readline()
    if not line:
        return None
    received_at = time.monotonic()
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(line)
    method, target, version = parts
    headers: dict[str, str] = {}
    while (raw := await reader.readline()).strip():
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise BadRequest(raw)
        key, value = name.strip().lower(), value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    if not raw:
        return None  # end of stream inside the headers
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    path, _, query = target.partition("?")
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    request = RecordedRequest(method, path, query, headers, body, received_at, connection_id)
    return request, keep_alive


async def write_reply(writer: asyncio.StreamWriter, reply: Reply, request_id: str, keep_alive: bool) -> bool:
    """Write ``reply`` (a drop writes at most a truncated answer).

    Returns whether the connection stays open.  ``reply.delay`` must already
    have been waited for.
    """
    if reply.drop and not reply.after_headers:
        return False
    headers = {"x-request-id": request_id} | reply.headers
    body = _TRUNCATED if reply.drop else reply.body
    headers["content-length"] = str(len(body))
    if reply.drop:
        headers.setdefault("content-type", "application/json")
        body, keep_alive = body[: len(body) // 2], False
    if not keep_alive:
        headers["connection"] = "close"
    try:
        phrase = http.HTTPStatus(reply.status_code).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"HTTP/1.1 {reply.status_code} {phrase}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()
    return keep_alive
