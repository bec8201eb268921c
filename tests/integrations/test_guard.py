"""The loopback guard of conftest.py is on: without it the other tests could not promise that nothing left
the machine."""

from __future__ import annotations

import socket

import pytest

from ._harness import OUTSIDE


def test_the_guard_refuses_and_records_anything_but_loopback() -> None:
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("api.openai.com", 443)
    assert OUTSIDE == ["('192.0.2.1', 443)", "'api.openai.com'"]
    OUTSIDE.clear()


def test_the_guard_lets_loopback_through(server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass
