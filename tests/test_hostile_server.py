"""The hostile server itself: behaviours do what they say, and stopping it ends every stall."""

from __future__ import annotations

import socket
import time

from hostile.server import Answer, Drip, HostileServer, Reset, Stall, response_answer, route, script


def _get(server: HostileServer, timeout: float = 5.0) -> bytes:
    port = int(server.base_url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(b"GET /v1/responses/resp_1 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
        return data


def test_answer_is_sent_verbatim_with_a_length() -> None:
    with HostileServer(script([Answer(503, [("retry-after", "100")], b"nope")])) as server:
        data = _get(server)
    assert data.startswith(b"HTTP/1.1 503")
    assert b"retry-after: 100" in data and b"content-length: 4" in data and data.endswith(b"nope")
    assert [r.kind for r in server.requests] == ["get"]


def test_drip_sends_slowly_and_completely() -> None:
    with HostileServer(script([Drip(Answer(200, (), b"abc"), interval=0.01, chunk=8)])) as server:
        started = time.monotonic()
        data = _get(server)
    assert data.endswith(b"abc") and time.monotonic() - started >= 0.03


def test_reset_ends_the_connection_without_an_answer() -> None:
    with HostileServer(script([Reset()])) as server:
        try:
            data = _get(server)
        except ConnectionResetError:
            data = b""
    assert data == b""


def test_stop_ends_a_stall_at_once() -> None:
    server = HostileServer(script([Stall(1000)])).start()
    port = int(server.base_url.split(":")[2].split("/")[0])
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.sendall(b"GET /v1/responses/resp_1 HTTP/1.1\r\nhost: x\r\n\r\n")
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    assert conn.recv(10) == b""
    assert time.monotonic() - started < 3
    conn.close()


def test_route_by_kind() -> None:
    handler = route(get=response_answer("resp_1", "queued"))
    with HostileServer(handler) as server:
        data = _get(server)
    assert b'"status": "queued"' in data
