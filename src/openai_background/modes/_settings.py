"""``BackgroundSettings``: what a client (or ``install()``) says about background mode, in one frozen value.

A client keeps one ``BackgroundSettings`` in ``client._background_settings``; ``settings_of(client)`` is
the single accessor the resources use (``settings_of(resource._client)``). Our clients set it in their
constructor and carry it through ``copy()`` / ``with_options()``; the SDK's own classes get it as a
class attribute from ``install(...)``, so a client a framework builds reads it the same way. A client
with neither has ``DEFAULT_SETTINGS``: everything off, exactly today's behaviour.

Adding a setting (say ``journal``): add a field to ``BackgroundSettings`` with a default that
means "off" (``journal: Journal | None = None``; ``compare=False`` if it is not a plain value), and the same
keyword to ``SettingsKeywords`` (the typed keywords of ``install()``). Nothing else changes: the constructors,
``copy()`` / ``with_options()`` and ``install()`` take every field name as a keyword (``split_settings`` and
``build`` read the names from the dataclass), and every wait the modes start reads ``settings_of(client)``.
Check the value in ``__post_init__`` (``ValueError``), so a bad setting fails where the client is built, not on
its first request; if the setting must reach the poll program, map it in ``wait_options``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from typing_extensions import TypedDict

from .._errors.dispatch import normalize_raise_on
from .._waits.budget import PollBudget
from .._waits.limits import DEFAULT_MAX_INFLATE_RATIO, AnswerLimits
from .._waits.listening import DEFAULT_FALLBACK_POLL_SECONDS, listening_options
from .._waits.observers import Recorder
from .._waits.program import DEFAULT_MAX_POLL_FAILURES, WaitOptions

__all__ = [
    "DEFAULT_SETTINGS",
    "MODES_RAISE_ON",
    "BackgroundMode",
    "BackgroundSettings",
    "SettingsKeywords",
    "settings_of",
    "split_settings",
]

BackgroundMode = Literal["off", "wait", "always"]
_MODES: Final = ("off", "wait", "always")

MODES_RAISE_ON: Final = frozenset({"failed", "cancelled"})
"""The statuses the framework modes raise for by default. ``incomplete`` is returned: frameworks read
``incomplete_details`` as a finish reason (``max_output_tokens``), as they do for a synchronous call."""


@dataclass(frozen=True)
class BackgroundSettings:
    """Background-mode settings of one client. Every default means "as the SDK does today".

    ``background_mode``: ``"off"``; ``"wait"`` makes ``responses.create(..., background=True)`` wait for
    the job's end; ``"always"`` also sends every ``create`` that does not set ``background`` (and does
    not set ``store=False``) as a background job. ``strict_retrieve`` makes ``responses.retrieve()`` raise
    for ``failed``/``cancelled``. The poll options are those of ``responses.poll`` (``raise_on`` defaults
    to ``MODES_RAISE_ON`` here) and apply to every wait the modes start. Invalid values raise
    ``ValueError`` when the settings are built.
    """

    background_mode: BackgroundMode = "off"
    strict_retrieve: bool = False
    max_wait_seconds: float | None = None
    poll_interval_ms: int | None = None
    max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES
    cancel_on_timeout: bool = False
    cancel_on_interrupt: bool = False
    raise_on: frozenset[str] = MODES_RAISE_ON
    journal: Recorder | None = None
    """Where every background job the client creates is recorded (``openai_background.Journal``)."""
    max_answer_bytes: int | None = None
    """Refuse a poll answer (or one stream event) larger than this, decompressed; None: no cap, as ``retrieve()``.
    Unlike the others, this and ``max_inflate_ratio`` apply to every wait of the client (``poll`` too)."""
    max_inflate_ratio: float | None = DEFAULT_MAX_INFLATE_RATIO
    """Refuse, as a compression bomb, an answer that inflates past 32 MiB and past this many times the bytes
    received (``_limits``); None: never."""
    answer_limits: AnswerLimits = dataclasses.field(default=AnswerLimits(), init=False, repr=False, compare=False)
    """``max_answer_bytes`` and ``max_inflate_ratio``, checked, as every read of an answer takes them."""
    background_wait: Literal["poll", "webhook"] = "poll"
    """How the modes' waits wait: polling, or ``"webhook"``: listening to the journal (``wait="webhook"``)."""
    fallback_poll_seconds: float = DEFAULT_FALLBACK_POLL_SECONDS
    """With ``background_wait="webhook"``: poll anyway after this long without an event."""
    max_polls_per_second: float | None = None
    """At most this many polls a second for every wait of the client, shared (``_budget.PollBudget``)."""
    poll_budget: PollBudget | None = field(default=None, compare=False, repr=False)
    """The budget itself, made from ``max_polls_per_second`` and kept by ``build`` while that is unchanged, so
    ``with_options`` copies share it (and every client of ``install(max_polls_per_second=...)`` shares one)."""

    def __post_init__(self) -> None:
        rate = self.max_polls_per_second
        if rate is None:
            object.__setattr__(self, "poll_budget", None)
        elif self.poll_budget is None or self.poll_budget.per_second != rate:
            object.__setattr__(self, "poll_budget", PollBudget(rate))
        if self.journal is not None and not all(
            callable(getattr(self.journal, name, None)) for name in ("record_created", "record_poll")
        ):
            raise ValueError(f"journal must be an openai_background.Journal or None, not {self.journal!r}")
        if self.background_mode not in _MODES:
            raise ValueError(f"background_mode must be one of {_MODES}, not {self.background_mode!r}")
        for name in ("strict_retrieve", "cancel_on_timeout", "cancel_on_interrupt"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, not {getattr(self, name)!r}")
        object.__setattr__(self, "raise_on", normalize_raise_on(self.raise_on))
        object.__setattr__(self, "answer_limits", AnswerLimits(self.max_answer_bytes, self.max_inflate_ratio))
        self.wait_options()  # checks the poll options the way ``poll`` checks them

    def wait_options(self) -> WaitOptions:
        """The checked options of a wait these settings start (``ValueError`` for bad values)."""
        options = WaitOptions.check(
            self.poll_interval_ms,
            self.max_wait_seconds,
            self.raise_on,
            self.max_poll_failures,
            self.cancel_on_timeout,
            self.cancel_on_interrupt,
        )
        if self.background_wait == "poll":
            return options
        if self.background_wait != "webhook":
            raise ValueError(f'background_wait must be "poll" or "webhook", not {self.background_wait!r}')
        return listening_options(None, options, self.fallback_poll_seconds, self.journal)

    @property
    def is_default(self) -> bool:
        """Whether nothing is switched on (the resources then behave exactly as the SDK's)."""
        return self == DEFAULT_SETTINGS

    def build(self, **changes: object) -> BackgroundSettings:
        """These settings with ``changes`` applied; a keyword that is not a setting is a ``TypeError``."""
        unknown = set(changes).difference(_KEYWORDS)
        if unknown:
            raise TypeError(f"unknown background setting(s): {', '.join(sorted(unknown))}")
        if "raise_on" in changes:
            raise_on = changes["raise_on"]
            if isinstance(raise_on, str) or not isinstance(raise_on, Collection):
                raise ValueError(f"raise_on takes a collection of statuses, e.g. ('failed',), not {raise_on!r}")
            changes["raise_on"] = frozenset(raise_on)  # pyright: ignore[reportUnknownArgumentType]
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_SETTINGS: Final = BackgroundSettings()

_KEYWORDS: Final = frozenset(field.name for field in dataclasses.fields(BackgroundSettings) if field.init)


class SettingsKeywords(TypedDict, total=False):
    """The settings as keywords of the clients' constructors, ``copy()``/``with_options()`` and ``install()``."""

    background_mode: BackgroundMode
    strict_retrieve: bool
    max_wait_seconds: float | None
    poll_interval_ms: int | None
    max_poll_failures: int
    cancel_on_timeout: bool
    cancel_on_interrupt: bool
    raise_on: Collection[str]
    journal: Recorder | None
    max_answer_bytes: int | None
    max_inflate_ratio: float | None
    background_wait: Literal["poll", "webhook"]
    fallback_poll_seconds: float
    max_polls_per_second: float | None


def split_settings(kwargs: dict[str, object]) -> dict[str, object]:
    """Remove the settings keywords from ``kwargs`` (the rest goes to the SDK) and return them."""
    return {name: kwargs.pop(name) for name in list(kwargs) if name in _KEYWORDS}


def settings_of(client: object) -> BackgroundSettings:
    """The settings of ``client``: its own, else those ``install()`` put on its class, else the defaults."""
    settings = getattr(client, "_background_settings", None)
    return settings if isinstance(settings, BackgroundSettings) else DEFAULT_SETTINGS


def as_mapping(settings: BackgroundSettings) -> Mapping[str, object]:
    """The settings as keywords (for reprs and tests)."""
    return {name: getattr(settings, name) for name in sorted(_KEYWORDS)}
