"""Whatever the server sends, the caller gets a clear typed error naming the response id."""

from __future__ import annotations

import pytest
from _target import (
    BackgroundResponseError,
    ResponseFailedError,
    ResponseIncompleteError,
    ResponseMalformedError,
)
from conftest import Answer, Harness, state

MEGABYTE_MESSAGE = "x" * 1_000_000


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        pytest.param(None, None, None, id="error-null"),
        pytest.param("__missing__", None, None, id="error-missing"),
        pytest.param("the run blew up", None, "the run blew up", id="error-is-a-string"),
        pytest.param({"code": None, "message": "m"}, None, "m", id="code-null"),
        pytest.param({"code": 500, "message": "m"}, "500", "m", id="code-not-a-string"),
        pytest.param({"code": "server_error"}, "server_error", None, id="no-message"),
        pytest.param(["not", "an", "object"], None, None, id="error-is-a-list"),
    ],
)
def test_odd_failed_bodies_raise_a_failed_error(harness: Harness, error: object, code: object, message: object) -> None:
    fields = {} if error == "__missing__" else {"error": error}
    harness.api.gets = [state("failed", **fields)]
    with pytest.raises(ResponseFailedError) as caught:
        harness.run("poll", "resp_1")
    assert caught.value.response_id == "resp_1"
    assert "resp_1" in str(caught.value)
    assert caught.value.code == code
    if message is not None:
        assert caught.value.message == message


def test_a_megabyte_message_keeps_str_readable_and_the_attribute_whole(harness: Harness) -> None:
    harness.api.gets = [state("failed", error={"code": "server_error", "message": MEGABYTE_MESSAGE})]
    with pytest.raises(ResponseFailedError) as caught:
        harness.run("poll", "resp_1")
    assert len(str(caught.value)) < 1000
    assert "more characters" in str(caught.value)
    assert caught.value.message == MEGABYTE_MESSAGE


@pytest.mark.parametrize("status", ["paused", "", 7, ["failed"], {"nested": True}])
def test_an_unknown_status_raises_the_base_error(harness: Harness, status: object) -> None:
    harness.api.gets = [Answer(body={"id": "resp_1", "status": status})]
    with pytest.raises(BackgroundResponseError) as caught:
        harness.run("poll", "resp_1")
    assert type(caught.value) is BackgroundResponseError
    assert caught.value.response_id == "resp_1"


def test_a_missing_status_raises_the_base_error(harness: Harness) -> None:
    harness.api.gets = [state(None)]
    with pytest.raises(BackgroundResponseError) as caught:
        harness.run("poll", "resp_1")
    assert type(caught.value) is BackgroundResponseError
    assert caught.value.status is None
    assert "no status" in str(caught.value)


@pytest.mark.parametrize("details", [None, {}, {"reason": None}, "__missing__"])
def test_incomplete_without_details_has_no_reason(harness: Harness, details: object) -> None:
    fields = {} if details == "__missing__" else {"incomplete_details": details}
    harness.api.gets = [state("incomplete", **fields)]
    with pytest.raises(ResponseIncompleteError) as caught:
        harness.run("poll", "resp_1")
    assert caught.value.reason is None
    assert "no reason given" in str(caught.value)


def test_an_unknown_incomplete_reason_is_kept(harness: Harness) -> None:
    harness.api.gets = [state("incomplete", incomplete_details={"reason": "ran_out_of_tea"})]
    with pytest.raises(ResponseIncompleteError) as caught:
        harness.run("poll", "resp_1")
    assert caught.value.reason == "ran_out_of_tea"


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(Answer(raw=b"<html><body>Bad gateway</body></html>"), id="html"),
        pytest.param(Answer(raw=b""), id="empty"),
        pytest.param(Answer(raw=b"{not json", headers={"content-type": "application/json"}), id="broken-json"),
        pytest.param(Answer(body=["a", "list"]), id="json-list"),
        pytest.param(Answer(body="a string"), id="json-string"),
        pytest.param(Answer(body=None), id="json-null"),
    ],
)
def test_an_unreadable_body_gives_a_malformed_error_naming_the_id(harness: Harness, answer: Answer) -> None:
    harness.api.gets = [answer]
    with pytest.raises(ResponseMalformedError) as caught:
        harness.run("poll", "resp_1", max_poll_failures=1)
    assert caught.value.response_id == "resp_1"
    assert "resp_1" in str(caught.value)
    assert caught.value.status is None


def test_an_answer_for_another_id_raises_at_once(harness: Harness) -> None:
    harness.api.gets = [state("completed", rid="resp_other")]
    with pytest.raises(ResponseMalformedError) as caught:
        harness.run("poll", "resp_1")
    assert len(harness.api.polls) == 1
    assert caught.value.response_id == "resp_1"
    assert "resp_other" in str(caught.value)


def test_a_create_answer_without_id_is_malformed(harness: Harness) -> None:
    harness.api.create = Answer(body={"object": "response", "status": "queued"})
    with pytest.raises(ResponseMalformedError, match="no response id"):
        harness.run("create_and_poll", model="gpt-4o", input="hi")
    assert harness.api.polls == []
