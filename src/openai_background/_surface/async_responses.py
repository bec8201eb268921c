"""``client.responses`` of the async clients: ``AsyncResponses``, the async twin of ``Responses`` in
``_resources.py`` (same methods, same arguments, same outcomes; it shares that module's ``_OMIT`` and ``T``).

The methods only check their arguments and delegate to the async shells in ``_waiting.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Literal, overload

from openai._types import NOT_GIVEN, NotGiven, Omit
from openai.types.responses import ParsedResponse, Response
from typing_extensions import Unpack

from .._compat import Timeout
from .._errors.dispatch import DEFAULT_RAISE_ON
from .._many import DEFAULT_CONCURRENCY, PollOutcome, check_ids, poll_many_async
from .._waits.bounded import create_bounded_async
from .._waits.events import OnPoll
from .._waits.listening import DEFAULT_FALLBACK_POLL_SECONDS, listening_for, many_listening_for
from .._waits.observers import check_journal, journal_of, observed, record_create
from .._waits.program import DEFAULT_MAX_POLL_FAILURES, WaitOptions, check_response_id
from .._waits.shells import background_create_params, created_response, wait_async
from .._waits.signatures import CreateAndPollParams, ManyOptions, PollOptions
from .._waits.structured import structured_create, structured_output
from .._waits.timeouts import ResponseIdOnErrors
from ..journal._resume import AsyncResumingResponses
from ..streams._resources import AsyncStreamingResponses
from ..streams._waiting import check_wait, stream_wait_async
from .responses import _OMIT, T

if TYPE_CHECKING:
    from openai._types import Body, Headers, Query
    from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming

__all__ = ["AsyncResponses"]


class AsyncResponses(AsyncStreamingResponses, AsyncResumingResponses):
    """The SDK's ``AsyncResponses`` resource plus ``poll`` and ``create_and_poll`` (and, from
    ``AsyncStreamingResponses``, ``stream_background`` and ``create_and_stream``)."""

    @overload
    async def poll(
        self, response_id: str, *, text_format: type[T], **options: Unpack[PollOptions]
    ) -> ParsedResponse[T]: ...
    @overload
    async def poll(
        self, response_id: str, *, text_format: Omit | None = ..., **options: Unpack[PollOptions]
    ) -> Response: ...

    async def poll(
        self,
        response_id: str,
        *,
        poll_interval_ms: int | Omit = _OMIT,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        cancel_on_interrupt: bool = False,
        on_poll: OnPoll | None = None,
        wait: Literal["poll", "stream", "webhook"] = "poll",
        fallback_poll_seconds: float = DEFAULT_FALLBACK_POLL_SECONDS,
        text_format: type[Any] | Omit | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
    ) -> Response:
        """The async ``Responses.poll``: same arguments, same outcomes. With ``cancel_on_interrupt``, a
        cancelled task sends the cancel request in a shielded, bounded scope, then re-raises."""
        rid = check_response_id(response_id)
        options = WaitOptions.check(
            poll_interval_ms,
            max_wait_seconds,
            raise_on,
            max_poll_failures,
            cancel_on_timeout,
            cancel_on_interrupt,
            on_poll=on_poll,
            output=structured_output(text_format),
        )
        options = observed(options, journal_of(self))
        options, wait = listening_for(self, options, wait, fallback_poll_seconds)
        waiter = stream_wait_async if check_wait(wait) == "stream" else wait_async
        return await waiter(self, rid, options, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout)

    @overload
    async def create_and_poll(
        self, *, text_format: type[T], **params: Unpack[CreateAndPollParams]
    ) -> ParsedResponse[T]: ...
    @overload
    async def create_and_poll(
        self, *, text_format: Omit | None = ..., **params: Unpack[CreateAndPollParams]
    ) -> Response: ...

    async def create_and_poll(
        self,
        *,
        poll_interval_ms: int | Omit = _OMIT,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        cancel_on_interrupt: bool = False,
        on_poll: OnPoll | None = None,
        wait: Literal["poll", "stream", "webhook"] = "poll",
        fallback_poll_seconds: float = DEFAULT_FALLBACK_POLL_SECONDS,
        text_format: type[Any] | Omit | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        **params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> Response:
        """The async ``Responses.create_and_poll``: same arguments, same outcomes (every exception has a
        ``response_id``: None when the create request itself failed)."""
        with ResponseIdOnErrors() as named:  # err.response_id on every error: None if the create failed
            sent, output = structured_create(text_format, params)  # text.format and tools as `parse` sends them
            options = WaitOptions.check(
                poll_interval_ms,
                max_wait_seconds,
                raise_on,
                max_poll_failures,
                cancel_on_timeout,
                cancel_on_interrupt,
                on_poll=on_poll,
                output=output,
            )
            options, wait = listening_for(self, options, wait, fallback_poll_seconds)
            waiter = stream_wait_async if check_wait(wait) == "stream" else wait_async
            check_journal(self)  # a broken journal refuses before the job is paid for
            raw = await create_bounded_async(  # the splatted params are checked by Unpack above
                self,
                **background_create_params(sent),
                extra_headers=extra_headers,
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
            )
            first = created_response(raw)
            named.rid = first[0].id
            journal = record_create(self, first[0], {**params, "text_format": text_format}, lease=True)
            options = observed(options, journal)
            return await waiter(
                self,
                first[0].id,
                options,
                first=first,
                extra_headers=extra_headers,
                extra_query=extra_query,
                timeout=timeout,
            )

    @overload
    def poll_many(
        self, response_ids: Iterable[str], *, text_format: type[T], **options: Unpack[ManyOptions]
    ) -> AbstractAsyncContextManager[AsyncIterator[PollOutcome[ParsedResponse[T]]]]: ...
    @overload
    def poll_many(
        self, response_ids: Iterable[str], *, text_format: Omit | None = ..., **options: Unpack[ManyOptions]
    ) -> AbstractAsyncContextManager[AsyncIterator[PollOutcome]]: ...

    def poll_many(
        self,
        response_ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        text_format: type[Any] | Omit | None = None,
        poll_interval_ms: int | Omit = _OMIT,
        max_wait_seconds: float | Omit | None = _OMIT,
        raise_on: Collection[str] = DEFAULT_RAISE_ON,
        max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
        cancel_on_timeout: bool = False,
        cancel_on_interrupt: bool = False,
        on_poll: OnPoll | None = None,
        wait: Literal["poll", "webhook"] = "poll",
        fallback_poll_seconds: float = DEFAULT_FALLBACK_POLL_SECONDS,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
    ) -> AbstractAsyncContextManager[AsyncIterator[PollOutcome[Any]]]:
        """Wait for many background responses in tasks; use as
        ``async with client.responses.poll_many(ids) as outcomes: async for outcome in outcomes: ...``.

        The ``async with`` block owns the polling tasks (structured concurrency): leaving it, normally or
        by cancellation, stops every poll. Otherwise as the sync ``poll_many``.
        """
        ids = check_ids(response_ids, concurrency)
        options = WaitOptions.check(
            poll_interval_ms,
            max_wait_seconds,
            raise_on,
            max_poll_failures,
            cancel_on_timeout,
            cancel_on_interrupt,
            on_poll=on_poll,
            output=structured_output(text_format),
        )
        options = observed(options, journal_of(self))
        options = many_listening_for(self, options, wait, fallback_poll_seconds)
        return poll_many_async(
            self,
            ids,
            options,
            concurrency=concurrency,
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )
