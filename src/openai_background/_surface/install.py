"""``install()`` / ``uninstall()``: give the SDK's own client classes what ``openai_background.OpenAI`` has.

For frameworks that build their own ``openai.OpenAI()``: after ``install()``, every ``openai.OpenAI``,
``AsyncOpenAI``, ``AzureOpenAI`` and ``AsyncAzureOpenAI`` (and subclasses) gains
``_make_background_failure_error`` and ``client.responses.poll`` / ``create_and_poll``. The classes are
patched in place, so a name imported before the call (``from openai import OpenAI``) benefits too.
``retrieve()`` and everything else the SDK defines stay the SDK's.

``install(background_mode=..., strict_retrieve=..., **poll options)`` also gives the four classes those
background settings (``modes/_settings.py``), as a class attribute ``_background_settings`` that
``settings_of(client)`` reads: for frameworks that build their own client and take no client object.
"""

from __future__ import annotations

import threading
from typing import Final

import openai
from typing_extensions import Unpack

from ..modes._settings import DEFAULT_SETTINGS, SettingsKeywords
from .clients import AsyncOpenAI, BackgroundFailureHook, OpenAI

__all__ = ["install", "installed", "uninstall"]

_MISSING: Final = object()
_HOOK = "_make_background_failure_error"
_SETTINGS = "_background_settings"

# The descriptors are taken from our own classes rather than made anew: a ``functools.cached_property``
# learns the attribute it caches under from ``__set_name__``, which Python calls only when the owning
# class is created, never on a later ``setattr``. Ours were named "responses" when ``OpenAI`` was built.
_ADDITIONS: Final = {
    "sync": {"responses": vars(OpenAI)["responses"], _HOOK: vars(BackgroundFailureHook)[_HOOK]},
    "async": {"responses": vars(AsyncOpenAI)["responses"], _HOOK: vars(BackgroundFailureHook)[_HOOK]},
}

_lock = threading.Lock()
_originals: dict[type, dict[str, object]] = {}
"""For each patched class, what its own ``__dict__`` held under each patched name (or ``_MISSING``)."""


def _targets() -> list[tuple[type, str]]:
    return [
        (openai.OpenAI, "sync"),
        (openai.AzureOpenAI, "sync"),
        (openai.AsyncOpenAI, "async"),
        (openai.AsyncAzureOpenAI, "async"),
    ]


def install(**settings: Unpack[SettingsKeywords]) -> None:
    """Patch ``openai.OpenAI``, ``AsyncOpenAI``, ``AzureOpenAI`` and ``AsyncAzureOpenAI`` in place.

    Clients constructed afterwards (by any library) have ``responses.poll`` / ``create_and_poll`` and
    ``_make_background_failure_error``; so does an existing client that has not yet touched
    ``.responses`` (the SDK caches the resource on first use). Without arguments nothing else changes,
    and a second call does nothing. With background settings (the keywords of ``OpenAI(...)``:
    ``background_mode``, ``strict_retrieve``, the poll options), every client of those classes reads
    them, also one built before the call; a later call with settings replaces them. A bad setting is a
    ``ValueError`` and patches nothing.
    """
    checked = DEFAULT_SETTINGS.build(**settings) if settings else None
    with _lock:
        if not _originals:
            for cls, kind in _targets():
                saved = _originals.setdefault(cls, {})
                for name, value in _ADDITIONS[kind].items():
                    saved[name] = vars(cls).get(name, _MISSING)
                    setattr(cls, name, value)
        if checked is None:
            return
        for cls, _ in _targets():
            _originals[cls].setdefault(_SETTINGS, vars(cls).get(_SETTINGS, _MISSING))
            setattr(cls, _SETTINGS, checked)


def uninstall() -> None:
    """Undo ``install()``: each class's own attributes are again exactly the objects they were before
    (or absent, where the class only inherited them). Does nothing if not installed. Clients that
    already cached the patched ``responses`` keep it."""
    with _lock:
        for cls, saved in _originals.items():
            for name, value in saved.items():
                if value is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, value)
        _originals.clear()


def installed() -> bool:
    """Whether ``install()`` is in effect."""
    return bool(_originals)
