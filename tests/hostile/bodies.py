"""Hostile *bodies* for ``server.py``: huge, compressed to bombs, malformed, nested, not UTF-8, echoing secrets.

Behaviours (each stops when the client goes away or the server stops; none waits past ``HARD_CAP``):

* ``Patient(answer)``: ``answer`` with a patient socket (large bodies on a loaded machine).
* ``Streamed(status, headers, size, prefix)``: a body of ``size`` bytes, ``prefix`` then filler, written 1 MiB
  at a time and never built whole (a 200 MB answer costs the server 1 MiB); ``interval``: seconds between MiBs.
* ``gzip_bomb_answer(inflated, prefix)``: ``content-encoding: gzip``, ~1 MB on the wire inflating to
  ``inflated`` bytes (1 GiB by default) of a JSON-looking body that never closes (``closed=True``: a valid
  completed ``Response`` whose ``pad`` field holds the filler).
* ``real_answer(size, kind)``: a completed ``Response`` of about ``size`` bytes that compresses as real JSON
  does (``"text"``: words, ~4x with gzip; ``"logprobs"``: token objects, ~11x; ``"arguments"``: tool calls whose
  arguments are JSON in a string, ~10x; ``"image"``: base64, ~1.3x);
  ``gzipped_answer(body)`` serves any body with ``content-encoding: gzip``.
* ``huge_event_stream(size)``: an event stream whose first event never ends (``size`` bytes of one ``data:``).

Answer builders: ``raw_answer(body, content_type)`` for any bytes (``NOT_UTF8``, ``nested(100_000)``, HTML...);
``sse_answer(events)`` for an event stream of dicts or raw ``bytes`` event lines; ``sse_event``/``stream_events``
for the events of a background response that completes.
"""

from __future__ import annotations

import base64
import functools
import json
import random
import socket
import struct
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .server import HARD_CAP, Answer, head_bytes, pause, response_body, send_all

__all__ = [
    "MIB",
    "NOT_UTF8",
    "Patient",
    "Streamed",
    "gzip_bomb",
    "gzip_bomb_answer",
    "gzipped_answer",
    "huge_event_stream",
    "nested",
    "raw_answer",
    "real_answer",
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
    interval: float = 0.0

    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        headers = [("content-type", self.content_type), ("content-length", str(self.size))]
        conn.settimeout(SEND_TIMEOUT)
        if not send_all(conn, head_bytes(self.status, headers) + self.prefix, stop):
            return False
        left, deadline = self.size - len(self.prefix), time.monotonic() + HARD_CAP
        while left > 0 and time.monotonic() < deadline:
            chunk = _FILLER[: min(left, MIB)]
            if not send_all(conn, chunk, stop) or (self.interval and not pause(self.interval, stop)):
                return False
            left -= len(chunk)
        return False


@functools.lru_cache(maxsize=4)
def gzip_bomb(inflated: int = 1024 * MIB, prefix: bytes = _OPEN_RESPONSE, suffix: bytes = b"") -> bytes:
    """A gzip stream of ``prefix``, ``0`` filler and ``suffix``, about ``inflated`` bytes in all, built without
    inflating it: after a sync flush the compressor is in the same state for every 1 MiB block, so one block's
    bytes repeat."""
    blocks = max(2, (inflated - len(prefix)) // MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(prefix) + compressor.compress(_FILLER) + compressor.flush(zlib.Z_SYNC_FLUSH)
    again = compressor.compress(_FILLER) + compressor.flush(zlib.Z_SYNC_FLUSH)
    end = (compressor.compress(suffix) + compressor.flush(zlib.Z_FINISH))[:-8]  # the trailer: written below
    crc = zlib.crc32(prefix)
    for _ in range(blocks):
        crc = zlib.crc32(_FILLER, crc)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + blocks * MIB + len(suffix)
    return first + again * (blocks - 1) + end + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


def gzip_bomb_answer(
    inflated: int = 1024 * MIB, content_type: str = "application/json", *, closed: bool = False
) -> Patient:
    body = gzip_bomb(inflated, suffix=b'"}' if closed else b"")
    return Patient(Answer(200, [("content-type", content_type), ("content-encoding", "gzip")], body))


_WORDS = (  # noqa: SIM905
    "the model answer background response poll server client token output text json value field item message "
    "result error status request memory limit stream event image audio file search code call function tool data "
    "table report summary chapter section figure analysis method sample measure number value unit time second"
).split()


@functools.lru_cache(maxsize=8)
def _text_block(seed: int) -> str:
    """1 MiB of words picked at random: gzip shrinks it about 3x, as it does prose."""
    rng = random.Random(seed)
    words = rng.choices(_WORDS, k=MIB // 5)
    return " ".join(f"{word}{rng.randrange(1000)}" if rng.random() < 0.2 else word for word in words)[:MIB]


@functools.lru_cache(maxsize=8)
def _logprobs_block(seed: int) -> tuple[dict[str, Any], ...]:
    """About 1 MiB of ``logprobs`` token objects, as ``include=["message.output_text.logprobs"]`` adds."""
    rng = random.Random(seed)
    tokens = []
    for _ in range(MIB // 85):
        word = rng.choice(_WORDS)
        tokens.append({"token": word, "bytes": list(word.encode()), "logprob": round(-rng.random() * 3, 6)})
    return tuple(tokens)


@functools.lru_cache(maxsize=8)
def _arguments_block(seed: int) -> str:
    return json.dumps(list(_logprobs_block(seed)))


@functools.lru_cache(maxsize=2)
def real_answer(size: int, kind: str = "text", rid: str = "resp_1") -> bytes:
    """A completed ``Response`` (JSON) of about ``size`` bytes that compresses like real answers of ``kind``."""

    items = []
    for index in range(max(1, size // MIB)):
        part: dict[str, Any] = {"type": "output_text", "annotations": [], "text": ""}
        if kind == "arguments":
            arguments = _arguments_block(index % 8)
            items.append({"type": "function_call", "id": f"fc_{index}", "call_id": f"call_{index}",
                          "name": "record", "arguments": arguments, "status": "completed"})  # fmt: skip
            continue
        if kind == "text":
            part["text"] = _text_block(index % 8)
        elif kind == "logprobs":
            part["logprobs"] = list(_logprobs_block(index % 8))
        else:
            part["text"] = base64.b64encode(random.Random(index).randbytes(MIB * 3 // 4)).decode()
        items.append({"type": "message", "id": f"msg_{index}", "status": "completed", "role": "assistant",
                      "content": [part]})  # fmt: skip
    return json.dumps({**response_body(rid, "completed"), "output": items}).encode()


@functools.lru_cache(maxsize=2)
def _gzip(body: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()


def gzipped_answer(body: bytes) -> Patient:
    """``body`` (JSON) sent with ``content-encoding: gzip``, compressed at gzip's default level."""
    headers = [("content-type", "application/json"), ("content-encoding", "gzip")]
    return Patient(Answer(200, headers, _gzip(body)))


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
