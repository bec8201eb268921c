"""A server that echoes the API key back (status, error message, code, headers, ids, SSE errors, cancel
answers) never gets it into an exception's str/repr/args/notes, down its chain, nor into our log records."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from _target import LOGGER_NAME, raise_for_status
from conftest import CANARY_KEY, MODES
from hostile.bodies import raw_answer, sse_answer, stream_events
from hostile.server import Answer, HostileServer, json_answer, response_answer, response_body, route, script
from test_hostile_bodies import call, many, poll

from openai_background._errors.redact import REDACTED, Redactor, request_secrets

KEY = CANARY_KEY


def _failed(**error: Any) -> Answer:
    return response_answer("resp_1", "failed", error={"code": "server_error", "message": "x", **error})


POLL_ECHOES = {
    "status": response_answer("resp_1", KEY),
    "error-message": _failed(message=f"bad key {KEY} refused"),
    "error-code": _failed(code=KEY),
    "incomplete-reason": response_answer("resp_1", "incomplete", incomplete_details={"reason": KEY}),
    "content-type": Answer(200, [("content-type", f"text/html; key={KEY}")], f"<p>{KEY}</p>".encode()),
    "body-of-unreadable-answer": raw_answer(f"<html>{KEY}</html>".encode()),
    "id": json_answer({**response_body("resp_1", "completed"), "id": KEY}),
    "401-body": json_answer({"error": {"message": f"Incorrect API key provided: {KEY}"}}, status=401),
    "503-body": json_answer({"error": {"message": KEY}}, status=503),
}


def everything_said(error: BaseException, seen: set[int] | None = None) -> str:
    """str, repr, args and notes of ``error`` and every exception chained to it."""
    seen = set() if seen is None else seen
    if id(error) in seen:
        return ""
    seen.add(id(error))
    parts = [str(error), repr(error), repr(error.args), *getattr(error, "__notes__", [])]
    for attribute in ("message", "body", "code", "status", "reason", "last_status"):
        parts.append(repr(getattr(error, attribute, None)))
    for chained in (error.__cause__, error.__context__):
        if chained is not None:
            parts.append(everything_said(chained, seen))
    return "\n".join(parts)


def assert_no_key(text: str) -> None:
    assert KEY not in text
    assert KEY[3:30] not in text


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    return caplog


def _our_log(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records if record.name == LOGGER_NAME)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("echo", sorted(POLL_ECHOES))
def test_a_poll_never_repeats_an_echoed_key(mode: str, echo: str, logs: pytest.LogCaptureFixture) -> None:
    with HostileServer(script([POLL_ECHOES[echo]])) as server, pytest.raises(Exception) as caught:
        poll(mode, server, max_poll_failures=1)
    said = everything_said(caught.value)
    assert "resp_1" in said
    assert_no_key(said)
    assert_no_key(_our_log(logs))


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_cancel_echoing_the_key_leaves_no_trace_in_the_timeout_note(mode: str) -> None:
    failing_cancel = json_answer({"error": {"message": f"no cancel for {KEY}"}}, status=400)
    handler = route(
        get=response_answer("resp_1", "in_progress", [("openai-poll-after-ms", "50")]), cancel=failing_cancel
    )
    with HostileServer(handler) as server, pytest.raises(TimeoutError) as caught:
        poll(mode, server, max_wait_seconds=0.3, cancel_on_timeout=True)
    said = everything_said(caught.value)
    assert "cancel" in said
    assert_no_key(said)


STREAM_ECHOES = {
    "error-event": [
        stream_events()[0],
        {"type": "error", "sequence_number": 1, "code": "server_error", "message": KEY},
    ],
    "failed-event": [
        stream_events()[0],
        {
            "type": "response.failed",
            "sequence_number": 1,
            "response": response_body("resp_1", "failed", error={"code": "server_error", "message": KEY}),
        },
    ],
    "another-id": [
        stream_events()[0],
        {**stream_events()[2], "response": {**stream_events()[2]["response"], "id": KEY}},
    ],
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("echo", sorted(STREAM_ECHOES))
def test_a_stream_never_repeats_an_echoed_key(mode: str, echo: str, logs: pytest.LogCaptureFixture) -> None:
    handler = route(stream=sse_answer(STREAM_ECHOES[echo]), get=response_answer("resp_1", "in_progress"))
    with HostileServer(handler) as server, pytest.raises(Exception) as caught:
        poll(mode, server, wait="stream", max_poll_failures=1)
    assert_no_key(everything_said(caught.value))
    assert_no_key(_our_log(logs))


@pytest.mark.parametrize("mode", MODES)
def test_poll_many_outcomes_never_repeat_an_echoed_key(mode: str, logs: pytest.LogCaptureFixture) -> None:
    with HostileServer(script([_failed(message=KEY)])) as server:
        outcomes = many(mode, server, ["resp_1"], poll_interval_ms=10)
    error = outcomes["resp_1"].error
    assert error is not None
    assert_no_key(everything_said(error))
    assert_no_key(_our_log(logs))


def test_raise_for_status_on_a_raw_answer_scrubs_the_key_its_request_carried() -> None:
    with HostileServer(script([_failed(message=f"echo {KEY}")])) as server, pytest.raises(Exception) as caught:
        call("sync", server, lambda client: raise_for_status(client.responses.with_raw_response.retrieve("resp_1")))
    assert_no_key(everything_said(caught.value))
    assert REDACTED in str(caught.value)


def test_the_redactor_scrubs_every_secret_and_keeps_short_values() -> None:
    redactor = Redactor([KEY, "short", None, 42])
    assert redactor.text(f"a {KEY} b {KEY}") == f"a {REDACTED} b {REDACTED}"
    assert redactor.text("short stays") == "short stays"
    assert redactor.value({"a": [KEY, {"b": KEY}]}) == {"a": [REDACTED, {"b": REDACTED}]}


def test_request_secrets_reads_bearer_and_azure_keys() -> None:
    class Request:
        def __init__(self) -> None:
            self.headers = {"authorization": f"Bearer {KEY}", "api-key": "azure-key-0123456789"}

    assert request_secrets(Request()) == (KEY, "azure-key-0123456789")
    assert request_secrets(object()) == ()
