"""How ``openai-background wait`` reports the end of a wait: its exit status and its final output.

Every way a wait can end maps to one :class:`ExitStatus` (the table is data, printed by ``--help``), and
to one set of fields (class, code, message, retryable, request id...) printed as plain ``name: value``
lines or as one JSON object. Everything written passes through :meth:`Report.scrub`, so the API key is
never printed, even when a server echoes it back in an error message, and server text cannot drive the
terminal: control characters, bidirectional overrides and lone surrogates are printed as escapes.

A completed response always exits 0, whatever its output holds: if its output cannot be shown, a note
says so on stderr. A bug of this package (an exception that is no outcome of a wait) exits 70
(``EX_SOFTWARE``), never 1, which means "the response failed".
"""

from __future__ import annotations

import json
from enum import IntEnum
from typing import TYPE_CHECKING, Final, TextIO

from openai import APIConnectionError, APIStatusError

from .._errors.exceptions import (
    BackgroundResponseError,
    ResponseCancelledError,
    ResponseFailedError,
    ResponseIncompleteError,
    ResponseMalformedError,
    ResponsePollTimeoutError,
)
from .._errors.redact import Redactor
from .._waits.cadence import is_transient
from .terminal import terminal_text

if TYPE_CHECKING:
    from openai.types.responses import Response

__all__ = ["EXIT_STATUS_TABLE", "ExitStatus", "Report", "exit_status_for", "outcome_fields"]


class ExitStatus(IntEnum):
    COMPLETED = 0
    FAILED = 1
    USAGE = 2
    FAILED_RETRYABLE = 3
    INCOMPLETE = 4
    CANCELLED = 5
    TIMED_OUT = 6
    UNREACHABLE = 7
    INTERNAL = 70
    INTERRUPTED = 130


EXIT_STATUS_TABLE: Final[tuple[tuple[ExitStatus, str], ...]] = (
    (ExitStatus.COMPLETED, "completed"),
    (ExitStatus.FAILED, "failed, not retryable (also: a status this package does not know)"),
    (ExitStatus.USAGE, "usage error: bad arguments, OPENAI_API_KEY not set, or the API refused the poll (4xx)"),
    (ExitStatus.FAILED_RETRYABLE, "failed, retryable: a new create() may succeed"),
    (ExitStatus.INCOMPLETE, "incomplete"),
    (ExitStatus.CANCELLED, "cancelled"),
    (ExitStatus.TIMED_OUT, "timed out (--timeout)"),
    (ExitStatus.UNREACHABLE, "could not reach the API: connection errors, or too many failed polls in a row"),
    (ExitStatus.INTERNAL, "internal error of openai-background (a bug: please report it); the job may still run"),
    (ExitStatus.INTERRUPTED, "interrupted (Ctrl-C)"),
)

_LABELS: Final = {
    ExitStatus.FAILED: "failed",
    ExitStatus.USAGE: "usage error",
    ExitStatus.FAILED_RETRYABLE: "failed",
    ExitStatus.INCOMPLETE: "incomplete",
    ExitStatus.CANCELLED: "cancelled",
    ExitStatus.TIMED_OUT: "timed out",
    ExitStatus.UNREACHABLE: "could not reach the API",
    ExitStatus.INTERNAL: "internal error",
    ExitStatus.INTERRUPTED: "interrupted",
}


def exit_status_for(error: BaseException) -> ExitStatus | None:
    """The exit status an exception leaving ``responses.poll`` means; None for one that is a bug."""
    if isinstance(error, ResponsePollTimeoutError):
        return ExitStatus.TIMED_OUT
    if isinstance(error, ResponseIncompleteError):
        return ExitStatus.INCOMPLETE
    if isinstance(error, ResponseCancelledError):
        return ExitStatus.CANCELLED
    if isinstance(error, BackgroundResponseError) and not isinstance(error, ResponseMalformedError):
        return ExitStatus.FAILED_RETRYABLE if error.retryable else ExitStatus.FAILED
    if is_transient(error):  # only escapes the loop once --max-poll-failures polls in a row failed
        return ExitStatus.UNREACHABLE
    if isinstance(error, APIStatusError):  # 400/401/403/404/422: wrong id, key or URL
        return ExitStatus.USAGE
    if isinstance(error, ValueError):
        return ExitStatus.USAGE
    return None


def outcome_fields(error: BaseException, *, resume: str | None = None) -> dict[str, object]:
    """What a user needs to know about ``error``, in print order; None values are left out of plain text."""
    fields: dict[str, object] = {"class": type(error).__name__}
    if isinstance(error, ResponseFailedError):
        fields.update(code=error.code, message=error.message, param=error.param)
    elif isinstance(error, APIStatusError):
        fields.update(code=error.code, message=str(error))
    else:
        fields["message"] = str(error) or type(error).__name__
    if isinstance(error, ResponseIncompleteError):
        fields["reason"] = error.reason
    if isinstance(error, BackgroundResponseError):
        fields.update(status=error.status, retryable=error.retryable)
    elif isinstance(error, APIStatusError):
        fields["http_status"] = error.status_code
    if isinstance(error, ResponsePollTimeoutError):
        fields["last_status"] = error.last_status
    if isinstance(error, (APIStatusError, APIConnectionError)):
        fields["request_id"] = getattr(error, "request_id", None)
    fields["response_id"] = getattr(error, "response_id", None)
    fields["resume"] = resume
    return fields


class Report:
    """Writes the final output: the result on ``out``; in plain mode, failures on ``err``."""

    def __init__(self, out: TextIO, err: TextIO, *, as_json: bool, secret: str | None) -> None:
        self.out = out
        self.err = err
        self.as_json = as_json
        self.secret = secret
        self._redactor = Redactor([secret])

    def scrub(self, text: str) -> str:
        """``text`` safe to print: the API key replaced (keys shorter than 8 characters are not real keys),
        control characters escaped (``terminal_text``)."""
        return terminal_text(text, self._redactor)

    def completed(self, response: Response) -> ExitStatus:
        """Print a completed response; exits 0 whatever its output holds (not a list, odd text)."""
        try:
            text = (
                json.dumps(response.to_dict(mode="json", warnings=False), indent=2)
                if self.as_json
                else _output(response)
            )
        except Exception as error:  # a response built leniently from odd JSON: still completed
            self._write(self.err, f"completed, but its output could not be shown ({type(error).__name__})\n")
            return ExitStatus.COMPLETED
        if text:
            self._write(self.out, text + "\n")
        return ExitStatus.COMPLETED

    def ended(
        self, status: ExitStatus, fields: dict[str, object], response: Response | None = None, *, label: str = ""
    ) -> ExitStatus:
        """Report a wait that did not complete: ``{"error": fields}`` as JSON, or labelled lines."""
        if self.as_json:
            body: dict[str, object] = {"error": fields, "exit_status": int(status)}
            if response is not None:
                body["response"] = response.to_dict(mode="json", warnings=False)
            self._write(self.out, json.dumps(body, indent=2) + "\n")
            return status
        shown = {name: value for name, value in fields.items() if name != "class" and value is not None}
        heading = fields["class"]
        if heading == "UsageError":  # no exception class to name: the problem itself is the heading
            heading = shown.pop("message", heading)
        width = max((len(name) for name in shown), default=0) + 1
        lines = [f"{label or _LABELS.get(status, 'error')}: {heading}"]
        lines += [f"  {name.replace('_', ' ') + ':':<{width}} {_plain(value)}" for name, value in shown.items()]
        self._write(self.err, "\n".join(lines) + "\n")
        return status

    def _write(self, stream: TextIO, text: str) -> None:
        stream.write(self.scrub(text))
        stream.flush()


def _output(response: Response) -> str:
    """``output_text``, or nothing when the output is not the list of items it should be."""
    try:
        return response.output_text
    except Exception:  # output not a list, items of the wrong shape
        return ""


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)
