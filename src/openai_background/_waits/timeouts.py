"""How a wait ends without an answer: the timeout (with its optional cancel) and the response id on errors.

Shared by the poll program (``_loop.py``) and the stream program; no I/O here, only the steps the end
needs (``CANCEL``) and the exceptions it raises.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final

from openai import APIStatusError
from openai.types.responses import Response

from .._errors.exceptions import BackgroundResponseError, ResponseMalformedError, ResponsePollTimeoutError

__all__ = [
    "MAX_REASON_CHARS",
    "ResponseIdOnErrors",
    "add_note",
    "attach_response_id",
    "is_unknown_id",
    "no_response_id",
    "time_out",
    "timeout_error",
    "unknown_id_note",
]

MAX_REASON_CHARS: Final = 300
"""A timeout's message quotes at most this much of the last poll failure's message."""


def time_out(
    rid: str,
    options: Any,
    last: Response | None,
    *,
    cancel: object,
    failures: int = 0,
    failure: Exception | None = None,
) -> Generator[Any, Any, None]:
    """Raise ``ResponsePollTimeoutError``, first yielding ``cancel`` (the cancel step) if the caller asked
    for it. ``failures``/``failure``: the polls that failed in a row just before the deadline, and the
    last of them, which becomes the error's ``__cause__`` and is named in its message."""
    if not options.cancel_on_timeout:
        outcome = f"it may still be running: resume with client.responses.poll({rid!r})"
        raise _caused(timeout_error(rid, options, last, outcome, failures, failure), failure)
    try:
        yield cancel
    except Exception as cancel_error:
        outcome = f"cancelling it failed ({type(cancel_error).__name__}), so it may still be running"
        error = timeout_error(rid, options, last, outcome, failures, failure)
        add_note(error, f"cancel_on_timeout: POST /responses/{rid}/cancel failed: {cancel_error}")
        raise _caused(error, failure)  # noqa: B904 - without a poll failure, the cancel failure stays as __context__
    outcome = "a cancel request was sent (cancel_on_timeout=True)"
    raise _caused(timeout_error(rid, options, last, outcome, failures, failure), failure)


def _caused(error: ResponsePollTimeoutError, failure: Exception | None) -> ResponsePollTimeoutError:
    if failure is not None:
        error.__cause__ = failure
    return error


def timeout_error(
    rid: str,
    options: Any,
    last: Response | None,
    outcome: str,
    failures: int = 0,
    failure: Exception | None = None,
) -> ResponsePollTimeoutError:
    status = getattr(last, "status", None)
    status = status if isinstance(status, str) else None
    return ResponsePollTimeoutError(
        f"Background response {rid} did not finish within {options.max_wait:g} s "
        f"(last status: {status or 'none seen'}{failed_polls(failures, failure)}); {outcome}",
        response_id=rid,
        last_status=status,
        last_response=last,
    )


def failed_polls(failures: int, failure: Exception | None) -> str:
    """``"; the last 6 answers could not be read: <why>"``, or nothing when the last poll succeeded."""
    if not failures or failure is None:
        return ""
    reason = " ".join(str(failure).split())[:MAX_REASON_CHARS] or "no message"
    if isinstance(failure, ResponseMalformedError):
        what = "answer could not be read" if failures == 1 else f"{failures} answers could not be read"
        return f"; the last {what}: {reason}"
    what = "poll failed" if failures == 1 else f"{failures} polls failed in a row"
    return f"; the last {what}: {type(failure).__name__}: {reason}"


def attach_response_id(error: BaseException, rid: str, *, failures: int | None = None) -> None:
    """Name the response on an exception leaving a wait, so the job is never lost: attribute
    ``response_id`` and a note saying how to resume."""
    if getattr(error, "response_id", None) is not None:
        return
    try:
        error.response_id = rid  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - exceptions with __slots__
        return
    if is_unknown_id(error):
        add_note(error, unknown_id_note(rid))
        return
    after = f" after {failures} failed poll(s) in a row" if failures else ""
    add_note(
        error,
        f"Background response {rid}: polling stopped{after}; the job may still be running. "
        f"Resume with client.responses.poll({rid!r}).",
    )


def is_unknown_id(error: BaseException) -> bool:
    """Whether ``error`` is the server saying it knows no such response (HTTP 404 or 410 on the id itself)."""
    if isinstance(error, BackgroundResponseError):  # a job that failed (image_file_not_found), not a lost id
        return False
    return isinstance(error, APIStatusError) and error.status_code in (404, 410)


def unknown_id_note(rid: str) -> str:
    """The note on a 404 for ``rid``: nothing is running there to resume."""
    return (
        f"Background response {rid}: the server knows no response with this id: it is unknown (a typo, another "
        "project or organization, another base_url) or expired (stored responses are deleted after a while). "
        "Polling it again will not help."
    )


class ResponseIdOnErrors:
    """``with ResponseIdOnErrors() as named:`` around a create and its wait: every exception leaving the block
    without a ``response_id`` gets ``named.rid`` as one: None until the create answer named the response
    (``no_response_id``), its id after. Only the attribute: whoever raised already said what to do."""

    rid: str | None = None

    def __enter__(self) -> ResponseIdOnErrors:
        return self

    def __exit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        if isinstance(error, Exception) and getattr(error, "response_id", None) is None:
            try:
                error.response_id = self.rid  # type: ignore[attr-defined]
            except AttributeError:  # pragma: no cover - exceptions with __slots__
                return


def no_response_id(error: BaseException) -> None:
    """Set ``response_id = None`` on an exception raised before any response existed (the create request
    failed), so ``err.response_id`` reads the same on every error leaving a wait; an id already set is kept."""
    if not hasattr(error, "response_id"):
        try:
            error.response_id = None  # type: ignore[attr-defined]
        except AttributeError:  # pragma: no cover - exceptions with __slots__
            return


def add_note(error: BaseException, note: str) -> None:
    """``error.add_note(note)``. Python 3.10 has no ``add_note``: there the note goes into ``__notes__`` (the
    PEP 678 attribute, which pytest and the ``exceptiongroup`` backport show) and, where the message is the
    first argument, into the message too."""
    add = getattr(error, "add_note", None)  # Python 3.11+
    if add is not None:
        add(note)
        return
    notes = getattr(error, "__notes__", None)
    error.__notes__ = [*(notes if isinstance(notes, list) else []), note]  # type: ignore[attr-defined]
    if error.args and isinstance(error.args[0], str):
        error.args = (f"{error.args[0]}\n{note}", *error.args[1:])
