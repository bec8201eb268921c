"""A hostile HTTP/1.1 server on 127.0.0.1: raw sockets, one thread per connection, every stall capped.

Each request is answered by a *behaviour* chosen by the test. The server reads the request (request line,
headers, a ``content-length`` or chunked body), records it, asks ``handler(request)`` what to do, and lets the
behaviour write to the socket. Nothing here can hang a test: every wait is cut at ``HARD_CAP`` seconds, and
``stop()`` (or leaving the ``with`` block) closes the listening socket and every open connection, which ends
every behaviour at once.

API::

    with HostileServer(handler) as server:        # handler: Callable[[Request], Behaviour]
        client = OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        ...
        server.requests                            # list[Request], in arrival order (thread-safe copy)

    HostileServer(script([b1, b2, ...]))           # successive requests get b1, b2, ...; the last repeats
    HostileServer(route(get=..., cancel=..., post=...))   # by kind of request; each value a behaviour or a handler

Behaviours (frozen dataclasses with ``perform(conn, stop) -> bool``; return True to keep the connection alive):

* ``Answer(status, headers, body)``: a complete answer; ``body`` is bytes, ``headers`` a sequence of
  ``(name, value)`` pairs sent verbatim (absurd values welcome: ``("openai-poll-after-ms", "1e13")``).
  ``content-length`` is added unless given. ``json_answer(obj, status=200, headers=())`` builds one;
  ``response_answer(rid, status, headers=())`` builds one holding a minimal ``Response``.
* ``Stall(seconds)``: read the request, never answer, close after ``seconds`` (capped at ``HARD_CAP``).
* ``Drip(answer, interval, chunk=1)``: send ``answer``'s bytes ``chunk`` at a time, ``interval`` s apart.
* ``Reset()``: close the connection with an RST (SO_LINGER 0) without answering.
* ``Close()``: close the connection cleanly without answering.
* ``Delay(seconds, then)``: wait, then perform ``then``.

To add a behaviour (e.g. a huge or gzip-bomb body in ``bodies.py``), write a dataclass with
``perform(self, conn: socket.socket, stop: threading.Event) -> bool``; use ``send_all`` (which gives up when
the server stops) and ``pause`` (a capped, stop-aware sleep) so the hard cap holds for it too. For a
streamed body, write the head with ``head_bytes`` and then chunks with ``send_all``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

HARD_CAP = 30.0
"""No behaviour waits longer than this many seconds, whatever it was asked."""

__all__ = [
    "HARD_CAP",
    "Answer",
    "Behaviour",
    "Close",
    "Delay",
    "Drip",
    "HostileServer",
    "Request",
    "Reset",
    "Stall",
    "head_bytes",
    "json_answer",
    "pause",
    "response_answer",
    "route",
    "script",
    "send_all",
]


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # names lower-cased
    body: bytes
    at: float  # time.monotonic() when it was read

    @property
    def kind(self) -> str:
        """``"cancel"``, ``"stream"`` (a GET with stream=true), ``"get"`` or ``"post"``."""
        if self.method == "POST" and self.path.split("?")[0].endswith("/cancel"):
            return "cancel"
        if self.method == "GET":
            return "stream" if "stream=true" in self.path else "get"
        return "post"


class Behaviour(Protocol):
    def perform(self, conn: socket.socket, stop: threading.Event) -> bool: ...


def pause(seconds: float, stop: threading.Event) -> bool:
    """Sleep up to ``seconds`` (capped at ``HARD_CAP``); False if the server stopped meanwhile."""
    return not stop.wait(max(0.0, min(seconds, HARD_CAP)))


def send_all(conn: socket.socket, data: bytes, stop: threading.Event) -> bool:
    """Send ``data``; False if the peer went away or the server stopped."""
    if stop.is_set():
        return False
    try:
        conn.sendall(data)
    except OSError:
        return False
    return True


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 408: "Request Timeout", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}  # fmt: skip


def head_bytes(status: int, headers: Sequence[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""

    def wire(self) -> bytes:
        headers = list(self.headers)
        if not any(name.lower() in ("content-length", "transfer-encoding") for name, _ in headers):
            headers.append(("content-length", str(len(self.body))))
        return head_bytes(self.status, headers) + self.body

    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        return send_all(conn, self.wire(), stop) and not _closes(self.headers)


def _closes(headers: Sequence[tuple[str, str]]) -> bool:
    return any(name.lower() == "connection" and value.lower() == "close" for name, value in headers)


def json_answer(obj: Any, status: int = 200, headers: Sequence[tuple[str, str]] = ()) -> Answer:
    return Answer(status, [("content-type", "application/json"), *headers], json.dumps(obj).encode())


def response_body(rid: str, status: str, **fields: Any) -> dict[str, Any]:
    """A minimal ``Response`` JSON that the SDK parses."""
    return {
        "id": rid, "object": "response", "created_at": 1, "status": status, "background": True, "error": None,
        "incomplete_details": None, "instructions": None, "metadata": {}, "model": "gpt-test", "output": [],
        "parallel_tool_calls": True, "temperature": None, "tool_choice": "auto", "tools": [], "top_p": None,
        **fields,
    }  # fmt: skip


def response_answer(rid: str, status: str, headers: Sequence[tuple[str, str]] = (), **fields: Any) -> Answer:
    return json_answer(response_body(rid, status, **fields), headers=headers)


@dataclass(frozen=True)
class Stall:
    seconds: float = HARD_CAP

    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        pause(self.seconds, stop)
        return False


@dataclass(frozen=True)
class Drip:
    answer: Answer
    interval: float = 0.5
    chunk: int = 1

    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        wire = self.answer.wire()
        deadline = time.monotonic() + HARD_CAP
        for start in range(0, len(wire), self.chunk):
            if time.monotonic() > deadline or not send_all(conn, wire[start : start + self.chunk], stop):
                return False
            if not pause(self.interval, stop):
                return False
        return False


@dataclass(frozen=True)
class Reset:
    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False


@dataclass(frozen=True)
class Close:
    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        return False


@dataclass(frozen=True)
class Delay:
    seconds: float
    then: Behaviour

    def perform(self, conn: socket.socket, stop: threading.Event) -> bool:
        return pause(self.seconds, stop) and self.then.perform(conn, stop)


Handler = Callable[[Request], Behaviour]


def script(behaviours: Sequence[Behaviour]) -> Handler:
    """Successive requests get successive behaviours; the last one repeats."""
    lock = threading.Lock()
    served = [0]

    def handler(_: Request) -> Behaviour:
        with lock:
            index = min(served[0], len(behaviours) - 1)
            served[0] += 1
        return behaviours[index]

    return handler


def route(**by_kind: Behaviour | Handler) -> Handler:
    """Behaviours by ``Request.kind`` (``get``, ``stream``, ``cancel``, ``post``); a missing kind is a 404."""

    def handler(request: Request) -> Behaviour:
        chosen = by_kind.get(request.kind)
        if chosen is None:
            return json_answer({"error": {"message": "no route", "type": "invalid_request_error"}}, 404)
        if hasattr(chosen, "perform"):
            return chosen  # type: ignore[return-value]
        return chosen(request)  # type: ignore[operator,no-any-return]

    return handler


@dataclass
class HostileServer:
    handler: Handler
    _requests: list[Request] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _conns: set[socket.socket] = field(default_factory=set, init=False)
    _listener: socket.socket | None = field(default=None, init=False)
    _threads: list[threading.Thread] = field(default_factory=list, init=False)

    def start(self) -> HostileServer:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener
        thread = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            _shut(conn)
        if self._listener is not None:
            self._listener.close()
        for thread in list(self._threads):
            thread.join(timeout=2.0)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._listener is not None, "start the server first"
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self._conns.add(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), name="hostile-conn", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        reader = _Reader(conn, self._stop)
        try:
            while not self._stop.is_set():
                request = reader.request()
                if request is None:
                    return
                with self._lock:
                    self._requests.append(request)
                keep = self.handler(request).perform(conn, self._stop)
                if not keep or request.headers.get("connection", "").lower() == "close":
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
            _shut(conn)


def _shut(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()


class _Reader:
    """Reads requests off one connection; every read wakes up regularly to notice ``stop``."""

    def __init__(self, conn: socket.socket, stop: threading.Event) -> None:
        self._conn, self._stop, self._buffer = conn, stop, b""
        conn.settimeout(0.2)

    def _more(self) -> bool:
        deadline = time.monotonic() + HARD_CAP
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                data = self._conn.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return False
            self._buffer += data
            return True
        return False

    def _until(self, marker: bytes) -> bytes | None:
        while marker not in self._buffer:
            if not self._more():
                return None
        found, self._buffer = self._buffer.split(marker, 1)
        return found

    def _exactly(self, size: int) -> bytes | None:
        while len(self._buffer) < size:
            if not self._more():
                return None
        found, self._buffer = self._buffer[:size], self._buffer[size:]
        return found

    def request(self) -> Request | None:
        head = self._until(b"\r\n\r\n")
        if head is None:
            return None
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, path, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size_line = self._until(b"\r\n")
                if size_line is None:
                    return None
                size = int(size_line.split(b";")[0], 16)
                chunk = self._exactly(size + 2)
                if chunk is None:
                    return None
                if size == 0:
                    break
                body += chunk[:-2]
        elif "content-length" in headers:
            read = self._exactly(int(headers["content-length"]))
            if read is None:
                return None
            body = read
        return Request(method, path, headers, body, time.monotonic())
