"""``WebhookReceiver``: OpenAI's webhook deliveries into the journal, as an ASGI app with a WSGI twin.

Each delivery is verified with the SDK's own ``client.webhooks.unwrap`` (Standard Webhooks: ``webhook-id``,
``webhook-timestamp``, ``webhook-signature``; a timestamp more than 5 minutes off is refused). A verified
``response.completed|failed|incomplete|cancelled`` is recorded (``Journal.record_event``: one transaction,
keyed by ``webhook-id``, so a repeated delivery changes nothing); waits listening to the journal wake on it.

Answers: 200 once recorded (or for a repeat, or an event that ends no response); 400 for a missing or bad
signature, a stale timestamp or an unreadable body (nothing written, nobody woken); 405 for anything but
POST; 413 past ``MAX_BODY_BYTES``; 500 when the journal cannot be written (OpenAI delivers it again later).
The secret is never logged, shown in an error or a repr.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import anyio.to_thread
import openai

from ..journal._errors import JournalWriteError
from ..journal._journal import Journal
from ..journal._schema import END_EVENTS

__all__ = ["MAX_BODY_BYTES", "WebhookReceiver"]

logger = logging.getLogger("openai_background.webhooks")

MAX_BODY_BYTES: Final = 1 << 20
"""The largest delivery read (an end event is a few hundred bytes: its ``data`` holds only the id)."""

Answer = tuple[int, bytes]


class _Secret:
    """The webhook secret, kept out of every repr, log line and error message."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<secret>"


class WebhookReceiver:
    """An ASGI application receiving OpenAI webhooks into ``journal``; ``receiver.wsgi`` is the WSGI twin.

    ``journal``: an ``openai_background.Journal``, or a SQLite path / ``postgresql://`` URL to open one.
    ``secret``: the endpoint's signing secret (``whsec_...``); default ``$OPENAI_WEBHOOK_SECRET``.
    Mount it at any path (every POST is a delivery): ``app.mount("/openai-webhooks", receiver)`` in
    FastAPI/Starlette, ``uvicorn`` directly, or ``DispatcherMiddleware`` around a Flask app with ``receiver.wsgi``.
    """

    def __init__(self, journal: Journal | str | os.PathLike[str] | None = None, *, secret: str | None = None) -> None:
        if journal is None:
            raise ValueError("WebhookReceiver needs a journal (a Journal, a SQLite path or a postgresql:// URL)")
        self.journal = journal if isinstance(journal, Journal) else Journal(journal)
        value = secret if secret is not None else os.environ.get("OPENAI_WEBHOOK_SECRET")
        if not isinstance(value, str) or not value:
            raise ValueError("WebhookReceiver needs the webhook secret: secret=... or $OPENAI_WEBHOOK_SECRET")
        self._secret = _Secret(value)
        # Only ``webhooks.unwrap`` is used: no request is ever sent, so the key is a placeholder.
        self._webhooks = openai.OpenAI(api_key="unused-by-the-webhook-receiver", max_retries=0).webhooks

    def __repr__(self) -> str:
        return f"WebhookReceiver({self.journal!r})"

    # -- the one decision, shared by ASGI and WSGI --------------------------------------------------

    def handle(self, method: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        """The answer to one request (blocking: it writes to the journal)."""
        if method != "POST":
            return 405, b'{"error": "POST a webhook delivery here"}'
        try:
            event: Any = self._webhooks.unwrap(body, headers, secret=self._secret.value)
        except Exception as error:  # a bad/missing signature or header, a stale timestamp, a body not JSON
            logger.warning("webhook refused: %s", _reason(error))
            return 400, b'{"error": "invalid webhook delivery"}'
        event_type = getattr(event, "type", None)
        data = getattr(event, "data", None)
        rid = getattr(data, "id", None)
        webhook_id = headers.get("webhook-id", "")
        if event_type not in END_EVENTS or not isinstance(rid, str) or not rid:
            logger.info("webhook %s: %s ignored (it ends no response)", webhook_id, event_type)
            return 200, b'{"recorded": false}'
        try:
            added = self.journal.record_event(webhook_id, event_type, rid)
        except JournalWriteError as error:
            logger.error("webhook %s: %s", webhook_id, error)
            return 500, b'{"error": "the event could not be recorded; deliver it again"}'
        logger.info("webhook %s: %s for %s %s", webhook_id, event_type, rid, "recorded" if added else "(repeat)")
        return 200, b'{"recorded": true}'

    # -- ASGI ---------------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                await _send_asgi(send, (413, b'{"error": "delivery too large"}'))
                return
        answer = await anyio.to_thread.run_sync(self.handle, scope["method"], bytes(body), headers)
        await _send_asgi(send, answer)

    # -- WSGI ---------------------------------------------------------------------------------------

    def wsgi(self, environ: Mapping[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The WSGI twin: ``receiver.wsgi`` is a WSGI application (Flask, Django, any WSGI server)."""
        headers = {
            key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            status, body = 413, b'{"error": "delivery too large"}'
        else:
            body_in = environ["wsgi.input"].read(length) if length > 0 else b""
            status, body = self.handle(str(environ.get("REQUEST_METHOD", "")), body_in, headers)
        start_response(
            f"{status} {_PHRASES[status]}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]


_PHRASES: Final = {
    200: "OK",
    400: "Bad Request",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
}


async def _send_asgi(send: Callable[..., Any], answer: Answer) -> None:
    status, body = answer
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _reason(error: Exception) -> str:
    """Why a delivery was refused, for the log: the SDK's message names the problem (a header, the
    timestamp, the signature), never the secret; a JSON error gets its class name only."""
    if isinstance(error, (openai.InvalidWebhookSignatureError, ValueError)) and not isinstance(error, UnicodeError):
        text = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        return f"{type(error).__name__}: {text}"
    return type(error).__name__
