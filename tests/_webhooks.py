"""Signing and delivering OpenAI webhooks in tests (Standard Webhooks, as OpenAI signs them), and a
uvicorn server on a loopback port in a thread."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

SECRET = "whsec_" + base64.b64encode(b"openai-background-test-secret-32b").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"a-forger-does-not-know-the-secret").decode()


def event_body(response_id: str, event_type: str = "response.completed") -> bytes:
    return json.dumps(
        {
            "id": f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "type": event_type,
            "created_at": int(time.time()),
            "data": {"id": response_id},
        }
    ).encode()


def signed_headers(
    body: bytes, *, secret: str = SECRET, webhook_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    webhook_id = webhook_id or f"wh_{secrets.token_hex(8)}"
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
        "content-type": "application/json",
    }


def deliver(
    url: str,
    response_id: str,
    event_type: str = "response.completed",
    *,
    client: httpx.Client | None = None,
    **signing: Any,
) -> httpx.Response:
    """POST a signed end event of ``response_id`` to ``url`` (on ``client``, kept alive, if given)."""
    body = event_body(response_id, event_type)
    post = httpx.post if client is None else client.post
    return post(url, content=body, headers=signed_headers(body, **signing), timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Run ``app`` under uvicorn on a loopback port in a thread; yield its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
