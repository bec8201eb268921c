"""Hostile *bodies* for ``server.py``: huge, compressed to bombs, malformed, nested, not UTF-8, echoing secrets.

Behaviours (each stops when the client goes away or the server stops; none waits past ``HARD_CAP``):

* ``Patient(answer)``: ``answer`` with a patient socket (large bodies on a loaded machine).
* ``Streamed(status, headers, size, prefix)``: a body of ``size`` bytes, ``prefix`` then filler, written 1 MiB
  at a time and never built whole (a 200 MB answer costs the server 1 MiB).
* ``gzip_bomb_answer(inflated, prefix)``: ``content-encoding: gzip``, ~1 MB on the wire inflating to
  ``inflated`` bytes (1 GiB by default) of a JSON-looking body that never closes.
* ``huge_event_stream(size)``: an event stream whose first event never ends (``size`` bytes of one ``data:``).

Answer builders: ``raw_answer(body, content_type)`` for any bytes (``NOT_UTF8``, ``nested(100_000)``, HTML...);
``sse_answer(events)`` for an event stream of dicts or raw ``bytes`` event lines; ``sse_event``/``stream_events``
for the events of a background response that completes.
"""

from __future__ import annotations

import functools
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .server import HARD_CAP, Answer, head_bytes, response_body, send_all

__all__ = [
    "MIB",
    "NOT_UTF8",
    "Patient",
    "Streamed",
    "gzip_bomb",
    "gzip_bomb_answer",
    "huge_event_stream",
    "nested",
    "raw_answer",
    "sse_answer",
    "sse_event",
    "stream_events",
]

MIB = 1024 * 1024
NOT_UTF8 = b'{"id": "resp_1", "object": "response", "status": "completed", "x": "\xff\xfe\xc3\x28"}'
"""A completed answer whose bytes are not UTF-8."""
_FILLER = b"0" * MIB
_OPEN_RESPONSE = b'{"id": "resp_1", "object": "response", "status": "completed", "pad": "'


def nested(depth: int, rid: str = "resp_1") -> bytes:
    """A completed answer with an array nested ``depth`` deep: more than the interpreter can recurse."""
    return b'{"id": "' + rid.encode() + b'", "status": "completed", "x": ' + b"[" * depth + b"]" * depth + b"}"


def raw_answer(body: bytes, content_type: str = "application/json", status: int = 200) -> Answer:
    return Answer(status, [("content-type", content_type)], body)


SEND_TIMEOUT = 10.0
"""The server's sockets time out after 0.2 s (to notice ``stop``); a large body gets this long per write,
since a client on a loaded machine may take longer to drain a MiB. ``stop`` still ends it (shutdown)."""


@dataclass(frozen=True)
class Patient:
    """``answer``, written with ``SEND_TIMEOUT`` per write: for bodies of many MiB."""

    answer: Answer

    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        conn.settimeout(SEND_TIMEOUT)
        try:
            return self.answer.perform(conn, stop)
        finally:
            conn.settimeout(0.2)


@dataclass(frozen=True)
class Streamed:
    """A body of ``size`` bytes (``prefix``, then ``0`` filler), written a MiB at a time."""

    size: int
    prefix: bytes = _OPEN_RESPONSE
    content_type: str = "application/json"
    status: int = 200

    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        headers = [("content-type", self.content_type), ("content-length", str(self.size))]
        conn.settimeout(SEND_TIMEOUT)
        if not send_all(conn, head_bytes(self.status, headers) + self.prefix, stop):
            return False
        left, deadline = self.size - len(self.prefix), time.monotonic() + HARD_CAP
        while left > 0 and time.monotonic() < deadline:
            chunk = _FILLER[: min(left, MIB)]
            if not send_all(conn, chunk, stop):
                return False
            left -= len(chunk)
        return False


@functools.lru_cache(maxsize=4)
def gzip_bomb(inflated: int = 1024 * MIB, prefix: bytes = _OPEN_RESPONSE) -> bytes:
    """A gzip stream of ``prefix`` and ``0`` filler, ``inflated`` bytes in all, built without inflating it: after
    a sync flush the compressor is in the same state for every 1 MiB block, so one block's bytes repeat."""
    blocks = max(2, (inflated - len(prefix)) // MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(prefix) + compressor.compress(_FILLER) + compressor.flush(zlib.Z_SYNC_FLUSH)
    again = compressor.compress(_FILLER) + compressor.flush(zlib.Z_SYNC_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)[:-8]  # its trailer counts only what went through; write the real one
    crc = zlib.crc32(prefix)
    for _ in range(blocks):
        crc = zlib.crc32(_FILLER, crc)
    size = len(prefix) + blocks * MIB
    return first + again * (blocks - 1) + end + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


def gzip_bomb_answer(inflated: int = 1024 * MIB, content_type: str = "application/json") -> Patient:
    body = gzip_bomb(inflated)
    return Patient(Answer(200, [("content-type", content_type), ("content-encoding", "gzip")], body))


def sse_event(kind: str, sequence: int, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "sequence_number": sequence, **fields}


def stream_events(rid: str = "resp_1", *, response_id: object = None) -> list[dict[str, Any]]:
    """The events of a response that runs and completes; ``response_id`` replaces the id the events carry."""
    carried = rid if response_id is None else response_id
    return [
        sse_event("response.created", 0, response={**response_body(rid, "queued"), "id": carried}),
        sse_event("response.output_text.delta", 1, item_id="msg_1", output_index=0, content_index=0, delta="hi"),
        sse_event("response.completed", 2, response={**response_body(rid, "completed"), "id": carried}),
    ]


def sse_answer(events: Sequence[dict[str, Any] | bytes]) -> Answer:
    """An event stream: each dict as ``event:``/``data:`` lines; each ``bytes`` item as the raw event text."""
    parts = []
    for event in events:
        if isinstance(event, bytes):
            parts.append(event if event.endswith(b"\n\n") else event + b"\n\n")
        else:
            parts.append(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
    return Answer(200, [("content-type", "text/event-stream")], b"".join(parts))


def huge_event_stream(size: int = 200 * MIB) -> Streamed:
    prefix = b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": "'
    return Streamed(size, prefix=prefix, content_type="text/event-stream")
