"""Every server hint (``openai-poll-after-ms``, ``retry-after``, ``retry-after-ms``) is clamped to
``[HINT_FLOOR, HINT_CEILING]`` = [0.05 s, 60 s]: absurd, infinite, negative or zero values never sleep for
years, never raise ``OverflowError`` and never hammer the server; a non-number is ignored."""

from __future__ import annotations

import pytest
from _target import ResponseMalformedError, internal
from conftest import Answer, Harness, state

cadence = internal("_waits.cadence")
FLOOR, CEILING = cadence.HINT_FLOOR, cadence.HINT_CEILING


def test_the_documented_range() -> None:
    assert (FLOOR, CEILING) == (0.05, 60.0)


POLL_HINTS = [
    ("1e13", CEILING),
    ("1e12", CEILING),
    ("1e400", CEILING),  # parses as infinity
    ("inf", CEILING),
    ("-5", FLOOR),
    ("0", FLOOR),
    ("nan", 1.0),  # not a number: ignored, the default interval
    ("soon", 1.0),
    ("250", 0.25),
]


@pytest.mark.parametrize(("hint", "slept"), POLL_HINTS)
def test_a_poll_hint_is_clamped(harness: Harness, hint: str, slept: float) -> None:
    running = state("in_progress")
    running.headers["openai-poll-after-ms"] = hint
    harness.api.gets = [running, state("completed")]
    assert harness.run("poll", "resp_1").status == "completed"
    assert harness.clock.sleeps == [slept]


@pytest.mark.parametrize(
    ("headers", "slept"),
    [
        ({"retry-after": "100"}, CEILING),
        ({"retry-after-ms": "60000000"}, CEILING),
        ({"retry-after-ms": "1e13"}, CEILING),
        ({"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"}, CEILING),
        ({"retry-after": "0"}, FLOOR),
        ({"retry-after-ms": "-1"}, FLOOR),
        ({"openai-poll-after-ms": "0"}, FLOOR),
    ],
)
def test_a_retry_hint_is_clamped(harness: Harness, headers: dict[str, str], slept: float) -> None:
    harness.api.gets = [Answer(status_code=503, body={}, headers=headers), state("completed")]
    assert harness.run("poll", "resp_1").status == "completed"
    assert harness.clock.sleeps == [slept]


def test_the_caller_s_interval_is_not_a_hint(harness: Harness) -> None:
    harness.api.gets = [state("in_progress", hint_ms=0), state("completed")]
    harness.run("poll", "resp_1", poll_interval_ms=10)
    assert harness.clock.sleeps == [0.01]


def test_an_unreadable_job_without_a_deadline_gives_up_in_bounded_time(harness: Harness) -> None:
    """Documented: ``max_poll_failures`` (10) polls, the backoff between them summing to at most 121.5 s."""
    harness.api.gets = [Answer(raw=b"<html>proxy</html>")]
    with pytest.raises(ResponseMalformedError):
        harness.run("poll", "resp_1")
    assert len(harness.clock.sleeps) == 9
    assert sum(harness.clock.sleeps) <= cadence.worst_failure_backoff(10) == 121.5


def test_sync_poll_many_clamps_an_absurd_hint(sync_harness: Harness) -> None:
    running = state("in_progress")
    running.headers["openai-poll-after-ms"] = "1e13"  # was a raw OverflowError that lost the other outcomes
    sync_harness.api.gets = [running, state("completed")]
    outcomes = sync_harness.call(lambda client: list(client.responses.poll_many(["resp_1"])))
    assert [outcome.response.status for outcome in outcomes] == ["completed"]
    assert max(sync_harness.clock.sleeps) == pytest.approx(CEILING)  # the scheduler sleeps until a due time
