"""``client.responses`` with ``poll`` and ``create_and_poll``: the sync ``Responses``.

The methods only check their arguments and delegate to the shells in ``_waiting.py``. The async class,
``AsyncResponses``, is in ``_async_resources.py``; it takes ``_OMIT`` and ``T`` from here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from openai._types import NOT_GIVEN, NotGiven, Omit
from openai.types.responses import ParsedResponse, Response
from typing_extensions import Unpack

from .._compat import Timeout
from .._errors.dispatch import DEFAULT_RAISE_ON
from .._many import DEFAULT_CONCURRENCY, PollOutcome, check_ids, poll_many_sync
from .._waits.bounded import create_bounded_sync
from .._waits.events import OnPoll
from .._waits.listening import DEFAULT_FALLBACK_POLL_SECONDS, listening_for, many_listening_for
from .._waits.observers import check_journal, journal_of, observed, record_create
from .._waits.program import DEFAULT_MAX_POLL_FAILURES, WaitOptions, check_response_id
from .._waits.shells import background_create_params, created_response, wait_sync
from .._waits.signatures import CreateAndPollParams, ManyOptions, PollOptions
from .._waits.structured import structured_create, structured_output
from .._waits.timeouts import ResponseIdOnErrors
from ..journal._resume import ResumingResponses
from ..streams._resources import StreamingResponses
from ..streams._waiting import check_wait, stream_wait_sync

if TYPE_CHECKING:
    from openai._types import Body, Headers, Query
    from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming

__all__ = ["Responses"]

_OMIT: Any = Omit()
T = TypeVar("T")


class Responses(StreamingResponses, ResumingResponses):
    """The SDK's ``Responses`` resource plus ``poll`` and ``create_and_poll`` (and, from
    ``StreamingResponses``, ``stream_background`` and ``create_and_stream``)."""

    @overload
    def poll(self, response_id: str, *, text_format: type[T], **options: Unpack[PollOptions]) -> ParsedResponse[T]: ...
    @overload
    def poll(self, response_id: str, *, text_format: Omit | None = ..., **options: Unpack[PollOptions]) -> Response: ...

    def poll(
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
        """Poll a background response until it leaves ``queued``/``in_progress``.

        Returns the final ``Response``; raises the ``BackgroundResponseError`` subclass its status and
        code map to when the status is in ``raise_on``; raises ``ResponsePollTimeoutError`` when
        ``max_wait_seconds`` passes (default: no deadline). A failed poll (connection error, timeout,
        408/409/429/5xx, an unreadable body) is repeated with backoff up to ``max_poll_failures`` times
        in a row; any error that escapes carries ``response_id``. ``retrieve()`` is unchanged.

        ``wait="stream"`` waits by reading the response's resumable event stream instead: one request
        (plus one per dropped connection) and no polling delay, same outcomes; it polls instead when the
        stream is refused (400/404/405/406/415/501, or an answer that is not an event stream).
        """
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
        waiter = stream_wait_sync if check_wait(wait) == "stream" else wait_sync
        return waiter(self, rid, options, extra_headers=extra_headers, extra_query=extra_query, timeout=timeout)

    @overload
    def create_and_poll(self, *, text_format: type[T], **params: Unpack[CreateAndPollParams]) -> ParsedResponse[T]: ...
    @overload
    def create_and_poll(self, *, text_format: Omit | None = ..., **params: Unpack[CreateAndPollParams]) -> Response: ...

    def create_and_poll(
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
        """Create a response with ``background=True`` and poll it as ``poll`` does.

        Takes every parameter of ``responses.create`` except ``stream`` and ``background``. An error of
        the create request itself is raised as the SDK raises it, with ``response_id = None`` (there is no
        response yet); every exception leaving this method has a ``response_id``. If the
        create answer is already terminal, it is dispatched without polling. ``wait`` as in ``poll``.
        """
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
            waiter = stream_wait_sync if check_wait(wait) == "stream" else wait_sync
            check_journal(self)  # a broken journal refuses before the job is paid for
            raw = create_bounded_sync(  # the splatted params are checked by Unpack above
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
            return waiter(
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
    ) -> Iterator[PollOutcome[ParsedResponse[T]]]: ...
    @overload
    def poll_many(
        self, response_ids: Iterable[str], *, text_format: Omit | None = ..., **options: Unpack[ManyOptions]
    ) -> Iterator[PollOutcome]: ...

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
    ) -> Iterator[PollOutcome[Any]]:
        """Wait for many background responses; yield one ``PollOutcome`` per id as each finishes.

        Each job is polled as ``poll`` would (same options; ``max_wait_seconds`` counts from this call
        for every job); a job's error is its outcome and never stops the others. At most
        ``concurrency`` polls are in flight, on that many worker threads (never a thread per job).
        Ctrl-C stops every poll; with ``cancel_on_interrupt`` it also cancels every unfinished job.
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
        return poll_many_sync(
            self,
            ids,
            options,
            concurrency=concurrency,
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )
