"""The code -> class table against the installed SDK, and what each class promises."""

from __future__ import annotations

import typing

import openai
import pytest
from _sdk_http import SDK_HTTP
from _target import (
    BackgroundResponseError,
    OpenAI,
    ResponseBadRequestError,
    ResponseFailedError,
    ResponseNotFoundError,
    ResponsePermissionDeniedError,
    ResponseRateLimitError,
    ResponseServerError,
    internal,
    make_background_failure_error,
)
from openai.types.responses import Response, ResponseStatus
from openai.types.responses.response import IncompleteDetails
from openai.types.responses.response_error import ResponseError

_codes = internal("_errors.codes")
FAILURE_CLASSES = _codes.FAILURE_CLASSES
INCOMPLETE_REASONS = _codes.INCOMPLETE_REASONS
PENDING_STATUSES = _codes.PENDING_STATUSES
RETRYABLE_CODES = _codes.RETRYABLE_CODES
TERMINAL_STATUSES = _codes.TERMINAL_STATUSES


def _literal_values(annotation: object) -> set[str]:
    """Every string in a (possibly Optional/Union-wrapped) Literal annotation."""
    found: set[str] = set()
    for arg in typing.get_args(annotation):
        if isinstance(arg, str):
            found.add(arg)
        else:
            found |= _literal_values(arg)
    return found


def _field_annotation(model: type, name: str) -> object:
    """The field's declared type, as the SDK's generated model spells it (no string annotations there)."""
    annotation = model.__annotations__[name]
    assert not isinstance(annotation, str), "the SDK now uses string annotations: resolve them here"
    return annotation


SDK_CODES = sorted(_literal_values(_field_annotation(ResponseError, "code")))
SDK_REASONS = sorted(_literal_values(_field_annotation(IncompleteDetails, "reason")))
SDK_STATUSES = sorted(_literal_values(ResponseStatus))

EXPECTED_FAMILY = {
    ResponseServerError: (openai.InternalServerError, 500),
    ResponseRateLimitError: (openai.RateLimitError, 429),
    ResponseBadRequestError: (openai.BadRequestError, 400),
    ResponseNotFoundError: (openai.NotFoundError, 404),
    ResponsePermissionDeniedError: (openai.PermissionDeniedError, 403),
}


def _poll_answer() -> typing.Any:
    request = SDK_HTTP.Request("GET", "https://api.openai.com/v1/responses/resp_1")
    return SDK_HTTP.Response(200, headers={"x-request-id": "req_poll"}, request=request)


def _failed(code: object, message: object = "details") -> Response:
    return Response.construct(
        id="resp_1", status="failed", error={"code": code, "message": message, "param": "input", "type": "x"}
    )


def test_the_sdk_declares_codes_reasons_and_statuses() -> None:
    assert "server_error" in SDK_CODES
    assert "max_output_tokens" in SDK_REASONS
    assert "failed" in SDK_STATUSES


@pytest.mark.parametrize("code", SDK_CODES)
def test_every_sdk_code_is_placed_in_the_table(code: str) -> None:
    assert code in FAILURE_CLASSES, f"{code!r} is new in the SDK: place it in _codes.FAILURE_CLASSES"


@pytest.mark.parametrize("code", SDK_CODES)
def test_every_sdk_code_maps_to_its_class(code: str) -> None:
    error = make_background_failure_error(_failed(code), response=_poll_answer())
    expected = FAILURE_CLASSES[code]
    assert type(error) is expected
    family, status_code = EXPECTED_FAMILY[expected]
    assert isinstance(error, family)
    assert error.status_code == status_code
    assert error.response.status_code == status_code and error.http_response.status_code == 200
    assert error.code == code
    assert error.retryable is (code in {"server_error", "rate_limit_exceeded", "vector_store_timeout"})


@pytest.mark.parametrize("reason", SDK_REASONS)
def test_every_sdk_incomplete_reason_is_known(reason: str) -> None:
    assert reason in INCOMPLETE_REASONS


@pytest.mark.parametrize("status", SDK_STATUSES)
def test_every_sdk_status_is_pending_or_terminal(status: str) -> None:
    assert status in PENDING_STATUSES | TERMINAL_STATUSES


def test_retryable_codes_are_exactly_the_transient_ones() -> None:
    assert {"server_error", "rate_limit_exceeded", "vector_store_timeout"} == RETRYABLE_CODES


@pytest.mark.parametrize("code", ["brand_new_code", "Server_Error", ""])
def test_unknown_code_is_never_guessed(code: str) -> None:
    error = make_background_failure_error(_failed(code), response=_poll_answer())
    assert type(error) is ResponseFailedError
    assert not isinstance(error, openai.InternalServerError)
    assert error.code == code
    assert error.retryable is False
    assert error.status_code == 200


def test_failed_error_carries_the_error_object_like_api_error() -> None:
    error = make_background_failure_error(_failed("invalid_prompt", "no"), response=_poll_answer())
    assert isinstance(error, ResponseFailedError)
    assert (error.code, error.param, error.type, error.message) == ("invalid_prompt", "input", "x", "no")
    assert error.body == {"code": "invalid_prompt", "message": "no", "param": "input", "type": "x"}
    assert error.request_id == "req_poll"
    assert error.status == "failed"
    assert error.final_response is not None and error.final_response.id == "resp_1"


@pytest.mark.parametrize("status", ["completed", "queued", "in_progress"])
def test_non_failures_give_none(status: str) -> None:
    result = Response.construct(id="resp_1", status=status)
    assert make_background_failure_error(result, response=_poll_answer()) is None


def test_client_method_sits_beside_make_status_error() -> None:
    client = OpenAI(api_key="sk-test", base_url="http://fake.test/v1")
    assert callable(client._make_status_error)
    error = client._make_background_failure_error(_failed("server_error"), response=_poll_answer())
    assert isinstance(error, ResponseServerError)
    assert (
        client._make_background_failure_error(Response.construct(status="completed"), response=_poll_answer()) is None
    )


def test_except_api_status_error_catches_every_background_failure() -> None:
    for cls in (BackgroundResponseError, ResponseFailedError, *EXPECTED_FAMILY):
        assert issubclass(cls, openai.APIStatusError)
