"""The stream program alone, with no I/O: scripted streams of fake events, a fake clock."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import openai
import pytest
from _sdk_http import SDK_HTTP
from _target import (
    ResponseCancelledError,
    ResponseFailedError,
    ResponseMalformedError,
    ResponsePollTimeoutError,
    internal,
    make_background_failure_error,
)
from openai.types.responses import Response

_loop = internal("_waits.program")
_steps = internal("streams._steps")
stream_program = internal("streams._program").stream_program

RID = "resp_1"
END = _steps.END


def http(status_code: int = 200, content_type: str = "text/event-stream") -> Any:
    request = SDK_HTTP.Request("GET", f"https://api.test/v1/responses/{RID}?stream=true")
    return SDK_HTTP.Response(
        status_code, headers={"content-type": content_type, "x-request-id": "req_s"}, request=request
    )


def event(
    number: int | None, kind: str = "response.output_text.delta", status: str | None = None, rid: str = RID
) -> Any:
    carried = None if status is None else Response.construct(id=rid, object="response", status=status)
    return SimpleNamespace(type=kind, sequence_number=number, response=carried)


def dropped() -> Exception:
    return openai.APIConnectionError(request=SDK_HTTP.Request("GET", "https://api.test/"))


@dataclass
class Script:
    """What the program's steps get: one list of items per stream opened (an item is an event, ``END``, or
    an exception to throw in), or an exception for the open itself; the GETs' answers; a fake clock."""

    streams: list[Any]
    gets: list[Any] = field(default_factory=list)
    now: float = 0.0
    opened: list[tuple[str | None, int | None]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    cancels: int = 0
    delivered: list[Any] = field(default_factory=list)
    _items: list[Any] = field(default_factory=list)

    def perform(self, step: Any) -> Any:
        if isinstance(step, _steps.OpenStream):
            self.opened.append((step.response_id, step.starting_after))
            opened = self.streams.pop(0)
            if isinstance(opened, Exception):
                raise opened
            self._items = list(opened)
            return SimpleNamespace(response=http())
        if isinstance(step, _steps.NextEvent):
            item = self._items.pop(0) if self._items else END
            if isinstance(item, Exception):
                raise item
            return item
        if isinstance(step, _steps.Deliver):
            self.delivered.append(step.event)
            return None
        if isinstance(step, _loop.Sleep):
            self.sleeps.append(step.seconds)
            self.now += step.seconds
            return None
        if isinstance(step, _loop.Fetch):
            status = self.gets.pop(0)
            raw = Response.construct(id=RID, object="response", status=status)
            return SimpleNamespace(http_response=http(content_type="application/json"), parse=lambda: raw)
        if isinstance(step, _loop.Cancel):
            self.cancels += 1
        return None

    def run(self, response_id: str | None = RID, *, fallback: bool = False, **options: Any) -> Any:
        checked = _loop.WaitOptions.check(
            options.get("poll_interval_ms"),
            options.get("max_wait_seconds"),
            options.get("raise_on", ("failed", "incomplete", "cancelled")),
            options.get("max_poll_failures", 10),
            options.get("cancel_on_timeout", False),
            False,
        )
        self.position = _steps.StreamPosition(response_id)
        program = stream_program(
            self.position, checked, dispatch=make_background_failure_error, clock=lambda: self.now, fallback=fallback
        )
        return _loop.run_sync(program, self.perform)

    @property
    def numbers(self) -> list[int | None]:
        return [item.sequence_number for item in self.delivered]


def completed(number: int) -> Any:
    return event(number, "response.completed", "completed")


def test_replayed_events_are_skipped_and_unnumbered_events_still_delivered() -> None:
    script = Script(
        [[event(0), event(1), dropped()], [event(0), event(1), event(None, "custom"), event(2), completed(3)]]
    )
    assert script.run().status == "completed"
    assert script.numbers == [0, 1, None, 2, 3]
    assert script.opened == [(RID, None), (RID, 1)]


def test_an_event_for_another_response_is_malformed() -> None:
    with pytest.raises(ResponseMalformedError, match="another response"):
        Script([[event(0, "response.created", "queued", rid="resp_other")]]).run()


@pytest.mark.parametrize("status", ["in_progress", None])
def test_a_terminal_event_is_never_read_as_success_unless_it_says_completed(status: str | None) -> None:
    terminal = event(3, "response.completed", status) if status else event(3, "response.completed")
    with pytest.raises(ResponseMalformedError):
        Script([[terminal]]).run()


def test_an_event_carrying_a_cancelled_response_ends_the_stream() -> None:
    with pytest.raises(ResponseCancelledError):
        Script([[event(0, "response.cancelled", "cancelled")]]).run()


def test_an_unreadable_event_is_resumed_past_then_raised_with_its_cause() -> None:
    garbage = json.JSONDecodeError("Expecting value", "<html>", 0)
    script = Script([[event(0), garbage], [garbage], [garbage]])
    with pytest.raises(ResponseMalformedError) as caught:
        script.run(max_poll_failures=3)
    assert isinstance(caught.value.__cause__, json.JSONDecodeError)
    assert script.opened == [(RID, None), (RID, 0), (RID, 0)]


def test_a_create_stream_learns_its_response_from_the_first_event() -> None:
    script = Script([[event(0, "response.created", "queued"), dropped()], [completed(1)]])
    assert script.run(None).status == "completed"
    assert script.opened == [(None, None), (RID, 0)]  # the create, then a resume of the named response


@pytest.mark.parametrize("failure", [dropped(), END], ids=["broken", "ended"])
def test_a_create_stream_lost_before_naming_its_response_is_not_resumed(failure: Any) -> None:
    script = Script([[failure]])
    with pytest.raises((openai.APIConnectionError, ResponseMalformedError)):
        script.run(None)
    assert script.opened == [(None, None)]


def test_a_failed_create_request_is_raised_as_is() -> None:
    script = Script([dropped()])
    with pytest.raises(openai.APIConnectionError) as caught:
        script.run(None)
    assert type(caught.value) is openai.APIConnectionError  # the SDK's own error, as is
    assert caught.value.response_id is None  # no job exists: the id every error carries is None


def test_backoff_never_sleeps_past_the_deadline() -> None:
    script = Script([[dropped()]] * 20)
    with pytest.raises(ResponsePollTimeoutError):
        script.run(max_wait_seconds=1.2)
    assert sum(script.sleeps) == pytest.approx(1.2)


def test_a_stalled_read_at_the_deadline_times_out_and_may_cancel() -> None:
    class Late(Script):
        def perform(self, step: Any) -> Any:
            if isinstance(step, _steps.NextEvent) and not self._items:
                self.now += step.within  # the shell waited exactly until the deadline
                return _steps.STALLED
            return super().perform(step)

    script = Late([[event(0, "response.in_progress", "in_progress")]])
    with pytest.raises(ResponsePollTimeoutError) as caught:
        script.run(max_wait_seconds=5, cancel_on_timeout=True)
    assert caught.value.last_status == "in_progress"
    assert script.cancels == 1 and len(script.opened) == 1


@pytest.mark.parametrize("status_code", [400, 404, 405, 406, 415, 501])
def test_a_refused_stream_hands_over_to_polling_or_raises_with_the_id(status_code: int) -> None:
    refusal = openai.APIStatusError("no", response=http(status_code, "application/json"), body=None)
    assert isinstance(Script([refusal]).run(fallback=True), _steps.Handover)
    with pytest.raises(openai.APIStatusError) as caught:
        Script([refusal]).run()
    assert caught.value.response_id == RID  # type: ignore[attr-defined]


def test_an_exhausted_budget_names_where_to_resume() -> None:
    script = Script([[event(0), event(1), dropped()], [dropped()]])
    with pytest.raises(openai.APIConnectionError) as caught:
        script.run(max_poll_failures=2)
    note = "\n".join(getattr(caught.value, "__notes__", [str(caught.value)]))
    assert f"client.responses.stream_background('{RID}', starting_after=1)" in note
    assert f"client.responses.poll('{RID}')" in note


def test_a_clean_end_on_a_finished_response_resumes_for_its_last_events() -> None:
    script = Script([[event(0), event(1)], [event(2), completed(3)]], gets=["completed"])
    assert script.run().status == "completed"
    assert script.numbers == [0, 1, 2, 3]


def test_a_clean_end_that_delivers_nothing_is_settled_by_the_get() -> None:
    script = Script([[]], gets=["failed"])
    with pytest.raises(ResponseFailedError):
        script.run()
    assert script.opened == [(RID, None)]


@pytest.mark.parametrize("raw", ["RemoteProtocolError", "ReadTimeout"])
def test_a_raw_transport_error_is_a_drop_to_resume(raw: str) -> None:
    """openai 1.x and 2.x streams let the HTTP library's own errors out; 3.x wraps them. Both resume."""
    failure = getattr(SDK_HTTP, raw)("peer closed connection without sending complete message body")
    script = Script([[event(0), failure], [completed(1)]])
    assert script.run().status == "completed"
    assert script.opened == [(RID, None), (RID, 0)]


@pytest.mark.parametrize("raw", ["RemoteProtocolError", "ReadTimeout"])
def test_an_exhausted_raw_transport_error_is_raised_as_the_sdk_raises_it(raw: str) -> None:
    failure = getattr(SDK_HTTP, raw)("gone")
    expected = openai.APITimeoutError if raw == "ReadTimeout" else openai.APIConnectionError
    with pytest.raises(expected) as caught:
        Script([[failure]]).run(max_poll_failures=1)
    assert isinstance(caught.value.__cause__, getattr(SDK_HTTP, raw))
