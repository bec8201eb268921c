"""respx helpers: serve a scripted background job from a respx router, for tests that mock at the HTTP layer.

One call registers what a background job needs (``POST /responses``, ``GET /responses/{id}``,
``POST /responses/{id}/cancel``) and returns the job's response id::

    import httpx
    import respx
    from openai_background import OpenAI, ResponseServerError
    from openai_background.testing.respx import mock_background_job

    with respx.mock:
        mock_background_job(respx.mock, "failed:server_error")
        client = OpenAI(api_key="sk-test", http_client=httpx.Client())
        with pytest.raises(ResponseServerError):
            client.responses.create_and_poll(model="gpt-4.1", input="hi")

respx mocks ``httpx``. openai 1.x and 2.x use it already; openai 3.x talks ``httpx2`` by default, so give
it an ``httpx.Client`` / ``httpx.AsyncClient`` as ``http_client``. A client that does not (openai 3.x's
default ``httpx2`` transport) is refused: while a mocked job's routes are live, ``httpx2``'s transports
raise ``UnmockedTransportError`` (an ``openai.OpenAIError``, which the SDK raises as is, without retrying)
for any request to a mocked base URL, saying what to pass; the request never reaches the network.

This module never imports respx (it only calls the router you pass); install respx yourself, or with
``pip install "openai-background[testing]"``.

The job answers exactly as the same :class:`~openai_background.testing.JobScript` does on the loopback
:class:`~openai_background.testing.FakeResponsesServer` (same bodies, statuses, hints, cancel semantics),
except that no time passes: an ``Answer.slow`` longer than the request's read timeout raises
``httpx.ReadTimeout`` at once (a shorter one is served at once) and ``Answer.drop`` raises
``httpx.RemoteProtocolError``. Several jobs on one router are handed to creates in the order they were
mocked; a create with no mocked job left is not matched, so respx reports it as not mocked. Streaming
requests (``stream=True``) are not served here either: test those against the loopback server.
"""

from __future__ import annotations

import importlib
import json
import re
import weakref
from collections import deque
from itertools import count
from typing import TYPE_CHECKING, Any, Final, cast

try:
    import httpx
except ImportError as error:  # pragma: no cover - openai 3.x alone brings httpx2, not httpx
    raise ImportError(
        "openai_background.testing.respx needs respx and httpx: pip install 'openai-background[testing]'"
    ) from error

from openai import OpenAIError

from ._http import RecordedRequest
from ._jobs import FakeJob, render
from ._script import JobScript
from ._server import FakeResponsesServer

if TYPE_CHECKING:
    import respx

__all__ = ["DEFAULT_BASE_URL", "UnmockedTransportError", "mock_background_job", "mocked_job", "outcome_script"]

DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"
"""The SDK's default ``base_url``; pass yours if the client uses another."""


class UnmockedTransportError(OpenAIError):
    """A request for a mocked job went through a transport respx does not intercept (``httpx2``, openai 3.x's
    default); it was not sent. Pass ``http_client=httpx.Client()`` (``httpx.AsyncClient()`` for async)."""


def outcome_script(outcome: str, *, polls: int = 1, poll_after_ms: int = 10) -> JobScript:
    """A script from a short name: ``"completed"``, ``"cancelled"``, ``"failed:<code>"`` or
    ``"incomplete:<reason>"``; ``polls`` in-progress answers first, every answer hinting ``poll_after_ms``.
    """
    kind, _, detail = outcome.partition(":")
    script: JobScript
    if kind == "completed" and not detail:
        script = JobScript.completed(polls=polls, poll_after_ms=poll_after_ms)
    elif kind == "cancelled" and not detail:
        script = JobScript.cancelled(polls=polls, poll_after_ms=poll_after_ms)
    elif kind == "failed" and detail:
        script = JobScript.failed(detail, polls=polls, poll_after_ms=poll_after_ms)
    elif kind == "incomplete" and detail:
        script = JobScript.incomplete(detail, polls=polls, poll_after_ms=poll_after_ms)
    else:
        raise ValueError(
            f"unknown outcome {outcome!r}: use 'completed', 'cancelled', 'failed:<code>' or 'incomplete:<reason>'"
        )
    return script.with_create_hint(poll_after_ms)


def mock_background_job(
    router: respx.Router, script: JobScript | str = "completed", *, base_url: str = DEFAULT_BASE_URL
) -> str:
    """Mock one background job on ``router`` and return its response id.

    ``script`` is a :class:`JobScript` or an :func:`outcome_script` name. The next ``POST
    {base_url}/responses`` creates this job; ``GET`` and cancel of its id then follow the script. Routes are
    registered once per router and base URL; requests to other ``/responses`` paths fall through to your
    own routes.
    """
    if isinstance(script, str):
        script = outcome_script(script)
    _refuse_unmocked_transports()
    api = _api_for(router, base_url)
    response_id = api.store.add_job(script)
    api.pending.append(response_id)
    return response_id


def mocked_job(router: respx.Router, response_id: str) -> FakeJob:
    """The live job behind ``response_id`` (``polls``, ``cancel_requests``, ``status``, ``create_body``)."""
    api = _apis.get(router)
    if api is None:
        raise KeyError(f"no background job was mocked on {router!r}")
    return api.store.job(response_id)


class _MockedAPI:
    """The jobs of one router: an unstarted fake server used as the job store and request handler."""

    def __init__(self) -> None:
        self.store = FakeResponsesServer()
        self.pending: deque[str] = deque()
        self.routes: dict[str, respx.Route] = {}  #: base URL -> the one route serving it
        self.urls: dict[str, re.Pattern[str]] = {}  #: base URL -> the URLs that route matches
        self.request_ids = count(1)

    def handle(self, request: httpx.Request, base_path: str) -> httpx.Response | None:
        path = "/v1" + request.url.path[len(base_path) :]  # the store routes the SDK's /v1 paths
        if not _JOB_ENDPOINT.fullmatch(f"{request.method} {path}") or _is_stream(request):
            return None  # another endpoint, or a stream: leave it to the caller's own routes
        if request.method == "POST" and path == "/v1/responses":
            if not self.pending:
                return None  # no job left to hand out: respx reports the request as not mocked
            job = self.store.job(self.pending.popleft())
            job.create_body = _json_object(request.content)
            reply = job.note(render(job.script.on_create, job))
        else:
            recorded = RecordedRequest(
                request.method, path, request.url.query.decode(), dict(request.headers), request.content, 0.0, 0
            )
            reply = self.store._dispatch(recorded)  # the same routes the loopback server serves
        if reply.drop:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        read_timeout = request.extensions.get("timeout", {}).get("read")
        if reply.delay and read_timeout is not None and reply.delay > read_timeout:
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        headers = {"x-request-id": f"req_mock_{next(self.request_ids)}", **reply.headers}
        return httpx.Response(reply.status_code, headers=headers, content=reply.body, request=request)


_JOB_ENDPOINT: Final = re.compile(r"POST /v1/responses|GET /v1/responses/[^/]+|POST /v1/responses/[^/]+/cancel")
_apis: weakref.WeakKeyDictionary[Any, _MockedAPI] = weakref.WeakKeyDictionary()


def _live(router: respx.Router, api: _MockedAPI) -> bool:
    """Whether ``api``'s routes are still on ``router`` (``with respx.mock:`` rolls them back when it ends)."""
    return all(any(route is ours for route in router.routes) for ours in api.routes.values())


def _api_for(router: respx.Router, base_url: str) -> _MockedAPI:
    api = _apis.get(router)
    if api is None or not _live(router, api):
        # New router, or one whose routes were rolled back (``with respx.mock:`` ended): start afresh.
        api = _apis[router] = _MockedAPI()
    base = base_url.rstrip("/")
    if base not in api.routes:
        base_path = _path_of(base)

        def answer(request: httpx.Request) -> httpx.Response | None:
            return api.handle(request, base_path)

        api.urls[base] = re.compile(rf"^{re.escape(base)}/responses(?:/[^?]*)?(?:\?.*)?$")
        api.routes[base] = router.route(url__regex=api.urls[base]).mock(side_effect=answer)
    return api


def _path_of(base_url: str) -> str:
    return httpx.URL(base_url).path.rstrip("/")


def _is_stream(request: httpx.Request) -> bool:
    if request.method == "GET":
        return str(request.url.params.get("stream", "")).lower() == "true"
    body = _json_object(request.content) if request.url.path.endswith("/responses") else None
    return body is not None and body.get("stream") is True


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content)
    except ValueError:
        return None
    return cast("dict[str, Any]", body) if isinstance(body, dict) else None


def _refuse_if_mocked(url: str) -> None:
    """Raise ``UnmockedTransportError`` if ``url`` is one a live mocked job would have answered."""
    for router, api in list(_apis.items()):
        if api.routes and _live(router, api) and any(p.match(url) for p in api.urls.values()):
            raise UnmockedTransportError(
                f"openai_background.testing.respx: {url} is mocked, but this client sends through httpx2 (the "
                "openai 3.x default), which respx does not intercept, so nothing was sent. Pass "
                "http_client=httpx.Client() to OpenAI(...) (http_client=httpx.AsyncClient() to AsyncOpenAI(...))."
            )


def _refuse_unmocked_transports() -> None:
    """Make ``httpx2``'s transports refuse what a live mocked job would answer (once per process; they pass
    every other request on untouched). Without httpx2 installed there is nothing to guard."""
    try:  # imported by name: on openai 1.x/2.x httpx2 is absent, and type checkers must not need it
        httpx2: Any = importlib.import_module("httpx2")
    except ImportError:
        return
    sync_transport: Any = httpx2.HTTPTransport
    async_transport: Any = httpx2.AsyncHTTPTransport
    if getattr(sync_transport, "_openai_background_guarded", False):
        return
    handle, handle_async = sync_transport.handle_request, async_transport.handle_async_request

    def handle_request(self: Any, request: Any) -> Any:
        _refuse_if_mocked(str(request.url))
        return handle(self, request)

    async def handle_async_request(self: Any, request: Any) -> Any:
        _refuse_if_mocked(str(request.url))
        return await handle_async(self, request)

    sync_transport.handle_request = handle_request
    async_transport.handle_async_request = handle_async_request
    sync_transport._openai_background_guarded = True
