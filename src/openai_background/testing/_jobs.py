"""Jobs of the fake server, and rendering of :class:`Answer` values into replies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ._http import Reply
from ._script import MISSING, Answer, JobScript

__all__ = ["FakeJob", "error_reply", "render", "response_body"]


@dataclass(eq=False)
class FakeJob:
    """A background job known to the server.

    This is the live object: the server updates it (under its lock) as it
    serves requests, so a test can keep it and read the counters later.
    """

    id: str
    script: JobScript = field(repr=False)
    created_at: int
    create_body: dict[str, Any] | None = None  #: parsed JSON of the create request
    polls: int = 0  #: GET /v1/responses/{id} served so far
    streams: int = 0  #: GET /v1/responses/{id}?stream=true served so far (not counted in ``polls``)
    cancel_requests: int = 0  #: POST /v1/responses/{id}/cancel received so far
    status: str = "queued"  #: status of the last Response body served for the job
    cancelled: bool = False  #: cancelled by a cancel request; GETs now answer "cancelled"
    last_body: dict[str, Any] | None = field(default=None, repr=False)
    next_answer: int = field(default=0, repr=False)  #: index into ``script.answers``
    ends_at: float | None = field(default=None, repr=False)  #: ``time.monotonic()`` it ends on its own
    finished: bool = False  #: ended by ``runs_for`` or ``finish_job``: GETs answer the script's last answer
    event_sent: bool = False  #: its webhook event was handed to the sender

    def note(self, reply: Reply) -> Reply:
        """Remember ``reply`` as served: a Response body updates ``status``."""
        if reply.state is not None:
            self.last_body = reply.state
            status = reply.state.get("status")
            if isinstance(status, str):
                self.status = status
        return reply


def response_body(answer: Answer, job: FakeJob) -> dict[str, Any]:
    """The OpenAI ``Response`` JSON for a ``state`` answer served for ``job``."""
    output: list[dict[str, Any]] = []
    if answer.output_text is not None:
        content: list[dict[str, Any]] = [{"type": "output_text", "text": answer.output_text, "annotations": []}]
        msg_id = "msg_" + job.id.removeprefix("resp_")
        output.append(
            {"type": "message", "id": msg_id, "role": "assistant", "status": "completed",
             "content": content}
        )  # fmt: skip
    asked = job.create_body or {}
    metadata = asked.get("metadata")
    model = asked.get("model")
    body: dict[str, Any] = {
        "id": job.id, "object": "response", "created_at": job.created_at,
        "status": answer.status, "background": bool(asked.get("background", True)),
        "error": None if answer.error is None else dict(answer.error),
        "incomplete_details": (
            None if answer.incomplete_details is None else dict(answer.incomplete_details)
        ),
        "instructions": _echo(asked, "instructions", str),
        "max_output_tokens": _echo(asked, "max_output_tokens", int),
        "metadata": metadata if isinstance(metadata, dict) else {},
        "model": model if isinstance(model, str) and model else "gpt-fake",
        "output": output, "parallel_tool_calls": True,
        "previous_response_id": _echo(asked, "previous_response_id", str),
        "reasoning": {"effort": None, "summary": None},
        "store": bool(asked.get("store", True)), "temperature": 1.0, "text": {"format": {"type": "text"}},
        "tool_choice": "auto", "tools": [], "top_p": 1.0, "truncation": "disabled",
        "usage": _usage(asked, answer) if answer.status in ("completed", "incomplete") else None,
        "user": None,
    }  # fmt: skip
    for key, value in (answer.extra or {}).items():
        if value is MISSING:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _echo(asked: dict[str, Any], name: str, kind: type) -> Any:
    """What the create request sent for ``name``, when it has the type the API echoes; else null."""
    value = asked.get(name)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def _usage(asked: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """Token counts as the API reports them, every detail included, derived from the request and the
    output (about four characters of input per token, one output token per word), so they vary with
    what was sent and stay the same for the same request."""
    input_tokens = max(1, len(json.dumps(asked.get("input", ""))) // 4)
    output_tokens = max(1, len((answer.output_text or "").split()))
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def render(answer: Answer, job: FakeJob | None) -> Reply:
    """Turn ``answer`` into a :class:`Reply`; ``state`` answers need ``job``."""
    delay = 0.0
    while answer.kind == "slow" and answer.then is not None:
        delay, answer = delay + answer.seconds, answer.then
    if answer.kind == "drop":
        return Reply(delay=delay, drop=True, after_headers=answer.after_headers)
    headers = {"content-type": answer.content_type}
    if answer.kind != "state":
        return Reply(answer.status_code, answer.body, headers | dict(answer.headers), delay)
    if job is None:
        raise ValueError("a state answer is rendered for a job")
    state = response_body(answer, job)
    if answer.poll_after_ms is not None:
        headers["openai-poll-after-ms"] = str(answer.poll_after_ms)
    body = json.dumps(state).encode()
    return Reply(200, body, headers | dict(answer.headers), delay, state=state)


def error_reply(status_code: int, message: str, kind: str = "invalid_request_error") -> Reply:
    """An OpenAI-style JSON error reply."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return render(Answer.json(body, status_code=status_code), None)
