"""The API key never shows in an exception's str()/repr() nor in our log records; each poll is logged."""

from __future__ import annotations

import logging

import httpx
import pytest
from _target import LOGGER_NAME
from conftest import CANARY_KEY, Answer, Harness, failed, state

SCENARIOS = {
    "server_error": [state("in_progress"), failed("server_error")],
    "incomplete": [state("incomplete", incomplete_details={"reason": "max_output_tokens"})],
    "cancelled": [state("cancelled")],
    "unknown-status": [state("weird")],
    "exhausted-503": [Answer(status_code=503, body={"error": {"message": "down"}})],
    "unauthorized": [Answer(status_code=401, body={"error": {"message": "bad key"}})],
    "connection": [Answer(error=httpx.ConnectError)],
    "html": [Answer(raw=b"<html>proxy</html>")],
    "other-id": [state("completed", rid="resp_2")],
}


def _everything_said(error: BaseException) -> str:
    parts = [str(error), repr(error), *getattr(error, "__notes__", [])]
    if error.__context__ is not None:
        parts.append(_everything_said(error.__context__))
    return "\n".join(parts)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_key_never_leaks(harness: Harness, scenario: str, caplog: pytest.LogCaptureFixture) -> None:
    harness.api.gets = SCENARIOS[scenario]
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    with pytest.raises(Exception) as caught:
        harness.run("poll", "resp_1", max_poll_failures=2, max_wait_seconds=30, cancel_on_timeout=True)
    said = _everything_said(caught.value)
    assert "resp_1" in said
    assert CANARY_KEY not in said
    assert CANARY_KEY[10:30] not in said
    ours = [record for record in caplog.records if record.name == LOGGER_NAME]
    assert ours, "each poll is logged at DEBUG"
    for record in ours:
        assert CANARY_KEY not in record.getMessage()
        assert "authorization" not in record.getMessage().lower()


def test_each_poll_is_logged_with_status_sleep_and_failures(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.api.gets = [state("queued", hint_ms=80), Answer(status_code=503, body={}), state("completed")]
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    harness.run("poll", "resp_1")
    messages = [record.getMessage() for record in caplog.records if record.name == LOGGER_NAME]
    assert messages[0] == "poll resp_1: status=queued, next poll in 0.080s"
    assert messages[1].startswith("poll resp_1 failed (InternalServerError), failures=1, next poll in ")
    assert messages[2] == "poll resp_1: status=completed, done"
