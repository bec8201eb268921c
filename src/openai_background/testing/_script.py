"""Scripts for the fake Responses API server: what each request gets.

An :class:`Answer` describes the reply to ONE request (a rendered ``Response``
state, an HTTP error, raw bytes, a dropped connection, a delay...).  A
:class:`JobScript` lists the answers a background job gives: one for the
``POST /v1/responses`` that creates it, then one per ``GET`` poll, the last one
repeating forever.  Both are immutable, so one script can seed many jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final, TypeAlias

from ._answer import MISSING, Answer
from ._stream_script import StreamScript
from ._webhooks import WebhookScript

__all__ = ["DEFAULT_POLL_AFTER_MS", "MISSING", "TERMINAL_STATUSES", "Answer", "JobScript", "PollAfter"]

#: A poll-interval hint: one value for every answer, one value per answer, or none.
PollAfter: TypeAlias = "int | Sequence[int] | None"

#: The ``openai-poll-after-ms`` hint of the factories' answers (the create answer included) unless a script
#: says otherwise: tens of milliseconds, so a test or a README snippet on the fake server never waits the
#: client's default second. ``poll_after_ms=None`` sends no hint; ``Answer.state`` alone sends none either.
DEFAULT_POLL_AFTER_MS: Final = 50  # the floor the poll loop holds every hint to (`_cadence.HINT_FLOOR`)

#: Statuses after which a background job never changes again.
TERMINAL_STATUSES: Final = frozenset({"completed", "failed", "incomplete", "cancelled"})


def _hints(poll_after_ms: PollAfter, count: int) -> list[int | None]:
    if poll_after_ms is None or isinstance(poll_after_ms, int):
        return [poll_after_ms] * count
    hints = list(poll_after_ms)
    if len(hints) != count:
        raise ValueError(f"poll_after_ms has {len(hints)} values, the script has {count} answers")
    return list(hints)


def _progress(polls: int, poll_after_ms: PollAfter, terminal: Answer) -> tuple[Answer, ...]:
    hints = _hints(poll_after_ms, polls + 1)
    answers = [Answer.state("in_progress", poll_after_ms=hint) for hint in hints[:-1]]
    answers.append(replace(terminal, poll_after_ms=hints[-1]))
    return tuple(answers)


def _queued() -> Answer:
    return Answer.state("queued", poll_after_ms=DEFAULT_POLL_AFTER_MS)


def _done() -> tuple[Answer, ...]:
    return (Answer.state("completed", output_text="done"),)


@dataclass(frozen=True)
class JobScript:
    """The answers one background job gives.

    ``on_create`` answers the ``POST /v1/responses`` that creates the job.
    ``answers`` are served to successive ``GET /v1/responses/{id}``; once they
    are exhausted the LAST one repeats forever (so it must not be empty).
    ``on_cancel``, when set, answers every ``POST .../cancel`` instead of the
    default semantics, and the job is then NOT cancelled (to script a failing
    cancel call).

    In the factories, ``poll_after_ms`` is either one int for every GET answer,
    or a sequence with exactly one int per GET answer (``polls + 1`` values) so
    the hint can change between polls; None sends no hint.  Both default to ``DEFAULT_POLL_AFTER_MS``
    (50 ms), and so does the create answer's hint (``with_create_hint`` changes it).
    """

    on_create: Answer = field(default_factory=_queued)
    answers: tuple[Answer, ...] = field(default_factory=_done)
    on_cancel: Answer | None = None
    stream: StreamScript = field(default_factory=StreamScript)
    """How ``GET /v1/responses/{id}?stream=true`` answers (see :class:`StreamScript`)."""
    runs_for: float | None = None
    """Seconds after which the job ends on its own (see :meth:`running_for`); None: polls move it on."""
    webhook: WebhookScript = field(default_factory=WebhookScript)
    """How the event of its end travels to a server's ``webhook_url`` (see :class:`WebhookScript`)."""

    def __post_init__(self) -> None:
        if not self.answers:
            raise ValueError("a JobScript needs at least one GET answer")
        if self.runs_for is not None and not 0 <= self.runs_for < float("inf"):
            raise ValueError(f"runs_for must be a finite number of seconds >= 0, got {self.runs_for}")

    @classmethod
    def completed(
        cls, *, output_text: str = "done", polls: int = 0, poll_after_ms: PollAfter = DEFAULT_POLL_AFTER_MS
    ) -> JobScript:
        """``polls`` in-progress answers, then ``completed`` with ``output_text``."""
        terminal = Answer.state("completed", output_text=output_text)
        return cls(answers=_progress(polls, poll_after_ms, terminal))

    @classmethod
    def refused(cls, refusal: str = "I can't help with that.", *, polls: int = 0) -> JobScript:
        """``polls`` in-progress answers, then ``completed`` with one assistant message whose content is a
        ``refusal`` part (what a model that declines answers under structured outputs)."""
        content = [{"type": "refusal", "refusal": refusal}]
        message = {
            "type": "message",
            "id": "msg_refusal",
            "role": "assistant",
            "status": "completed",
            "content": content,
        }
        terminal = Answer.state("completed", extra={"output": [message]})
        return cls(answers=_progress(polls, None, terminal))

    @classmethod
    def failed(
        cls,
        code: str,
        *,
        message: str = "The fake job failed.",
        polls: int = 0,
        poll_after_ms: PollAfter = DEFAULT_POLL_AFTER_MS,
    ) -> JobScript:
        """``polls`` in-progress answers, then ``failed`` with ``error.code == code``."""
        error = {"code": code, "message": message, "param": None, "type": None}
        return cls(answers=_progress(polls, poll_after_ms, Answer.state("failed", error=error)))

    @classmethod
    def incomplete(cls, reason: str, *, polls: int = 0, poll_after_ms: PollAfter = DEFAULT_POLL_AFTER_MS) -> JobScript:
        """``polls`` in-progress answers, then ``incomplete`` with ``reason``."""
        terminal = Answer.state("incomplete", incomplete_details={"reason": reason})
        return cls(answers=_progress(polls, poll_after_ms, terminal))

    @classmethod
    def cancelled(cls, *, polls: int = 0, poll_after_ms: PollAfter = DEFAULT_POLL_AFTER_MS) -> JobScript:
        """``polls`` in-progress answers, then ``cancelled``."""
        return cls(answers=_progress(polls, poll_after_ms, Answer.state("cancelled")))

    @classmethod
    def of(cls, *answers: Answer, on_create: Answer | None = None, on_cancel: Answer | None = None) -> JobScript:
        """A hand-written script: GET answers exactly as given."""
        return cls(on_create=on_create or _queued(), answers=answers, on_cancel=on_cancel)

    def with_stream(self, stream: StreamScript) -> JobScript:
        """A copy whose stream requests are answered as ``stream`` says."""
        return replace(self, stream=stream)

    def running_for(self, seconds: float) -> JobScript:
        """A copy that ends ``seconds`` after its creation whether polled or not (a real job's clock): until
        then GETs get the answers before the last (the last of them repeating; ``in_progress`` if none), from
        then on the last one. Its webhook event is sent when it ends."""
        return replace(self, runs_for=seconds)

    def with_webhook(self, webhook: WebhookScript) -> JobScript:
        """A copy whose end event travels as ``webhook`` says (duplicated, delayed, lost, forged...)."""
        return replace(self, webhook=webhook)

    def with_faults(self, *faults: Answer) -> JobScript:
        """A copy whose first GETs get ``faults`` before the scripted answers."""
        return replace(self, answers=(*faults, *self.answers))

    def with_create_hint(self, poll_after_ms: int) -> JobScript:
        """A copy whose create answer sends ``openai-poll-after-ms: poll_after_ms``.

        The create answer carries ``DEFAULT_POLL_AFTER_MS`` by default; this sets another hint for the first
        poll after ``create_and_poll``'s create (a long one, to test a slow start).
        """
        return replace(self, on_create=replace(self.on_create, poll_after_ms=poll_after_ms))

    def terminal_on_create(self) -> JobScript:
        """A copy whose create answer is already the last (terminal) answer.

        The GETs then only ever get that same answer.
        """
        return replace(self, on_create=self.answers[-1], answers=(self.answers[-1],))
