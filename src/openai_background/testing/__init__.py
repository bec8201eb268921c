"""Test helpers for code that uses OpenAI background responses.

:class:`FakeResponsesServer` is a loopback HTTP server that imitates the
Responses API background mode (create, poll, stream, cancel), driven by
:class:`JobScript` scripts made of :class:`Answer` values::

    with FakeResponsesServer() as server:
        server.queue_create(JobScript.failed("server_error", polls=2))
        client = openai.OpenAI(api_key="sk-test", base_url=server.base_url)
"""

from ._http import RecordedRequest
from ._jobs import FakeJob
from ._script import MISSING, TERMINAL_STATUSES, Answer, JobScript, PollAfter
from ._server import FakeResponsesServer
from ._stream_script import StreamScript

__all__ = [
    "MISSING",
    "TERMINAL_STATUSES",
    "Answer",
    "FakeJob",
    "FakeResponsesServer",
    "JobScript",
    "PollAfter",
    "RecordedRequest",
    "StreamScript",
]
