"""Webhook events of the fake server: what is sent when a job ends, how it is signed, what was delivered.

OpenAI sends one event when a background response ends (``response.completed``, ``response.failed``,
``response.incomplete``, ``response.cancelled``), signed as Standard Webhooks say: headers ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed by
the base64 part of a ``whsec_...`` secret. The body is thin: ``data.id`` names the response.
A :class:`WebhookScript` says how one event travels (late, twice, lost, badly signed, stale, swapped with the
next); a :class:`WebhookDelivery` records one attempt and what the receiver answered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "EVENT_TYPES",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookScript",
    "new_webhook_secret",
    "sign_webhook",
]

#: The event type sent for each terminal status.
EVENT_TYPES: Final = {
    "completed": "response.completed",
    "failed": "response.failed",
    "incomplete": "response.incomplete",
    "cancelled": "response.cancelled",
}


def new_webhook_secret() -> str:
    """A fresh secret in OpenAI's format: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign_webhook(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for ``body``: ``v1,<base64 HMAC-SHA256>``.

    The key is the base64-decoded part after ``whsec_`` (a secret without the prefix is used as UTF-8 bytes,
    as the SDK's ``webhooks.verify_signature`` does)."""
    key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


@dataclass(frozen=True)
class WebhookScript:
    """How the event of one job travels.  Build it with the factories; combine with ``dataclasses.replace``.

    ``delay``: seconds between the job's end and the first attempt.  ``copies``: how many times the event is
    delivered (2: a duplicate, same ``webhook-id`` and body, each copy after the previous one was answered).
    ``lose``: never sent (recorded with ``error="lost"``).  ``forge``: signed with another secret.  ``age``:
    seconds taken off ``webhook-timestamp`` (a stale delivery past 300).  ``swap``: held back until the server's
    next event has been delivered, then sent after it (at most ``delay`` seconds; then sent anyway).
    """

    delay: float = 0.0
    copies: int = 1
    lose: bool = False
    forge: bool = False
    age: float = 0.0
    swap: bool = False

    def __post_init__(self) -> None:
        if self.copies < 1:
            raise ValueError(f"copies must be at least 1, got {self.copies}")
        if not 0 <= self.delay < float("inf"):
            raise ValueError(f"delay must be a finite number of seconds >= 0, got {self.delay}")

    @classmethod
    def on_time(cls) -> WebhookScript:
        """Sent at once, signed, once (the default)."""
        return cls()

    @classmethod
    def duplicated(cls, copies: int = 2) -> WebhookScript:
        """Delivered ``copies`` times with the same ``webhook-id`` (OpenAI delivers at least once)."""
        return cls(copies=copies)

    @classmethod
    def delayed(cls, seconds: float) -> WebhookScript:
        """Sent ``seconds`` after the job ended."""
        return cls(delay=seconds)

    @classmethod
    def lost(cls) -> WebhookScript:
        """Never delivered: only a poll can learn that the job ended."""
        return cls(lose=True)

    @classmethod
    def bad_signature(cls) -> WebhookScript:
        """Signed with a secret the receiver does not know: it must refuse it (4xx) and wake nobody."""
        return cls(forge=True)

    @classmethod
    def stale(cls, age: float = 600.0) -> WebhookScript:
        """Correctly signed, but its ``webhook-timestamp`` is ``age`` seconds old (a replay; the SDK refuses
        timestamps older than 300 s)."""
        return cls(age=age)

    @classmethod
    def swapped(cls, hold: float = 5.0) -> WebhookScript:
        """Held back until the server's next event has been delivered, then sent: two events arrive in swapped
        order.  Sent anyway after ``hold`` seconds when no other event comes."""
        return cls(swap=True, delay=hold)


@dataclass(frozen=True)
class WebhookEvent:
    """One event the server sends (its copies and retries share the ``webhook_id`` and the body)."""

    webhook_id: str  #: the ``webhook-id`` header: ``wh_...``
    body: bytes = field(repr=False)  #: the JSON body, exactly as signed and sent
    script: WebhookScript = field(repr=False)

    @classmethod
    def for_response(cls, response_id: str, event_type: str, script: WebhookScript) -> WebhookEvent:
        payload = {
            "id": "evt_" + secrets.token_hex(16),
            "object": "event",
            "type": event_type,
            "created_at": int(time.time()),
            "data": {"id": response_id},
        }
        return cls("wh_" + secrets.token_hex(16), json.dumps(payload).encode(), script)

    def payload(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    def headers(self, secret: str, now: float) -> dict[str, str]:
        """The signed headers of one attempt at ``now`` (``time.time()``), as the script says."""
        timestamp = int(now - self.script.age)
        key = new_webhook_secret() if self.script.forge else secret
        return {
            "content-type": "application/json",
            "user-agent": "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)",
            "webhook-id": self.webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_webhook(key, self.webhook_id, timestamp, self.body),
        }


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to deliver an event (or its scripted loss), and what the receiver answered."""

    webhook_id: str  #: the ``webhook-id`` header (the same on copies and retries)
    event_id: str  #: the body's ``id``: ``evt_...``
    event_type: str  #: ``response.completed``, ``response.failed``, ...
    response_id: str  #: the body's ``data.id``
    copy: int  #: 1 for the first copy, 2 for a duplicate...
    attempt: int  #: 1 for the first try of this copy, 2 for its first retry...
    sent: bool  #: False when the script lost it
    status_code: int | None  #: the receiver's HTTP status; None when not sent or no answer
    error: str | None  #: ``"lost"``, ``"timeout"`` or the connection error; None when answered
    forged: bool  #: signed with another secret (a scripted bad signature)
    stale: bool  #: ``webhook-timestamp`` older than 300 s (a scripted stale delivery)
    headers: dict[str, str] = field(repr=False)  #: what was sent (the signature, never the secret)
    body: bytes = field(repr=False)  #: the JSON body sent
    answer: bytes = field(repr=False)  #: the receiver's reply body (at most 64 KiB)
    sent_at: float = field(repr=False)  #: ``time.monotonic()`` of the attempt

    @property
    def ok(self) -> bool:
        """The receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)
