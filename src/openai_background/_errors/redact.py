"""Keeping the client's credentials out of everything this package says: exceptions and log records.

A hostile or broken server can echo the API key back (in a status, an error message, a header, a body). The
one place that scrubs is a ``Redactor``, built from the client (``redactor_for``): every wait's program runs
inside ``redacting(program, redactor)``, so each exception leaving a wait, poll, stream or ``poll_many`` job has
its message, ``args``, notes and readable text attributes scrubbed, down its ``__cause__``/``__context__``
chain. The same secrets are remembered for the package logger's filter (records of logger
``openai_background`` are formatted and scrubbed before any handler sees them).

What counts as a secret: the API key, and an Azure AD token given as a string. Organization and project ids
are not: they name an account, they do not authenticate one, and users need to see them in errors. Values
shorter than 8 characters are not scrubbed (no real key is that short, and scrubbing "sk" would mangle text).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator, Iterable, Mapping
from typing import Any, Final, TypeVar, cast

__all__ = ["REDACTED", "Redactor", "redacting", "redactor_for", "request_secrets", "seen_secrets"]

REDACTED: Final = "[redacted]"
MIN_SECRET_LENGTH: Final = 8
_TEXT_ATTRIBUTES: Final = ("message", "code", "param", "type", "status", "reason", "last_status", "body")
"""Attributes of our and the SDK's exceptions that may hold server text (``str``, or ``body``'s mapping)."""

S = TypeVar("S")
T = TypeVar("T")


class Redactor:
    """Replaces each of ``secrets`` with ``[redacted]`` in text, in nested bodies and in exceptions."""

    def __init__(self, secrets: Iterable[object] = ()) -> None:
        found = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET_LENGTH}
        self.secrets: tuple[str, ...] = tuple(sorted(found, key=len, reverse=True))  # longest first

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def text(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def value(self, value: object, depth: int = 0) -> object:
        """``value`` with secrets scrubbed from its strings; mappings and lists are copied, up to 20 deep."""
        if isinstance(value, str):
            return self.text(value)
        if depth > 20:
            return value
        if isinstance(value, Mapping):
            mapping = cast("Mapping[object, object]", value)
            return {key: self.value(item, depth + 1) for key, item in mapping.items()}
        if isinstance(value, list):
            return [self.value(item, depth + 1) for item in cast("list[object]", value)]
        return value

    def error(self, error: BaseException) -> None:
        """Scrub ``error`` in place (``args``, notes, text attributes) and every exception chained to it."""
        if not self:
            return
        seen: set[int] = set()
        current: BaseException | None = error
        pending: list[BaseException] = []
        while current is not None or pending:
            if current is None:
                current = pending.pop()
            if id(current) in seen:
                current = None
                continue
            seen.add(id(current))
            self._scrub_one(current)
            if current.__context__ is not None:
                pending.append(current.__context__)
            current = current.__cause__

    def _scrub_one(self, error: BaseException) -> None:
        try:
            error.args = tuple(self.value(arg) for arg in error.args)
            notes: object = getattr(error, "__notes__", None)
            if isinstance(notes, list):
                kept = cast("list[object]", notes)
                kept[:] = [self.text(note) if isinstance(note, str) else note for note in kept]
            for name in _TEXT_ATTRIBUTES:
                held: object = getattr(error, name, None)
                if isinstance(held, (str, Mapping, list)):
                    scrubbed = self.value(cast("object", held))
                    if scrubbed != held:
                        setattr(error, name, scrubbed)
        except Exception:  # pragma: no cover - an exception type that refuses assignment keeps its text
            return


def redactor_for(resource: object) -> Redactor:
    """The ``Redactor`` of the client behind ``resource`` (a responses resource, or a client); its secrets
    are remembered for the package logger's filter too."""
    client: Any = getattr(resource, "_client", resource)
    redactor = Redactor((getattr(client, "api_key", None), getattr(client, "_azure_ad_token", None)))
    _FILTER.remember(redactor.secrets)
    return redactor


def request_secrets(request: object) -> tuple[str, ...]:
    """The credentials a request carried (``Authorization: Bearer ...``, Azure's ``api-key``), for a redactor
    built where no client is at hand (``raise_for_status``); none for a stand-in request."""
    headers: Any = getattr(request, "headers", None)
    if headers is None:
        return ()
    bearer = str(headers.get("authorization", ""))
    token = bearer[7:] if bearer[:7].lower() == "bearer " else ""
    return tuple(secret for secret in (token, str(headers.get("api-key", ""))) if secret)


def seen_secrets() -> Redactor:
    """A ``Redactor`` of every secret a ``redactor_for`` has seen in this process (for text with no client at hand)."""
    return _FILTER.redactor


def redacting(program: Generator[S, Any, T], redactor: Redactor) -> Generator[S, Any, T]:
    """``program``, step for step, with every exception it raises scrubbed by ``redactor``."""
    try:
        return (yield from program)
    except BaseException as error:
        redactor.error(error)
        raise


class _LogFilter(logging.Filter):
    """Scrubs the records of the package logger of every secret a ``redactor_for`` has seen in this process."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._redactor = Redactor()

    def remember(self, secrets: Iterable[str]) -> None:
        new = set(secrets).difference(self._redactor.secrets)
        if new:
            with self._lock:
                self._redactor = Redactor((*self._redactor.secrets, *new))

    @property
    def redactor(self) -> Redactor:
        return self._redactor

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = self._redactor
        if redactor:
            try:
                message = record.getMessage()
            except Exception:  # a record that cannot be formatted is left to the handler's own error path
                return True
            scrubbed = redactor.text(message)
            if scrubbed != message:
                record.msg, record.args = scrubbed, None
        return True


_FILTER: Final = _LogFilter()
logging.getLogger("openai_background").addFilter(_FILTER)
