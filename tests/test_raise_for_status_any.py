"""``raise_for_status`` takes what other libraries hand out: a JSON dict, and any object with ``status`` /
``error`` / ``id`` / ``incomplete_details`` (litellm's ``ResponsesAPIResponse`` is a pydantic model of its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import openai
import pytest
from _sdk_http import SDK_HTTP
from _target import FORK
from pydantic import BaseModel

if FORK:
    pytest.skip("tested for the package; the fork's raise_for_status is the same function", allow_module_level=True)

from openai_background import (
    BackgroundResponseError,
    ResponseCancelledError,
    ResponseFailedError,
    ResponseIncompleteError,
    ResponseMalformedError,
    raise_for_status,
)


class ForeignError(BaseModel):
    code: str | None = None
    message: str | None = None


class ForeignResponse(BaseModel):
    """Shaped like litellm's ``ResponsesAPIResponse``: its own model, no ``http_response``, extra fields."""

    id: str
    status: str | None = None
    error: ForeignError | dict[str, Any] | None = None
    incomplete_details: dict[str, Any] | None = None
    output: list[Any] = []
    _hidden_params: dict[str, Any] = {}


@dataclass
class Plain:
    id: str
    status: str
    error: Any = None
    incomplete_details: Any = None


def shapes(status: str, **fields: Any) -> list[Any]:
    body = {"id": "resp_x", "object": "response", "status": status, **fields}
    error = fields.get("error")
    return [
        body,
        ForeignResponse(id="resp_x", status=status, **fields),
        ForeignResponse(
            id="resp_x",
            status=status,
            **{**fields, "error": ForeignError(**error) if isinstance(error, dict) else error},
        ),
        Plain("resp_x", status, error, fields.get("incomplete_details")),
    ]


@pytest.mark.parametrize("obj", shapes("failed", error={"code": "server_error", "message": "boom"}))
def test_a_failed_foreign_response_raises_the_sdk_class_of_its_code(obj: Any) -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        raise_for_status(obj)
    error: Any = caught.value
    assert (error.response_id, error.code, error.message, error.retryable) == ("resp_x", "server_error", "boom", True)
    assert error.final_response.id == "resp_x" and error.response.status_code == 500
    assert error.http_response.status_code == 200


@pytest.mark.parametrize("obj", shapes("failed", error=None))
def test_a_failed_foreign_response_without_error_still_raises(obj: Any) -> None:
    with pytest.raises(ResponseFailedError) as caught:
        raise_for_status(obj)
    assert caught.value.code is None and caught.value.response_id == "resp_x"


@pytest.mark.parametrize("obj", shapes("cancelled"))
def test_a_cancelled_foreign_response_raises(obj: Any) -> None:
    with pytest.raises(ResponseCancelledError):
        raise_for_status(obj)


@pytest.mark.parametrize("obj", shapes("incomplete", incomplete_details={"reason": "max_output_tokens"}))
def test_an_incomplete_foreign_response_raises_by_default_and_returns_when_asked(obj: Any) -> None:
    with pytest.raises(ResponseIncompleteError) as caught:
        raise_for_status(obj)
    assert caught.value.reason == "max_output_tokens"
    assert raise_for_status(obj, raise_on=("failed",)) is obj


@pytest.mark.parametrize("obj", shapes("completed") + shapes("in_progress"))
def test_a_foreign_response_that_did_not_fail_is_returned_as_given(obj: Any) -> None:
    assert raise_for_status(obj) is obj


@pytest.mark.parametrize(
    "obj",
    [{}, {"status": "paused"}, {1: "x", "status": None}, object(), {"id": 5, "status": "failed", "error": "text"}],
    ids=["empty", "unknown-status", "non-str-keys", "bare-object", "odd-types"],
)
def test_shapes_that_cannot_be_read_raise_the_typed_error_never_another(obj: Any) -> None:
    with pytest.raises(BackgroundResponseError) as caught:
        raise_for_status(obj)
    assert isinstance(caught.value.response_id, str)


def test_a_dict_keeps_the_request_id_it_carries_as_an_attribute() -> None:
    class WithRequestId(dict[str, Any]):
        _request_id = "req_123"

    with pytest.raises(openai.RateLimitError) as caught:
        raise_for_status(WithRequestId(id="resp_y", status="failed", error={"code": "rate_limit_exceeded"}))
    assert caught.value.request_id == "req_123"


def test_an_answer_a_strict_client_refuses_is_a_typed_error_naming_the_asked_id() -> None:
    def answer(request: Any) -> Any:  # a failed job whose body lacks what the Response schema requires
        return SDK_HTTP.Response(200, json={"id": "resp_x", "status": "failed"})

    http_client = SDK_HTTP.Client(transport=SDK_HTTP.MockTransport(answer))
    strict = openai.OpenAI(
        api_key="sk-test-0123456789",
        base_url="http://127.0.0.1:9/v1",
        http_client=http_client,
        max_retries=0,
        _strict_response_validation=True,
    )
    with pytest.raises(ResponseMalformedError) as caught:
        raise_for_status(strict.responses.with_raw_response.retrieve("resp_x"))
    assert caught.value.response_id == "resp_x"
    assert "validates strictly" in str(caught.value)
    assert isinstance(caught.value.__cause__, openai.APIResponseValidationError)
