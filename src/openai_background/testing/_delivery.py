"""Webhook delivery of the fake server: each event POSTed to the receiver from the server's event loop.

A delivery is an asyncio task on the server's own loop, so a slow or silent receiver never holds up a
request: every attempt (connect, send, read the answer) is bounded by ``timeout`` seconds. A copy that gets
no answer, or a 5xx, is tried again (``retries`` more times, 0.1 s apart, doubling), as OpenAI retries; a
2xx or a 4xx ends it. Standard library only, plain ``http://`` (the receiver runs on the loopback).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from urllib.parse import urlsplit

from ._webhooks import WebhookDelivery, WebhookEvent

__all__ = ["WebhookSender"]

_ANSWER_LIMIT = 64 * 1024
_RETRY_DELAY = 0.1


class WebhookSender:
    """Sends the events of one server to ``url``, signed with ``secret``; records every attempt."""

    def __init__(self, url: str, secret: str, *, timeout: float = 5.0, retries: int = 2) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:  # the URL is not quoted: it may carry a login
            raise ValueError(
                "webhook_url must be an http:// URL with a host (the fake server sends on the loopback), "
                f"not a {parts.scheme or 'relative'} URL"
            )
        if not secret:
            raise ValueError("webhook_secret must not be empty")
        if not 0 < timeout < float("inf") or retries < 0:
            raise ValueError("webhook_timeout must be a finite number > 0 and webhook_retries >= 0")
        self._host, self._port = parts.hostname, parts.port or 80
        self.url = f"http://{self._host}:{self._port}{parts.path or '/'}"  #: without any login or query
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._secret = secret
        self._timeout, self._retries = timeout, retries
        self._changed = threading.Condition()
        self._deliveries: list[WebhookDelivery] = []
        self._ended = 0  # events whose every copy is done (delivered, refused, lost or given up)
        # Loop-thread state.
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: list[asyncio.Event] = []  # swapped events, waiting for another event's delivery

    def __repr__(self) -> str:  # never the secret, nor a login in the URL
        return f"WebhookSender(url={self.url!r})"

    # -- any thread ----------------------------------------------------------

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        with self._changed:
            return list(self._deliveries)

    def wait(self, events: int, timeout: float) -> list[WebhookDelivery]:
        """Block until ``events`` events are done (every copy delivered, refused, lost or given up); the
        deliveries so far. ``TimeoutError`` after ``timeout`` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._ended >= events, timeout):
                raise TimeoutError(f"{self._ended} of {events} webhook events done after {timeout} s")
            return list(self._deliveries)

    def send(self, loop: asyncio.AbstractEventLoop, event: WebhookEvent) -> None:
        """Start delivering ``event`` on ``loop`` (thread-safe; returns at once)."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server stopped
            loop.call_soon_threadsafe(self._start, event)

    # -- loop thread -----------------------------------------------------------

    def _start(self, event: WebhookEvent) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Cancel the deliveries in flight (the server is stopping)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _deliver(self, event: WebhookEvent) -> None:
        script = event.script
        try:
            if script.lose:
                self._record(event, 1, 1, sent=False, error="lost")
                return
            if script.swap:
                gate = asyncio.Event()
                self._held.append(gate)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(gate.wait(), script.delay)
            elif script.delay > 0:
                await asyncio.sleep(script.delay)
            for copy in range(1, script.copies + 1):
                await self._deliver_copy(event, copy)
                if copy == 1 and not script.swap:
                    self._release_held()
        finally:
            with self._changed:
                self._ended += 1
                self._changed.notify_all()

    def _release_held(self) -> None:
        held, self._held = self._held, []
        for gate in held:
            gate.set()

    async def _deliver_copy(self, event: WebhookEvent, copy: int) -> None:
        delay = _RETRY_DELAY
        for attempt in range(1, self._retries + 2):
            status, error, answer, headers = None, None, b"", event.headers(self._secret, time.time())
            try:
                status, answer = await asyncio.wait_for(self._post(headers, event.body), self._timeout)
            except asyncio.TimeoutError:
                error = "timeout"
            except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            self._record(event, copy, attempt, sent=True, status=status, error=error, answer=answer, headers=headers)
            if status is not None and status < 500:
                return
            if attempt <= self._retries:
                await asyncio.sleep(delay)
                delay *= 2

    async def _post(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        try:
            head = [f"POST {self._target} HTTP/1.1", f"host: {self._host}:{self._port}", "connection: close"]
            head += [f"{name}: {value}" for name, value in headers.items()]
            head.append(f"content-length: {len(body)}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            status_line = await reader.readline()
            parts = status_line.split()
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
                raise ValueError(f"not an HTTP answer: {status_line[:80]!r}")
            length = None
            while (line := await reader.readline()).strip():
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length is not None:
                answer = await reader.readexactly(min(length, _ANSWER_LIMIT))
            else:  # chunked or until close: the raw rest, bounded
                answer = await reader.read(_ANSWER_LIMIT)
            return int(parts[1]), answer
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def _record(
        self,
        event: WebhookEvent,
        copy: int,
        attempt: int,
        *,
        sent: bool,
        status: int | None = None,
        error: str | None = None,
        answer: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = event.payload()
        delivery = WebhookDelivery(
            webhook_id=event.webhook_id,
            event_id=payload["id"],
            event_type=payload["type"],
            response_id=payload["data"]["id"],
            copy=copy,
            attempt=attempt,
            sent=sent,
            status_code=status,
            error=error,
            forged=event.script.forge,
            stale=event.script.age > 300,
            headers=dict(headers or {}),
            body=event.body,
            answer=answer,
            sent_at=time.monotonic(),
        )
        with self._changed:
            self._deliveries.append(delivery)
            self._changed.notify_all()
