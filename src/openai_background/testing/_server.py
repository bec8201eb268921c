"""A loopback fake of the OpenAI Responses API background mode, for tests.

:class:`FakeResponsesServer` listens on ``127.0.0.1`` (a free port) and serves
``POST /v1/responses``, ``GET /v1/responses/{id}`` (``?stream=true``: server-sent
events, see :mod:`._sse`) and ``POST /v1/responses/{id}/cancel`` from
:class:`~._script.JobScript` scripts.
It runs an asyncio server in one daemon thread with its own event loop and
speaks plain HTTP/1.1 with keep-alive, so the real SDK and plain httpx clients
can talk to it and 1,000 concurrent connections cost one thread.  Scripting and
inspection calls may come from any thread.  Standard library only.

With ``webhook_url`` it POSTs a signed event to it when a job ends (:mod:`._endings`, :mod:`._delivery`);
with ``max_polls_per_second`` it answers 429 past that many polls a second (:mod:`._ratelimit`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from ._delivery import WebhookSender
from ._endings import EndingsInspection, JobEndings
from ._http import RecordedRequest, Reply
from ._jobs import FakeJob, error_reply, render, response_body
from ._plumbing import Plumbing
from ._ratelimit import PollRateLimit
from ._script import TERMINAL_STATUSES, Answer, JobScript
from ._sse import stream_reply, wants_stream
from ._webhooks import new_webhook_secret

__all__ = ["FakeResponsesServer"]

_Route = Callable[[RecordedRequest, "re.Match[str]"], Reply]


class FakeResponsesServer(EndingsInspection, Plumbing):
    """The fake server.  Use as a context manager, or call :meth:`start`/:meth:`stop`.

    ``webhook_url``: where each job's end event is POSTed, signed with ``webhook_secret`` (a fresh
    ``whsec_...`` one if not given, readable as :attr:`webhook_secret`); each attempt takes at most
    ``webhook_timeout`` seconds, and a copy with no answer or a 5xx is tried ``webhook_retries`` more times.
    ``max_polls_per_second``: past that many polls in any second, a poll gets a 429 as OpenAI sends it.
    """

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_timeout: float = 5.0,
        webhook_retries: int = 2,
        max_polls_per_second: int | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self.webhook_secret = webhook_secret or (new_webhook_secret() if webhook_url else None)
        sender = None
        if webhook_url is not None:
            assert self.webhook_secret is not None
            sender = WebhookSender(webhook_url, self.webhook_secret, timeout=webhook_timeout, retries=webhook_retries)
        self._endings = JobEndings(self._lock, sender)
        self._rate_limit = None if max_polls_per_second is None else PollRateLimit(max_polls_per_second)
        self._jobs: dict[str, FakeJob] = {}
        self._queued: deque[JobScript] = deque()
        self._scripts: dict[str, JobScript] = {}
        self._requests: list[RecordedRequest] = []
        # Loop-thread state (only touched from the server's event loop).
        self._tasks: set[asyncio.Task[None]] = set()
        self._connections = 0
        self._answers = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._startup_error: BaseException | None = None
        self._stopped = False
        # The dispatch table: (method, path pattern, handler).
        self._routes: list[tuple[str, re.Pattern[str], _Route]] = [
            ("POST", re.compile(r"/v1/responses"), self._create),
            ("GET", re.compile(r"/v1/responses/([^/]+)"), self._retrieve),
            ("POST", re.compile(r"/v1/responses/([^/]+)/cancel"), self._cancel),
        ]

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> FakeResponsesServer:
        """Start serving; returns once the socket is listening.  Only once per server."""
        if self._thread is not None:
            raise RuntimeError("FakeResponsesServer can only be started once")
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="fake-responses-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeResponsesServer did not start within 10 s")
        if self._startup_error is not None:
            raise RuntimeError("FakeResponsesServer failed to start") from self._startup_error
        self._thread.name = f"fake-responses-server:{self._port}"
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and every client connection, then join the thread.

        Idempotent; a no-op if never started.  Raises ``RuntimeError`` if the
        thread did not end within ``timeout`` seconds.
        """
        thread, loop = self._thread, self._loop
        if thread is None or self._stopped:
            return
        self._stopped = True
        if loop is not None and thread.is_alive():
            future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            try:
                future.result(timeout)
            except Exception:
                with contextlib.suppress(RuntimeError):  # RuntimeError: the loop is closed
                    loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError(f"FakeResponsesServer thread did not stop within {timeout} s")

    def __enter__(self) -> FakeResponsesServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The listening port on 127.0.0.1."""
        if self._port is None:
            raise RuntimeError("FakeResponsesServer is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, what the SDK takes as ``base_url``."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting and inspection (any thread) -----------------------------

    def add_job(self, script: JobScript | None = None) -> str:
        """Create a job directly (no request is made) and return its id.

        Its state is as if ``script.on_create`` had been served.
        """
        with self._lock:
            return self._new_job(script or JobScript.completed(), None)[0].id

    def queue_create(self, script: JobScript) -> None:
        """The next ``POST /v1/responses`` takes ``script`` (FIFO)."""
        with self._lock:
            self._queued.append(script)

    def register_script(self, name: str, script: JobScript) -> None:
        """Creates whose JSON has ``metadata["fake_script"] == name`` use ``script``."""
        with self._lock:
            self._scripts[name] = script

    def job(self, job_id: str) -> FakeJob:
        """The live :class:`FakeJob` for ``job_id``; ``KeyError`` if unknown."""
        with self._lock:
            return self._jobs[job_id]

    @property
    def jobs(self) -> list[FakeJob]:
        """Every job, in creation order."""
        with self._lock:
            return list(self._jobs.values())

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far (since the last clear), in order."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    # -- routes (loop thread) ----------------------------------------------

    def _new_job(self, script: JobScript, create_body: dict[str, Any] | None) -> tuple[FakeJob, Reply]:
        """Register a job (caller holds the lock); returns it and its create reply."""
        job_id = "resp_fake_" + secrets.token_hex(16)
        job = FakeJob(job_id, script, int(time.time()), create_body)
        self._jobs[job_id] = job
        self._endings.schedule(job)
        return job, self._endings.served(job, render(script.on_create, job))

    def _create(self, request: RecordedRequest, match: re.Match[str]) -> Reply:
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return error_reply(400, "fake server: the request body is not a JSON object")
        body = cast("dict[str, Any]", body)
        metadata = body.get("metadata")
        name = cast("dict[str, Any]", metadata).get("fake_script") if isinstance(metadata, dict) else None
        with self._lock:
            if self._queued:
                script = self._queued.popleft()
            elif name is not None:
                if name not in self._scripts:
                    return error_reply(400, f"fake server: no script registered as {name!r}")
                script = self._scripts[name]
            else:
                script = JobScript.completed()
            job, reply = self._new_job(script, body)
            return stream_reply(job, "") if body.get("stream") is True else reply

    def _retrieve(self, request: RecordedRequest, match: re.Match[str]) -> Reply:
        """Serve the job's next answer, or its event stream (``?stream=true``)."""
        with self._lock:
            job = self._jobs.get(match[1])
            if job is None:
                return error_reply(404, f"No response found with id '{match[1]}'.")
            if wants_stream(request.query):
                return stream_reply(job, request.query)
            refused = None if self._rate_limit is None else self._rate_limit.check()
            if refused is not None:
                return refused
            job.polls += 1
            answer = Answer.state("cancelled") if job.cancelled else self._endings.next_answer(job)
            return self._endings.served(job, render(answer, job))

    def _cancel(self, request: RecordedRequest, match: re.Match[str]) -> Reply:
        with self._lock:
            job = self._jobs.get(match[1])
            if job is None:
                return error_reply(404, f"No response found with id '{match[1]}'.")
            job.cancel_requests += 1
            if job.script.on_cancel is not None:
                return render(job.script.on_cancel, job)
            if job.status in TERMINAL_STATUSES:
                current = job.last_body or response_body(Answer.state(job.status), job)
                return render(Answer.json(current), None)
            job.cancelled = True
            return self._endings.served(job, render(Answer.state("cancelled"), job))

    def _dispatch(self, request: RecordedRequest) -> Reply:
        for method, pattern, route in self._routes:
            match = pattern.fullmatch(request.path)
            if match is not None and method == request.method:
                try:
                    return route(request, match)
                except Exception as exc:  # a bug here should be visible, not hang
                    return error_reply(500, f"fake server bug: {exc!r}", "fake_server_bug")
        return error_reply(404, f"fake server: no route for {request.method} {request.path}")
