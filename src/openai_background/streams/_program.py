"""Reading a background response's event stream to its end, written once, with no I/O in it.

``stream_program`` is a generator like ``_loop.poll_program``: it yields what it needs done (the steps in
``_steps.py``: ``OpenStream`` after a sequence number, ``NextEvent``, ``Deliver`` an event,
``CLOSE_STREAM``; and the poll loop's ``FETCH``, ``Sleep``, ``CANCEL``) and is sent the result, or has the
I/O's exception thrown in. Every decision is made here or in ``_endings.py``: which event ends the
stream and what it raises (the same dispatcher as ``poll``), where a dropped stream resumes, which events
were already delivered, when the failure budget or the deadline is spent. Those two bounds are the poll
loop's own: ``max_poll_failures`` consecutive failures (an event delivered resets the count), the
``_cadence`` backoff between attempts, and ``max_wait_seconds``, after which the stream is never reopened.

A stream that ends without a terminal event is not trusted: a cancelled response ends so, and so does a
connection a proxy cut cleanly. One GET says which. A response still running is resumed; so is one that
finished with a terminal event still undelivered, as long as each resume delivers something; otherwise
the GET's answer settles the end (cancelled, or a stream that will not deliver the rest).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from openai.types.responses import Response

from .._compat import HttpResponse
from .._errors.answers import RawResponse, check_answer_id, parse_answer
from .._waits.cadence import failure_backoff, failure_headers, is_transient
from .._waits.deadline import MIN_REQUEST_WINDOW
from .._waits.program import CANCEL, FETCH, Dispatch, Fetch, Sleep, WaitOptions, _reporter, _status_of
from .._waits.timeouts import no_response_id, time_out
from ._endings import (
    attach_stream_position,
    ends_stream,
    error_event_outcome,
    finish,
    has_terminal_event,
    is_event_stream,
    is_sse_error,
    learn_response,
    malformed_stream_error,
    pending,
    read_failure,
    refuses_streaming,
    sequence_number,
)
from ._steps import (
    CLOSE_STREAM,
    END,
    STALLED,
    Deliver,
    Handover,
    NextEvent,
    OpenStream,
    StreamPosition,
    StreamStep,
)

__all__ = ["stream_program"]

logger = logging.getLogger("openai_background")

Program = Generator[StreamStep, Any, "Response | Handover"]
T = TypeVar("T")


@dataclass(frozen=True)
class _Broken:
    """The open stream failed (a dropped connection, a timeout, an unreadable event)."""

    error: Exception
    delivered: int


@dataclass(frozen=True)
class _Ended:
    """The open stream's body ended without a terminal event."""

    delivered: int


class _Stalled:
    """No event came before the deadline."""


@dataclass
class _Run:
    """One run of the program: its fixed inputs, its clock, and the answers it has reported."""

    position: StreamPosition
    plan: WaitOptions
    dispatch: Dispatch
    clock: Callable[[], float]
    deadline: float | None
    polls: int = 0
    deliver_failures: bool = True

    def report(
        self,
        status: str | None,
        failures: int,
        next_delay: float | None,
        response: Response | None = None,
        error: Exception | None = None,
    ) -> None:
        """Tell ``on_poll`` of one answer the wait read (a stream's end, a failed or ended connection, a
        GET); ``polls`` counts them. Nothing before the create stream names its response."""
        rid = self.position.response_id
        if rid is not None and self.plan.on_poll is not None:
            self.polls += 1
            _reporter(rid, self.plan)(status, self.polls, failures, next_delay, response, error)

    def end(self, outcome: Callable[[], T], status: str | None, response: Response | None) -> T:
        """``outcome()``, the end of the stream, reported first as ``poll`` reports a terminal answer; an
        outcome that hands over to polling is reported with a next poll at once."""
        try:
            result = outcome()
        except Exception as error:
            self.report(status, 0, None, response, None if response is not None else error)
            raise
        self.report(status, 0, 0.0 if isinstance(result, Handover) else None, response)
        return result

    def within(self) -> float | None:
        """Seconds left before the deadline; None without one, or while no response id is known (a create
        stream is never cut short before it names its response, or there would be nothing to resume)."""
        if self.deadline is None or self.position.response_id is None:
            return None
        return self.deadline - self.clock()

    def fetch(self) -> Fetch:
        """The check of a stream that ended, given the time left (at least ``MIN_REQUEST_WINDOW``)."""
        within = self.within()
        return FETCH if within is None else Fetch(max(MIN_REQUEST_WINDOW, within))

    def time_out(self, failures: int = 0) -> Generator[StreamStep, Any, None]:
        assert self.position.response_id is not None
        self.report(_status_of(self.position.last_response), failures, None, self.position.last_response)
        yield from time_out(self.position.response_id, self.plan, self.position.last_response, cancel=CANCEL)

    def after_failure(self, error: Exception, failures: int) -> Generator[StreamStep, Any, None]:
        """Raise ``error`` once it is not worth repeating (a refused stream never is, 501 included) or the
        budget is spent; else back off."""
        rid = self.position.response_id
        if not is_transient(error) or refuses_streaming(error) or failures >= self.plan.max_poll_failures:
            logger.debug("stream %s failed (%s), failures=%d, giving up", rid, type(error).__name__, failures)
            self.report(None, failures, None, None, error)
            raise attach_stream_position(error, self.position, failures)
        yield from self.pause(failure_backoff(failures, failure_headers(error)), failures, error=error)

    def pause(
        self, delay: float, failures: int, *, error: Exception | None = None, status: str | None = None
    ) -> Generator[StreamStep, Any, None]:
        """Sleep ``delay`` (cut to the deadline) before the next attempt, reporting the answer that led here:
        a failure (``error``) or a GET that found the response still running (``status``)."""
        within = self.within()
        if within is not None:
            if within <= 0:
                yield from self.time_out(failures)
            delay = min(delay, within)
        self.report(status, failures, delay, self.position.last_response if error is None else None, error)
        logger.debug("stream %s: resuming in %.3fs", self.position.response_id, delay)
        yield Sleep(delay)


def stream_program(
    position: StreamPosition,
    options: WaitOptions,
    *,
    dispatch: Dispatch,
    clock: Callable[[], float],
    fallback: bool,
    first: Response | None = None,
    deliver_failures: bool = True,
) -> Program:
    """Read the stream of ``position.response_id`` (None: the create stream) to its end, delivering each
    event once and in order. Returns the terminal ``Response``, or ``Handover`` when polling should
    finish the wait; raises what the end means per ``raise_on``, or the error that exhausted the failure
    budget (naming the response), or ``ResponsePollTimeoutError``. ``fallback``: a refused stream returns
    ``Handover`` instead of raising. ``first``: the pending answer of the create call that started the
    job, reported as the wait's first poll (as ``poll_program`` reports it). ``deliver_failures``: a
    terminal event (``response.failed``, an ``error`` event) whose end raises is delivered before the error
    is raised; False raises in its place, so a consumer that reads the events itself (a framework, under
    ``background_mode``) meets the typed error, not an event it would turn into its own untyped one.
    """
    deadline = None if options.max_wait is None else clock() + options.max_wait
    run = _Run(position, options, dispatch, clock, deadline, deliver_failures=deliver_failures)
    failures = 0
    if first is not None:
        position.last_response = first  # what a deadline passed before the first event reports
        within = run.within()
        if within is None or within > 0:  # else the deadline's report below is this answer's
            run.report(_status_of(first), 0, 0.0, first)  # the stream is opened at once
    while True:
        rid = position.response_id
        within = run.within()
        if within is not None and within <= 0:
            yield from run.time_out()
        try:
            stream = yield OpenStream(rid, position.last_sequence_number, within)
        except Exception as error:
            if rid is None:  # the create request: raised as the SDK raises it; no job to resume yet
                no_response_id(error)
                raise
            if fallback and refuses_streaming(error):
                logger.debug("stream %s refused (%s), polling instead", rid, type(error).__name__)
                run.report(None, failures + 1, 0.0, None, error)
                return Handover(f"the stream request was refused ({type(error).__name__})", run.polls)
            failures += 1
            yield from run.after_failure(error, failures)
            continue
        http: HttpResponse = stream.response
        if not is_event_stream(http):
            yield CLOSE_STREAM
            if fallback and rid is not None:
                logger.debug("stream %s answered without an event stream, polling instead", rid)
                return Handover("the stream request was not answered with an event stream", run.polls)
            raise malformed_stream_error(rid, http, "it is not an event stream")
        logger.debug("stream %s opened after sequence number %s", rid, position.last_sequence_number)
        read = yield from _read_events(run, http)
        if isinstance(read, Response):
            return read
        if isinstance(read, Handover):  # an error event's: the polls after it are numbered after its report
            return dataclasses.replace(read, reported=run.polls)
        yield CLOSE_STREAM
        rid = position.response_id
        if isinstance(read, _Stalled):
            continue
        if read.delivered:
            failures = 0
        if isinstance(read, _Broken):
            if rid is None:  # the create stream broke before naming its response
                no_response_id(read.error)
                raise read.error
            failures += 1
            logger.debug("stream %s dropped (%s), failures=%d", rid, type(read.error).__name__, failures)
            yield from run.after_failure(read.error, failures)
            continue
        if rid is None:
            raise malformed_stream_error(None, http, "the create stream ended before naming its response")
        try:
            raw: RawResponse = yield run.fetch()
            result = parse_answer(raw, response_id=rid)
        except Exception as error:
            failures += 1
            yield from run.after_failure(error, failures)
            continue
        check_answer_id(result, rid, raw.http_response)
        position.last_response = result
        status = _status_of(result)
        if not pending(result):
            if read.delivered and has_terminal_event(result):
                logger.debug("stream %s ended early on a %s response; resuming for its last events", rid, result.status)
                run.report(status, failures, 0.0, result)
                continue
            ending = partial(finish, (result, raw.http_response), position, options, dispatch)
            return run.end(ending, status, result)
        if not read.delivered:
            failures += 1
            logger.debug("stream %s ended early with no event, failures=%d", rid, failures)
            if failures >= options.max_poll_failures:
                if fallback:
                    run.report(status, failures, 0.0, result)
                    return Handover("the stream kept ending before the response finished", run.polls)
                run.report(status, failures, None, result)
                why = f"its event stream ended {failures} times in a row before the response finished"
                raise malformed_stream_error(rid, http, why)
            yield from run.pause(failure_backoff(failures, None), failures, status=status)
        else:
            run.report(status, failures, 0.0, result)  # resumed at once: it delivered, so it is alive


def _read_events(
    run: _Run, http: HttpResponse
) -> Generator[StreamStep, Any, Response | Handover | _Broken | _Ended | _Stalled]:
    """Deliver the events of one open stream until it ends, breaks, stalls or reaches its terminal event."""
    position = run.position
    delivered = 0
    while True:
        within = run.within()
        if within is not None and within <= 0:
            return _Stalled()
        try:
            event = yield NextEvent(within)
        except Exception as error:
            if is_sse_error(error):  # the SDK raises an `error` event whose data nests an `error` object
                yield CLOSE_STREAM
                ending = partial(error_event_outcome, error.body, position, run.plan, http, run.dispatch)
                return run.end(ending, "failed", None)
            return _Broken(read_failure(error, position, http), delivered)
        if event is END:
            return _Ended(delivered)
        if event is STALLED:
            return _Stalled()
        sequence = sequence_number(event)
        last = position.last_sequence_number
        if sequence is not None and last is not None and sequence <= last:
            logger.debug("stream %s: skipping replayed event %d", position.response_id, sequence)
            continue
        carried = learn_response(position, event, http)
        if sequence is not None:
            position.last_sequence_number = sequence
        delivered += 1
        if not ends_stream(event, carried):
            yield Deliver(event)
            continue
        yield CLOSE_STREAM  # release the connection before the caller holds the last event
        if run.deliver_failures:
            yield Deliver(event)
        kind = getattr(event, "type", None)
        if kind == "error":
            error_end = partial(error_event_outcome, event, position, run.plan, http, run.dispatch)
            outcome: Response | Handover = run.end(error_end, "failed", None)
        else:
            if carried is None:
                raise malformed_stream_error(position.response_id, http, f"its {kind} event carries no response")
            terminal = partial(finish, (carried, http), position, run.plan, run.dispatch, event_type=kind)
            outcome = run.end(terminal, _status_of(carried), carried)
        if not run.deliver_failures:  # the end did not raise: the caller gets the event (response.incomplete)
            yield Deliver(event)
        return outcome
