"""What one request to the fake server gets: an :class:`Answer` (a job's state, an HTTP error, raw bytes,
a dropped connection, a slow answer). Scripts (``_script``, ``_stream_script``) are made of these."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final, Literal

__all__ = ["MISSING", "Answer", "AnswerKind"]

AnswerKind = Literal["state", "http_error", "raw", "json", "drop", "slow"]


class _Missing:
    """Type of :data:`MISSING`; use the singleton, never instantiate this."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


#: Value for ``Answer.state(extra=...)`` that removes a key from the rendered body.
MISSING: Final = _Missing()


def _header_pairs(headers: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple((name.lower(), value) for name, value in (headers or {}).items())


@dataclass(frozen=True, repr=False)
class Answer:
    """What one request gets.  Build it with the classmethod factories.

    Answers are immutable; ``state`` answers are rendered against the job they
    are served for (id, creation time, metadata), everything else is sent as is.
    """

    kind: AnswerKind
    status_code: int = 200
    status: str | None = None
    error: Mapping[str, object] | None = None
    incomplete_details: Mapping[str, object] | None = None
    output_text: str | None = None
    poll_after_ms: int | None = None
    extra: Mapping[str, object] | None = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    after_headers: bool = False
    seconds: float = 0.0
    then: Answer | None = None

    def __repr__(self) -> str:
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)[1:] if getattr(self, f.name) != f.default]
        return f"Answer<{self.kind}>({', '.join(parts)})"

    @classmethod
    def state(
        cls,
        status: str,
        *,
        error: Mapping[str, object] | None = None,
        incomplete_details: Mapping[str, object] | None = None,
        output_text: str | None = None,
        poll_after_ms: int | None = None,
        extra: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """HTTP 200 with an OpenAI ``Response`` JSON body for the job in ``status``.

        ``output_text`` adds one assistant message output item.  ``extra`` is
        merged last into the top-level body; a value of :data:`MISSING` removes
        that key.  ``poll_after_ms`` sends the ``openai-poll-after-ms`` header.
        """
        return cls(
            "state",
            status=status,
            error=error,
            incomplete_details=incomplete_details,
            output_text=output_text,
            poll_after_ms=poll_after_ms,
            extra=extra,
            headers=_header_pairs(headers),
        )

    @classmethod
    def http_error(
        cls,
        status_code: int,
        *,
        body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """``status_code`` with a JSON error body (``body`` if given) and extra headers."""
        if body is None:
            body = {
                "error": {
                    "message": f"fake {status_code}",
                    "type": "server_error",
                    "code": None,
                    "param": None,
                }
            }
        encoded = json.dumps(body).encode()
        return cls("http_error", status_code=status_code, body=encoded, headers=_header_pairs(headers))

    @classmethod
    def raw(
        cls,
        body: bytes,
        *,
        status_code: int = 200,
        content_type: str = "text/html",
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Arbitrary bytes with the given status and content type."""
        return cls(
            "raw",
            status_code=status_code,
            body=bytes(body),
            content_type=content_type,
            headers=_header_pairs(headers),
        )

    @classmethod
    def json(cls, obj: object, *, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Answer:
        """Any JSON value, sent as is (not rendered against the job)."""
        encoded = json.dumps(obj).encode()
        return cls("json", status_code=status_code, body=encoded, headers=_header_pairs(headers))

    @classmethod
    def drop(cls, *, after_headers: bool = False) -> Answer:
        """Close the connection without answering.

        With ``after_headers=True`` the status line and headers (announcing a
        content-length) and part of the body are sent before closing.
        """
        return cls("drop", after_headers=after_headers)

    @classmethod
    def slow(cls, seconds: float, then: Answer) -> Answer:
        """Wait ``seconds`` (without blocking other connections), then serve ``then``."""
        return cls("slow", seconds=seconds, then=then)
