"""The sync and async shells of ``poll`` / ``create_and_poll``, as functions of a responses resource.

Each shell only says how to fetch, sleep and cancel; the loop itself is ``_loop.poll_program``. Sleeping
goes through the resource's ``_sleep`` (``time.sleep``; ``anyio.sleep`` when async, so asyncio and trio
both work), the hook the SDK's own pollers use. The resource methods in ``_resources.py`` are one-line
delegations to these functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import anyio
from openai.types.responses import Response

from .._errors.answers import malformed_answer_error, parse_answer
from .._errors.dispatch import make_background_failure_error
from .._errors.redact import redacting, redactor_for
from .deadline import CANCEL_TIMEOUT
from .program import Cancel, Fetch, Sleep, Step, WaitOptions, poll_program, run_async, run_sync
from .requests import cancel_async, cancel_sync, fetch_async, fetch_sync
from .sleeping import listening, sleep_async, sleep_sync
from .structured import parsing

if TYPE_CHECKING:
    from openai.resources.responses import AsyncResponses, Responses

    from .._compat import HttpResponse
    from .program import Dispatch

__all__ = ["CANCEL_TIMEOUT", "background_create_params", "wait_async", "wait_sync"]

logger = logging.getLogger("openai_background")


def wait_sync(
    resource: Responses,
    rid: str,
    options: WaitOptions,
    *,
    first: tuple[Response, HttpResponse] | None = None,
    extra_headers: Mapping[str, Any] | None = None,
    extra_query: Mapping[str, object] | None = None,
    timeout: Any,
    dispatch: Dispatch | None = None,
    on_answer: Callable[[Any], object] | None = None,
    reported: int = 0,
) -> Response:
    """Wait for ``rid`` with blocking I/O; see ``Responses.poll`` for the outcomes.

    ``dispatch`` replaces the client's ``_make_background_failure_error``; ``on_answer`` is given each raw
    poll answer as it arrives (a caller may keep the last, to hand back the final poll's); ``reported`` as
    in ``poll_program``."""
    headers = poll_headers(options, extra_headers)

    def perform(step: Step) -> object:
        if isinstance(step, Fetch):
            answer = fetch_sync(
                resource, rid, step.within, extra_headers=headers, extra_query=extra_query, timeout=timeout
            )
            if on_answer is not None:
                on_answer(answer)
            return answer
        if isinstance(step, Sleep):
            return sleep_sync(resource, step, listener)
        assert isinstance(step, Cancel)
        return cancel_sync(resource, rid, step.within)

    program = parsing(
        poll_program(
            rid,
            options,
            dispatch=dispatch or _dispatch(resource),
            clock=_clock(resource, time.monotonic),
            first=first,
            reported=reported,
        ),
        options.output,
    )
    program = redacting(program, redactor_for(resource))
    try:
        with listening(options, rid) as listener:
            return run_sync(program, perform)
    except KeyboardInterrupt:
        if options.cancel_on_interrupt:
            cancel_quietly(resource, rid)
        raise


async def wait_async(
    resource: AsyncResponses,
    rid: str,
    options: WaitOptions,
    *,
    first: tuple[Response, HttpResponse] | None = None,
    extra_headers: Mapping[str, Any] | None = None,
    extra_query: Mapping[str, object] | None = None,
    timeout: Any,
    dispatch: Dispatch | None = None,
    on_answer: Callable[[Any], object] | None = None,
    reported: int = 0,
) -> Response:
    """Wait for ``rid`` in a task; a cancelled task with ``cancel_on_interrupt`` sends the cancel request
    in a shielded, bounded scope, then re-raises the cancellation. ``dispatch``, ``on_answer``,
    ``reported`` as in ``wait_sync``."""
    headers = poll_headers(options, extra_headers)

    async def perform(step: Step) -> object:
        if isinstance(step, Fetch):
            answer = await fetch_async(
                resource, rid, step.within, extra_headers=headers, extra_query=extra_query, timeout=timeout
            )
            if on_answer is not None:
                on_answer(answer)
            return answer
        if isinstance(step, Sleep):
            return await sleep_async(resource, step, listener)
        assert isinstance(step, Cancel)
        return await cancel_async(resource, rid, step.within)

    program = parsing(
        poll_program(
            rid,
            options,
            dispatch=dispatch or _dispatch(resource),
            clock=_clock(resource, anyio.current_time),
            first=first,
            reported=reported,
        ),
        options.output,
    )
    program = redacting(program, redactor_for(resource))
    try:
        with listening(options, rid) as listener:
            return await run_async(program, perform)
    except anyio.get_cancelled_exc_class():
        if options.cancel_on_interrupt:
            with anyio.CancelScope(shield=True), anyio.move_on_after(CANCEL_TIMEOUT):
                await cancel_quietly_async(resource, rid)
        raise


def cancel_quietly(resource: Responses, rid: str) -> None:
    """Ask the server to cancel ``rid`` after an interrupted wait, in at most ``CANCEL_TIMEOUT`` seconds
    whatever the endpoint does. A failure is logged, never raised: the interruption is what the caller
    must see."""
    try:
        cancel_sync(resource, rid, CANCEL_TIMEOUT)
    except Exception as error:
        logger.debug("cancel of %s after interrupt failed: %s", rid, type(error).__name__)


async def cancel_quietly_async(resource: AsyncResponses, rid: str) -> None:
    """The async ``cancel_quietly``; callers shield and bound it, since it runs while being cancelled."""
    try:
        await cancel_async(resource, rid, CANCEL_TIMEOUT)
    except Exception as error:
        logger.debug("cancel of %s after interrupt failed: %s", rid, type(error).__name__)


def poll_headers(options: WaitOptions, extra_headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """The SDK's poll-helper headers, then the caller's (which win), built once per wait."""
    headers: dict[str, Any] = {"X-Stainless-Poll-Helper": "true"}
    if options.interval is not None:
        headers["X-Stainless-Custom-Poll-Interval"] = str(round(options.interval * 1000))
    headers.update(extra_headers or {})
    return headers


def background_create_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``responses.create`` parameters for a background job: ``stream`` refused, ``background`` forced."""
    if params.get("stream"):
        raise ValueError("create_and_poll waits by polling; it cannot take stream=True")
    if params.get("background", True) is not True:
        raise ValueError("create_and_poll always creates with background=True; leave `background` out")
    return {**params, "background": True}


def created_response(raw: Any) -> tuple[Response, HttpResponse]:
    """Read the create call's answer: it is the first poll, and it names the response to wait for."""
    created = parse_answer(raw, response_id=None)
    rid = getattr(created, "id", None)
    if not isinstance(rid, str) or not rid:
        raise malformed_answer_error(None, raw.http_response, "the create answer has no response id")
    return created, raw.http_response


def _dispatch(resource: Responses | AsyncResponses) -> Dispatch:
    """The client's ``_make_background_failure_error``; a plain SDK client falls back to ours."""
    method: Dispatch | None = getattr(resource._client, "_make_background_failure_error", None)
    return method if method is not None else make_background_failure_error


def _clock(resource: object, default: Callable[[], float]) -> Callable[[], float]:
    """The resource's ``_monotonic`` hook if it has one (tests and simulations), else ``default``."""
    hook: Callable[[], float] | None = getattr(resource, "_monotonic", None)
    return hook if hook is not None else default
