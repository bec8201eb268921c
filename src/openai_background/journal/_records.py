"""The journal's rows as data (``Job``) and the conversions between a ``Response`` and what is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from openai._models import construct_type
from openai.types.responses import Response

from .._compat import synthesize_poll_response
from .._errors.dispatch import make_background_failure_error

__all__ = ["COLUMNS", "Job", "end_of", "load_response", "positive", "text"]

COLUMNS = (
    "id, created_at, recorded_at, updated_at, model, status, base_url, metadata, stream_cursor, text_format, "
    "polls, finished, outcome, error_class, final_response, lease_owner, lease_expires, lease_host, lease_pid, "
    "lease_started"
)


@dataclass(frozen=True)
class Job:
    """One journal row. ``finished`` jobs have ``outcome`` (their final status) and ``final_response``
    (the terminal ``Response`` as JSON); ``error_class`` names the typed error the end stands for."""

    id: str
    created_at: float | None
    recorded_at: float
    updated_at: float
    model: str | None
    status: str | None
    base_url: str | None
    metadata: dict[str, Any] | None
    stream_cursor: int | None
    text_format: str | None
    polls: int
    finished: bool
    outcome: str | None
    error_class: str | None
    final_response: str | None
    lease_owner: str | None
    lease_expires: float | None
    lease_host: str | None = None
    """The holder's host (hostname/boot id/pid namespace), its pid and its start time: see ``_leases``."""
    lease_pid: int | None = None
    lease_started: str | None = None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Job:
        values = list(row)
        values[7] = json.loads(values[7]) if values[7] else None
        values[11] = bool(values[11])
        return cls(*values)

    def summary(self) -> dict[str, Any]:
        """The row as JSON-ready data, without the final response body."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "final_response"}
        fields["has_final_response"] = self.final_response is not None
        return fields


def load_response(text: str) -> Response:
    """A stored ``Response`` JSON read back as leniently as the SDK reads an answer."""
    return cast("Response", construct_type(type_=Response, value=json.loads(text)))


_STAND_IN = synthesize_poll_response("journal", None)
"""The HTTP answer the class-naming error is built with (only its class is kept): built once, not per job."""


def end_of(response: Response) -> tuple[str | None, str]:
    """The typed error class name a terminal response stands for (None for completed), and its JSON."""
    rid = text(getattr(response, "id", None)) or "<no id>"
    error = make_background_failure_error(response, response=_STAND_IN, response_id=rid)
    return (None if error is None else type(error).__name__), response.to_json(indent=None)


def positive(name: str, value: object) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{name} must be a number > 0, not {value!r}")
    return float(value)


def text(value: object) -> str | None:
    return value if isinstance(value, str) else None
