"""What ``wait="webhook"`` means for a client: its journal's wake-ups and the fallback poll delay.

Package-only: the core's side is the protocol in ``_wakeups.py``; the journal implements it
(``journal/_watch.py``), fed by the webhook receiver (``webhooks/_receiver.py``). The resources call
``listening_for`` / ``many_listening_for``; the framework modes and ``resume`` call ``listening_options``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from .options import WaitOptions

__all__ = [
    "DEFAULT_FALLBACK_POLL_SECONDS",
    "check_wait_mode",
    "client_journal",
    "listening_for",
    "listening_options",
    "many_listening_for",
]

DEFAULT_FALLBACK_POLL_SECONDS: Final = 300.0
"""A wait that listens polls anyway after this long without a signal: a lost delivery still ends it."""

WaitMode = Literal["poll", "stream", "webhook"]


def client_journal(resource: object) -> object:
    """The journal of the client ``resource`` belongs to, or None (``_recording.journal_of`` types it)."""
    settings = getattr(getattr(resource, "_client", None), "_background_settings", None)  # modes.settings_of
    return getattr(settings, "journal", None)


def check_wait_mode(wait: object) -> WaitMode:
    """``wait`` checked: "poll", "stream" or "webhook"; anything else is a ``ValueError``."""
    if wait == "poll":
        return "poll"
    if wait == "stream":
        return "stream"
    if wait == "webhook":
        return "webhook"
    raise ValueError(f'wait must be "poll", "stream" or "webhook", not {wait!r}')


def check_fallback(fallback_poll_seconds: object) -> float:
    value = fallback_poll_seconds
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"fallback_poll_seconds must be a finite number > 0, not {value!r}")
    return float(value)


def listening_for(
    resource: object, options: WaitOptions, wait: object, fallback_poll_seconds: object
) -> tuple[WaitOptions, Any]:
    """For ``wait="webhook"``: the options of a wait that listens, and "poll" (what the shells then do, with
    those options); any other ``wait`` is handed back as it is, for the shells to check."""
    if wait == "webhook":
        return listening_options(resource, options, fallback_poll_seconds), "poll"
    return options, wait


def many_listening_for(
    resource: object, options: WaitOptions, wait: object, fallback_poll_seconds: object
) -> WaitOptions:
    """``listening_for`` for ``poll_many`` and ``resume``, which poll or listen (``ValueError`` for "stream")."""
    if wait == "stream":
        raise ValueError('poll_many waits with wait="poll" or wait="webhook", not "stream"')
    if check_wait_mode(wait) == "webhook":
        return listening_options(resource, options, fallback_poll_seconds)
    return options


def listening_options(
    resource: object, options: WaitOptions, fallback_poll_seconds: object, journal: object = None
) -> WaitOptions:
    """``options`` for a wait that listens: the journal's wake-ups (the client's unless given) and the
    fallback poll delay. ``ValueError`` when there is no journal (the channel the receiver writes to)."""
    fallback = check_fallback(fallback_poll_seconds)
    if journal is None:
        journal = client_journal(resource)
    wakeups = getattr(journal, "wakeups", None)
    if wakeups is None:
        raise ValueError(
            'wait="webhook" needs a client with a journal (OpenAI(journal=...), background_mode(journal=...)): '
            "the webhook receiver records each job's end there, and the wait listens to it"
        )
    return dataclasses.replace(options, wakeups=wakeups(), fallback=fallback)
