"""Server-sent events for the fake server: a job's stream, rendered and written one event at a time.

``stream_reply`` (under the server's lock) renders the events a stream request gets; ``write_events``
(on the loop, no lock) writes them as a chunked ``text/event-stream`` body, draining after each event so
each one reaches the client at once (the sockets have TCP_NODELAY).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from ._http import Reply
from ._jobs import FakeJob, render, response_body
from ._script import Answer
from ._stream_script import StreamScript, split_text

__all__ = ["StreamReply", "stream_events", "stream_reply", "wants_stream", "write_events"]

MAX_HOLD: float = 60.0
"""Seconds a stream of a job that never ends stays open, silent, before the server gives up."""

_TERMINAL_EVENTS = {"completed": "response.completed", "failed": "response.failed", "incomplete": "response.incomplete"}


@dataclass
class StreamReply(Reply):
    """A reply whose body is a stream of events, written one at a time."""

    events: tuple[bytes, ...] = ()
    cut: int | None = None  #: stop after this many events
    clean: bool = False  #: a cut ends the body properly instead of breaking the connection
    interval: float = 0.0
    hold: bool = False  #: after the last event, keep the body open (a job still running)


def wants_stream(query: str) -> bool:
    """Whether a GET's query string asks for the event stream (``stream=true``)."""
    return parse_qs(query).get("stream", [""])[-1].lower() == "true"


def stream_events(job: FakeJob) -> tuple[list[dict[str, Any]], bool]:
    """Every event of ``job``'s stream, numbered from 0, and whether the stream stays open after them."""
    script: StreamScript = job.script.stream
    last = Answer.state("cancelled") if job.cancelled else job.script.answers[-1]
    status = last.status if last.kind == "state" else "in_progress"
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": response_body(Answer.state("queued"), job)},
        {"type": "response.in_progress", "response": response_body(Answer.state("in_progress"), job)},
    ]
    text = last.output_text if last.kind == "state" else None
    pieces = split_text(text or "", script.deltas)
    if text is not None and pieces:
        events += _text_events(job, text, pieces)
    hold = False
    if script.error is not None:
        error = dict(script.error)
        events.append({"type": "error", "error": error} if script.nested_error else {"type": "error", **error})
    elif status in _TERMINAL_EVENTS:
        events.append({"type": _TERMINAL_EVENTS[status], "response": response_body(last, job)})
    else:
        hold = status != "cancelled"
    for number, event in enumerate(events):
        event["sequence_number"] = number
    return events, hold


def _text_events(job: FakeJob, text: str, pieces: Sequence[str]) -> list[dict[str, Any]]:
    item_id = "msg_" + job.id.removeprefix("resp_")
    where = {"item_id": item_id, "output_index": 0, "content_index": 0}
    part: dict[str, Any] = {"type": "output_text", "text": text, "annotations": []}
    item: dict[str, Any] = {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": "in_progress",
        "content": [],
    }
    done_item: dict[str, Any] = {**item, "status": "completed", "content": [part]}
    return [
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        {"type": "response.content_part.added", **where, "part": {**part, "text": ""}},
        *({"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []} for piece in pieces),
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": done_item},
    ]


def stream_reply(job: FakeJob, query: str) -> Reply:
    """The answer to one stream request for ``job`` (the server holds its lock)."""
    script: StreamScript = job.script.stream
    attempt = job.streams
    job.streams += 1
    if script.refuse is not None:
        return render(script.refuse, job)
    events, hold = stream_events(job)
    after = _starting_after(query)
    if after is not None and not script.replay:
        events = [event for event in events if event["sequence_number"] > after]
    cut = script.drops[attempt] if attempt < len(script.drops) else None
    encoded = tuple(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode() for event in events)
    headers = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
    return StreamReply(
        200, headers=headers, events=encoded, cut=cut, clean=script.end_cleanly, interval=script.interval, hold=hold
    )


def _starting_after(query: str) -> int | None:
    values = parse_qs(query).get("starting_after")
    try:
        return int(values[-1]) if values else None
    except ValueError:
        return None


async def write_events(writer: asyncio.StreamWriter, reply: StreamReply, request_id: str, keep_alive: bool) -> bool:
    """Write ``reply``'s head, then each event as one chunk; returns whether the connection stays open."""
    headers = {"x-request-id": request_id, **reply.headers, "transfer-encoding": "chunked"}
    if not keep_alive:
        headers["connection"] = "close"
    head = "HTTP/1.1 200 OK\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    writer.write(head.encode("latin-1"))
    await writer.drain()
    for count, event in enumerate(reply.events):
        if count == reply.cut:
            return await _finish(writer, keep_alive) if reply.clean else False
        if reply.interval > 0:
            await asyncio.sleep(reply.interval)
        writer.write(b"%x\r\n%s\r\n" % (len(event), event))
        await writer.drain()
    if reply.cut == len(reply.events):
        return await _finish(writer, keep_alive) if reply.clean else False
    if reply.hold:
        await _hold(writer)
        return False
    return await _finish(writer, keep_alive)


async def _finish(writer: asyncio.StreamWriter, keep_alive: bool) -> bool:
    writer.write(b"0\r\n\r\n")
    await writer.drain()
    return keep_alive


async def _hold(writer: asyncio.StreamWriter) -> None:
    """Keep a silent stream open until the client leaves, the server stops, or ``MAX_HOLD`` passes."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + MAX_HOLD
    while not writer.transport.is_closing() and loop.time() < give_up:
        await asyncio.sleep(0.05)
