"""``client.responses`` with ``poll`` and ``create_and_poll``: the sync and async shells.

Each shell only says how to fetch, sleep and cancel; the loop itself is ``_loop.poll_program``. Sleeping
goes through the resource's ``_sleep`` (``time.sleep``; ``anyio.sleep`` when async, so asyncio and trio
both work), the same hook the SDK's own pollers use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Final

import anyio
import openai
from openai.resources.responses import AsyncResponses as _AsyncResponses
from openai.resources.responses import Responses as _Responses
from openai.types.responses import Response
from typing_extensions import Unpack

from ._compat import Timeout
from ._dispatch import DEFAULT_RAISE_ON, malformed_answer_error, parse_answer
from ._loop import (
    DEFAULT_MAX_POLL_FAILURES,
    FETCH,
    Sleep,
    Step,
    WaitOptions,
    check_response_id,
    poll_program,
    run_async,
    run_sync,
)

if TYPE_CHECKING:
    from openai._types import Body, Headers, Query
    from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming

    from ._client import AsyncOpenAI, OpenAI
    from ._compat import HttpResponse

__all__ = ["AsyncResponses", "Responses"]

logger = logging.getLogger("openai_background")

CANCEL_TIMEOUT: Final = 10.0
"""Seconds a cancel request sent on timeout or interrupt may take; it must not hold the caller long."""

_NOT_GIVEN: Any = openai.NOT_GIVEN
_OMIT: Any = openai.Omit()


class Responses(_Responses):
    """The SDK's ``Responses`` resource plus ``poll`` and ``create_and_poll``."""

    _client: OpenAI

    def _monotonic(self) -> float:
        return time.monotonic()

    def poll(
        self,
        response_id: str,
        *,
        poll_interval_ms: int | openai.Omit = _OMIT,
        max_wait_seconds: float | openai.Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        cancel_on_interrupt: bool = False,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | Timeout | openai.NotGiven | None = _NOT_GIVEN,
    ) -> Response:
        """Poll a background response until it leaves ``queued``/``in_progress``.

        Returns the final ``Response``; raises the ``BackgroundResponseError`` subclass its status and
        code map to when the status is in ``raise_on``; raises ``ResponsePollTimeoutError`` when
        ``max_wait_seconds`` passes (default: no deadline). A failed poll (connection error, timeout,
        408/409/429/5xx) is repeated with backoff up to ``max_poll_failures`` times in a row; any error
        that escapes carries ``response_id``. ``retrieve()`` is unchanged and never raises for a status.
        """
        rid = check_response_id(response_id)
        options = WaitOptions.check(
            poll_interval_ms, max_wait_seconds, raise_on, max_poll_failures, cancel_on_timeout, cancel_on_interrupt
        )
        return self._wait(rid, options, None, _poll_headers(options, extra_headers), extra_query, timeout)

    def create_and_poll(
        self,
        *,
        poll_interval_ms: int | openai.Omit = _OMIT,
        max_wait_seconds: float | openai.Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        cancel_on_interrupt: bool = False,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | Timeout | openai.NotGiven | None = _NOT_GIVEN,
        **params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> Response:
        """Create a response with ``background=True`` and poll it as ``poll`` does.

        Takes every parameter of ``responses.create`` except ``stream`` and ``background``. An error of
        the create request itself is raised as the SDK raises it (there is no response id yet). If the
        create answer is already terminal, it is dispatched without polling.
        """
        options = WaitOptions.check(
            poll_interval_ms, max_wait_seconds, raise_on, max_poll_failures, cancel_on_timeout, cancel_on_interrupt
        )
        checked = _background_params(params)
        raw = self.with_raw_response.create(
            **checked,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        first = _first_answer(raw)
        return self._wait(first[0].id, options, first, _poll_headers(options, extra_headers), extra_query, timeout)

    def _wait(
        self,
        rid: str,
        options: WaitOptions,
        first: tuple[Response, HttpResponse] | None,
        headers: dict[str, str],
        extra_query: Query | None,
        timeout: Any,
    ) -> Response:
        def perform(step: Step) -> object:
            if step is FETCH:
                return self.with_raw_response.retrieve(
                    rid, extra_headers=headers, extra_query=extra_query, timeout=timeout
                )
            if isinstance(step, Sleep):
                self._sleep(step.seconds)
                return None
            return self.cancel(rid, timeout=CANCEL_TIMEOUT)

        dispatch = self._client._make_background_failure_error
        try:
            return run_sync(poll_program(rid, options, dispatch=dispatch, clock=self._monotonic, first=first), perform)
        except KeyboardInterrupt:
            if options.cancel_on_interrupt:
                _cancel_quietly(lambda: self.cancel(rid, timeout=CANCEL_TIMEOUT), rid)
            raise


class AsyncResponses(_AsyncResponses):
    """The SDK's ``AsyncResponses`` resource plus ``poll`` and ``create_and_poll``."""

    _client: AsyncOpenAI

    def _monotonic(self) -> float:
        return anyio.current_time()

    async def poll(
        self,
        response_id: str,
        *,
        poll_interval_ms: int | openai.Omit = _OMIT,
        max_wait_seconds: float | openai.Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        cancel_on_interrupt: bool = False,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | Timeout | openai.NotGiven | None = _NOT_GIVEN,
    ) -> Response:
        """The async ``Responses.poll``: same arguments, same outcomes. With ``cancel_on_interrupt``, a
        cancelled task sends the cancel request in a shielded, bounded scope, then re-raises."""
        rid = check_response_id(response_id)
        options = WaitOptions.check(
            poll_interval_ms, max_wait_seconds, raise_on, max_poll_failures, cancel_on_timeout, cancel_on_interrupt
        )
        return await self._wait(rid, options, None, _poll_headers(options, extra_headers), extra_query, timeout)

    async def create_and_poll(
        self,
        *,
        poll_interval_ms: int | openai.Omit = _OMIT,
        max_wait_seconds: float | openai.Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        cancel_on_interrupt: bool = False,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | Timeout | openai.NotGiven | None = _NOT_GIVEN,
        **params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> Response:
        """The async ``Responses.create_and_poll``: same arguments, same outcomes."""
        options = WaitOptions.check(
            poll_interval_ms, max_wait_seconds, raise_on, max_poll_failures, cancel_on_timeout, cancel_on_interrupt
        )
        checked = _background_params(params)
        raw = await self.with_raw_response.create(
            **checked,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        first = _first_answer(raw)
        return await self._wait(
            first[0].id, options, first, _poll_headers(options, extra_headers), extra_query, timeout
        )

    async def _wait(
        self,
        rid: str,
        options: WaitOptions,
        first: tuple[Response, HttpResponse] | None,
        headers: dict[str, str],
        extra_query: Query | None,
        timeout: Any,
    ) -> Response:
        async def perform(step: Step) -> object:
            if step is FETCH:
                return await self.with_raw_response.retrieve(
                    rid, extra_headers=headers, extra_query=extra_query, timeout=timeout
                )
            if isinstance(step, Sleep):
                await self._sleep(step.seconds)
                return None
            return await self.cancel(rid, timeout=CANCEL_TIMEOUT)

        dispatch = self._client._make_background_failure_error
        program = poll_program(rid, options, dispatch=dispatch, clock=self._monotonic, first=first)
        try:
            return await run_async(program, perform)
        except anyio.get_cancelled_exc_class():
            if options.cancel_on_interrupt:
                with anyio.CancelScope(shield=True), anyio.move_on_after(CANCEL_TIMEOUT):
                    try:
                        await self.cancel(rid, timeout=CANCEL_TIMEOUT)
                    except Exception as error:
                        logger.debug("cancel of %s after interrupt failed: %s", rid, type(error).__name__)
            raise


def _poll_headers(options: WaitOptions, extra_headers: Headers | None) -> dict[str, str]:
    """The SDK's poll-helper headers, then the caller's (which win), built once per wait."""
    headers = {"X-Stainless-Poll-Helper": "true"}
    if options.interval is not None:
        headers["X-Stainless-Custom-Poll-Interval"] = str(round(options.interval * 1000))
    headers.update(extra_headers or {})  # type: ignore[arg-type]
    return headers


def _background_params(params: ResponseCreateParamsNonStreaming) -> dict[str, Any]:
    if params.get("stream"):
        raise ValueError("create_and_poll waits by polling; it cannot take stream=True")
    if params.get("background", True) is not True:
        raise ValueError("create_and_poll always creates with background=True; leave `background` out")
    return {**params, "background": True}


def _first_answer(raw: Any) -> tuple[Response, HttpResponse]:
    """Read the create call's answer: it is the first poll, and it names the response to wait for."""
    created = parse_answer(raw, response_id=None)
    rid = getattr(created, "id", None)
    if not isinstance(rid, str) or not rid:
        raise malformed_answer_error(None, raw.http_response, "the create answer has no response id")
    return created, raw.http_response


def _cancel_quietly(cancel: Any, rid: str) -> None:
    try:
        cancel()
    except Exception as error:
        logger.debug("cancel of %s after interrupt failed: %s", rid, type(error).__name__)
