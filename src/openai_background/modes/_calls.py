"""The framework modes' ``create`` and ``retrieve``, sync and async, as functions of a responses resource.

``ModeResponses`` (``_resources.py``) calls these only when the client's settings switch a mode on; with
the defaults the SDK's own methods run untouched. Every wait goes through the poll shells
(``.._waiting.wait_sync`` / ``wait_async``) and every stream through ``..streams``: no loop here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, cast

from openai._types import NOT_GIVEN, NotGiven, Omit
from openai.types.responses import Response

from .._waits.observers import check_journal, observed, record_create
from .._waits.sdk_methods import sdk_method, sdk_raw
from .._waits.shells import created_response, wait_async, wait_sync
from .._waits.structured import StructuredOutput, structured_create
from .._waits.timeouts import ResponseIdOnErrors
from ..streams._io import StreamRequest
from ..streams._resources import AsyncBackgroundStream, BackgroundStream
from ..streams._steps import StreamPosition
from ..streams._waiting import stream_events_async, stream_events_sync
from ._dispatch import framework_dispatch
from ._plan import poll_extra_headers, raw_kind
from ._raw import Check, rewrap

if TYPE_CHECKING:
    from ._settings import BackgroundSettings

__all__ = [
    "background_stream",
    "background_stream_async",
    "strict_retrieve",
    "strict_retrieve_async",
    "wait_create",
    "wait_create_async",
    "wait_parse",
    "wait_parse_async",
]

_REQUEST: Final = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})


class _Call:
    """One ``create`` call split into its body parameters and its request options."""

    def __init__(self, kwargs: Mapping[str, Any]) -> None:
        self.params = {name: value for name, value in kwargs.items() if name not in _REQUEST}
        self.kind = raw_kind(kwargs)
        self.headers = poll_extra_headers(kwargs.get("extra_headers"))
        self.query: Any = kwargs.get("extra_query")
        self.body: Any = kwargs.get("extra_body")
        self.timeout: Any = kwargs.get("timeout", NOT_GIVEN)

    def stream_request(self) -> StreamRequest:
        return StreamRequest(self.headers, self.query, self.body, self.timeout, self.params)


class _Last:
    """The last raw answer seen: the create's, then each poll's."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def keep(self, answer: Any) -> None:
        self.answer = answer


def wait_create(
    resource: Any, settings: BackgroundSettings, kwargs: Mapping[str, Any], output: StructuredOutput[Any] | None = None
) -> Any:
    """Create a background job and wait for its end: the final ``Response`` (or, for a raw call, the final
    poll's raw answer); raises the typed error for a status in ``settings.raise_on``."""
    with ResponseIdOnErrors() as named:  # None until the create answer names the response
        call = _Call(kwargs)
        check_journal(resource)  # a broken journal refuses before the job is paid for
        raw = sdk_raw(resource, "create")(
            **call.params,
            extra_headers=call.headers,
            extra_query=call.query,
            extra_body=call.body,
            timeout=call.timeout,
        )
        first = created_response(raw)
        named.rid = first[0].id
        last = _Last(raw)
        response = wait_sync(
            resource,
            first[0].id,
            observed(
                dataclasses.replace(settings.wait_options(), output=output),
                record_create(resource, first[0], call.params, lease=True),
            ),
            first=first,
            extra_headers=call.headers,
            extra_query=call.query,
            timeout=call.timeout,
            dispatch=framework_dispatch(resource),
            on_answer=last.keep,
        )
        return response if call.kind is None else rewrap(last.answer, call.kind, is_async=False)


async def wait_create_async(
    resource: Any, settings: BackgroundSettings, kwargs: Mapping[str, Any], output: StructuredOutput[Any] | None = None
) -> Any:
    """The async ``wait_create``."""
    with ResponseIdOnErrors() as named:  # None until the create answer names the response
        call = _Call(kwargs)
        check_journal(resource)  # a broken journal refuses before the job is paid for
        raw = await sdk_raw(resource, "create")(
            **call.params,
            extra_headers=call.headers,
            extra_query=call.query,
            extra_body=call.body,
            timeout=call.timeout,
        )
        first = created_response(raw)
        named.rid = first[0].id
        last = _Last(raw)
        response = await wait_async(
            resource,
            first[0].id,
            observed(
                dataclasses.replace(settings.wait_options(), output=output),
                record_create(resource, first[0], call.params, lease=True),
            ),
            first=first,
            extra_headers=call.headers,
            extra_query=call.query,
            timeout=call.timeout,
            dispatch=framework_dispatch(resource),
            on_answer=last.keep,
        )
        return response if call.kind is None else rewrap(last.answer, call.kind, is_async=True)


def parse_call(kwargs: Mapping[str, Any]) -> tuple[Mapping[str, Any], StructuredOutput[Any]]:
    """A ``responses.parse`` call as ``create`` keywords (``text.format``, converted tools) and its parser;
    ``parse_as`` (openai 3.x) cannot be waited for: ``ValueError``."""
    params = dict(kwargs)
    text_format = params.pop("text_format", None)
    if not isinstance(params.pop("parse_as", NOT_GIVEN), (Omit, NotGiven)):
        raise ValueError("background_mode cannot wait for parse(parse_as=...); poll(id, text_format=...) the job")
    sent, output = structured_create(text_format, params, always=True)
    assert output is not None  # always=True
    return sent, output


def wait_parse(resource: Any, settings: BackgroundSettings, kwargs: Mapping[str, Any]) -> Any:
    """``parse(..., background=True)`` under a ``background_mode``: the final ``ParsedResponse``, parsed as
    ``parse`` parses (``poll``'s ``text_format``)."""
    sent, output = parse_call(kwargs)
    return wait_create(resource, settings, sent, output)


async def wait_parse_async(resource: Any, settings: BackgroundSettings, kwargs: Mapping[str, Any]) -> Any:
    """The async ``wait_parse``."""
    sent, output = parse_call(kwargs)
    return await wait_create_async(resource, settings, sent, output)


def is_recorded_create(settings: BackgroundSettings, kwargs: Mapping[str, Any]) -> bool:
    """Whether a ``create`` the SDK sends as it is (mode "off") must still be recorded: a background job
    (``background`` truthy, as a keyword or in ``extra_body``) of a client with a journal, not streamed."""
    if settings.journal is None or kwargs.get("stream") is True:
        return False
    extra_body = kwargs.get("extra_body")
    in_body = cast("Mapping[str, object]", extra_body).get("background") if isinstance(extra_body, Mapping) else None
    return kwargs.get("background") is True or in_body is True


def journaled_create(resource: Any, kwargs: Mapping[str, Any]) -> Any:
    """``create(background=True)`` that returns at once, as the SDK's does, after recording the create answer
    in the client's journal (before returning; a failed write raises ``JournalWriteError`` naming the id)."""
    with ResponseIdOnErrors() as named:  # None until the create answer names the response
        call = _Call(kwargs)
        check_journal(resource)  # a broken journal refuses before the job is paid for
        raw = sdk_raw(resource, "create")(
            **call.params,
            extra_headers=call.headers,
            extra_query=call.query,
            extra_body=call.body,
            timeout=call.timeout,
        )
        created = created_response(raw)[0]
        named.rid = created.id
        record_create(resource, created, call.params, lease=False)
        return created if call.kind is None else rewrap(raw, call.kind, is_async=False)


async def journaled_create_async(resource: Any, kwargs: Mapping[str, Any]) -> Any:
    """The async ``journaled_create``."""
    with ResponseIdOnErrors() as named:  # None until the create answer names the response
        call = _Call(kwargs)
        check_journal(resource)  # a broken journal refuses before the job is paid for
        raw = await sdk_raw(resource, "create")(
            **call.params,
            extra_headers=call.headers,
            extra_query=call.query,
            extra_body=call.body,
            timeout=call.timeout,
        )
        created = created_response(raw)[0]
        named.rid = created.id
        record_create(resource, created, call.params, lease=False)
        return created if call.kind is None else rewrap(raw, call.kind, is_async=True)


def background_stream(resource: Any, settings: BackgroundSettings, kwargs: Mapping[str, Any]) -> BackgroundStream:
    """``create(..., stream=True, background=True)``: the resumable background stream with typed errors. A
    ``response.failed`` (or an ``error`` event) raises the typed error in place of being delivered: a
    framework reading the events would turn that event into its own untyped error first (strands,
    mirascope). ``response.incomplete`` is delivered (frameworks read it as a finish reason)."""
    call = _Call(kwargs)
    position = StreamPosition(None)
    events = stream_events_sync(
        resource,
        position,
        settings.wait_options(),
        call.stream_request(),
        dispatch=framework_dispatch(resource),
        deliver_failures=False,
    )
    return BackgroundStream(events, position)


def background_stream_async(
    resource: Any, settings: BackgroundSettings, kwargs: Mapping[str, Any]
) -> AsyncBackgroundStream:
    """The async ``background_stream``."""
    call = _Call(kwargs)
    position = StreamPosition(None)
    events = stream_events_async(
        resource,
        position,
        settings.wait_options(),
        call.stream_request(),
        dispatch=framework_dispatch(resource),
        deliver_failures=False,
    )
    return AsyncBackgroundStream(events, position)


def _check(resource: Any, settings: BackgroundSettings) -> Check:
    """What ``strict_retrieve`` does to a parsed answer: raise the typed error of a status in
    ``settings.raise_on``; any other status (pending, completed, one we do not know) is returned."""
    dispatch = framework_dispatch(resource)

    def check(parsed: object, http_response: Any) -> None:
        if isinstance(parsed, Response):
            error = dispatch(parsed, response=http_response)
            if error is not None and error.status in settings.raise_on:
                raise error

    return check


def strict_retrieve(resource: Any, settings: BackgroundSettings, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``retrieve()`` (not streamed) that raises for ``failed``/``cancelled``; a raw call's ``parse()`` does."""
    check = _check(resource, settings)
    kind = raw_kind(kwargs)
    with _asked(args, kwargs):
        if kind is not None:
            return rewrap(sdk_method(resource, "retrieve")(*args, **kwargs), kind, is_async=False, strict=check)
        raw = sdk_raw(resource, "retrieve")(*args, **kwargs)
        parsed = raw.parse()
        check(parsed, raw.http_response)
        return parsed


async def strict_retrieve_async(
    resource: Any, settings: BackgroundSettings, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """The async ``strict_retrieve``."""
    check = _check(resource, settings)
    kind = raw_kind(kwargs)
    with _asked(args, kwargs):
        if kind is not None:
            raw = await sdk_method(resource, "retrieve")(*args, **kwargs)
            return rewrap(raw, kind, is_async=True, strict=check)
        raw = await sdk_raw(resource, "retrieve")(*args, **kwargs)
        parsed = raw.parse()
        check(parsed, raw.http_response)
        return parsed


def _asked(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> ResponseIdOnErrors:
    """Errors of ``retrieve(response_id, ...)`` name the id asked for (a 404, a refused answer)."""
    named = ResponseIdOnErrors()
    asked = args[0] if args else kwargs.get("response_id")
    named.rid = asked if isinstance(asked, str) else None
    return named
