"""The errors the framework modes raise: the client's mapping, with no job failure reading as a 404.

A 404 from ``responses.create`` / ``retrieve`` means "no such response" (pydantic-ai reads one from
``retrieve()`` as "the background job expired"); a job that failed with ``image_file_not_found`` is not
that, it is a request whose input named a missing file. So where a framework calls the SDK's own methods,
the NotFound family is raised as ``ResponseBadRequestError`` (``openai.BadRequestError``, status 400),
keeping ``code``, ``response_id``, ``retryable`` and everything else. ``poll`` keeps the plain mapping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openai import NotFoundError

from .._errors.exceptions import BackgroundResponseError, ResponseBadRequestError, ResponseFailedError
from .._waits.shells import _dispatch

if TYPE_CHECKING:
    from .._waits.program import Dispatch

__all__ = ["framework_dispatch", "not_a_404"]


def not_a_404(error: BackgroundResponseError | None) -> BackgroundResponseError | None:
    """``error``, or for a failed job mapped to the NotFound family, the same failure as a bad request."""
    if not isinstance(error, ResponseFailedError) or not isinstance(error, NotFoundError):
        return error
    return ResponseBadRequestError(
        str(error.args[0]) if error.args else str(error),
        response=error.http_response,
        body=error.body,
        response_id=error.response_id,
        final_response=error.final_response,
        retryable=error.retryable,
        code=error.code,
        error_message=error.message,
        param=error.param,
        error_type=error.type,
    )


def framework_dispatch(resource: Any) -> Dispatch:
    """The client's ``_make_background_failure_error`` for ``resource``, through ``not_a_404``. Its errors
    have ``err.response.status_code == err.status_code`` as every typed error does: frameworks classify by
    either (agno retries by ``err.response.status_code``: a 200 there would retry ``invalid_prompt``)."""
    base = _dispatch(resource)

    def dispatch(result: Any, *, response: Any, response_id: str | None = None) -> BackgroundResponseError | None:
        return not_a_404(base(result, response=response, response_id=response_id))

    return dispatch
