"""When a job of the fake server ends, and what is sent then.

A job ends the first time its status turns terminal: a poll served its terminal answer, a cancel request,
``finish_job``, or its ``runs_for`` elapsed (a timer on the server's loop). Its webhook event (one per job,
whatever ended it) then goes to the :class:`~._delivery.WebhookSender`, when the server has one.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from ._delivery import WebhookSender
from ._http import Reply
from ._jobs import FakeJob, render
from ._ratelimit import PollRateLimit
from ._script import DEFAULT_POLL_AFTER_MS, TERMINAL_STATUSES, Answer
from ._webhooks import EVENT_TYPES, WebhookDelivery, WebhookEvent

__all__ = ["EndingsInspection", "JobEndings"]

_RUNNING = Answer.state("in_progress", poll_after_ms=DEFAULT_POLL_AFTER_MS)


class JobEndings:
    """The server's end-of-job bookkeeping. Every method but ``attach`` runs with the server's lock held."""

    def __init__(self, lock: threading.Lock, sender: WebhookSender | None) -> None:
        self._lock = lock
        self.sender = sender
        self._loop: asyncio.AbstractEventLoop | None = None
        self._early: list[FakeJob] = []  # jobs made before the loop ran
        self._unsent: list[WebhookEvent] = []

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """The server's loop is running (called on it, with the lock held): start what waited for it."""
        self._loop = loop
        for job in self._early:
            self.schedule(job)
        for event in self._unsent:
            self._send(event)
        self._early, self._unsent = [], []

    def schedule(self, job: FakeJob) -> None:
        """A new job: with ``runs_for``, end it on time."""
        runs_for = job.script.runs_for
        if runs_for is None:
            return
        if job.ends_at is None:
            job.ends_at = time.monotonic() + runs_for
        loop = self._loop
        if loop is None:
            self._early.append(job)
            return
        delay = max(0.0, job.ends_at - time.monotonic())
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server stopped
            loop.call_soon_threadsafe(loop.call_later, delay, self._on_time, job)

    def next_answer(self, job: FakeJob) -> Answer:
        """What a GET of ``job`` gets now (the job is not cancelled)."""
        answers = job.script.answers
        if job.finished or (job.ends_at is not None and time.monotonic() >= job.ends_at):
            return answers[-1]
        if job.ends_at is not None:
            running = answers[:-1]
            answer = running[min(job.next_answer, len(running) - 1)] if running else _RUNNING
        else:
            answer = answers[min(job.next_answer, len(answers) - 1)]
        job.next_answer += 1
        return answer

    def served(self, job: FakeJob, reply: Reply) -> Reply:
        """Note ``reply`` as served for ``job``; if it ends the job, send the job's event."""
        job.note(reply)
        if job.status in TERMINAL_STATUSES and not job.event_sent:
            job.event_sent = True
            if self.sender is not None:
                self._send(WebhookEvent.for_response(job.id, EVENT_TYPES[job.status], job.script.webhook))
        return reply

    def finish(self, job: FakeJob) -> None:
        """End ``job`` now with its script's last answer (nothing if it already ended)."""
        if job.finished or job.cancelled or job.status in TERMINAL_STATUSES:
            return
        job.finished = True
        self.served(job, render(job.script.answers[-1], job))

    def _send(self, event: WebhookEvent) -> None:
        if self.sender is None:
            return
        if self._loop is None:
            self._unsent.append(event)
        else:
            self.sender.send(self._loop, event)

    def _on_time(self, job: FakeJob) -> None:
        with self._lock:
            self.finish(job)


class EndingsInspection:
    """The server's methods about job ends and rate limits (any thread); ``FakeResponsesServer`` has them."""

    _lock: threading.Lock
    _jobs: dict[str, FakeJob]
    _endings: JobEndings
    _rate_limit: PollRateLimit | None

    def finish_job(self, job_id: str) -> None:
        """End the job now with its script's last answer, as its own clock would (its event is sent);
        nothing if it already ended. ``KeyError`` if unknown."""
        with self._lock:
            self._endings.finish(self._jobs[job_id])

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every webhook delivery attempt so far (and every scripted loss), in order."""
        sender = self._endings.sender
        return [] if sender is None else sender.deliveries

    def wait_for_webhooks(self, events: int, timeout: float = 10.0) -> list[WebhookDelivery]:
        """Block until ``events`` events are done (every copy answered, refused, lost or given up);
        returns :attr:`webhook_deliveries`. ``TimeoutError`` after ``timeout`` seconds."""
        sender = self._endings.sender
        if sender is None:
            raise RuntimeError("this FakeResponsesServer has no webhook_url")
        return sender.wait(events, timeout)

    @property
    def rate_limited(self) -> list[float]:
        """``time.monotonic()`` of every poll answered 429 by ``max_polls_per_second``."""
        return [] if self._rate_limit is None else self._rate_limit.refused
