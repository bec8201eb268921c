"""The test kit: test your own code against background failures, with no API key and no network.

This module is public API. It has three parts:

* :class:`FakeResponsesServer`, a loopback HTTP server (real sockets, any client and transport) that
  imitates the Responses API background mode (create, poll, stream, cancel). What each job answers is a
  :class:`JobScript` made of :class:`Answer` values: an outcome (``completed``, ``failed`` with any
  code, ``incomplete`` with any reason, ``cancelled``), in-progress polls, poll-after hints, and faults
  (HTTP errors, dropped connections, slow or unreadable answers)::

      with FakeResponsesServer() as server:
          server.queue_create(JobScript.failed("server_error", polls=2))
          client = openai_background.OpenAI(api_key="sk-test", base_url=server.base_url)
          client.responses.create_and_poll(model="gpt-4.1", input="hi")  # raises ResponseServerError

  ``queue_create`` scripts the next create, ``add_job`` makes a job to ``poll`` directly, and
  ``job(id)`` / ``jobs`` / ``requests`` show what happened (polls, cancel requests, headers).

  With ``webhook_url=`` it POSTs a signed ``response.completed`` / ``failed`` / ``incomplete`` /
  ``cancelled`` event when a job ends (``JobScript.with_webhook(WebhookScript.duplicated())`` and the other
  :class:`WebhookScript` factories make it late, twice, lost, swapped or badly signed;
  ``JobScript.running_for(seconds)`` ends a job on its own clock); ``max_polls_per_second=`` answers 429
  past that many polls a second. See docs/testkit-webhooks.md.

* ``openai_background.testing.pytest_plugin``: opt-in pytest fixtures ``fake_responses_server``,
  ``background_client`` and ``async_background_client``. Enable with
  ``pytest_plugins = ["openai_background.testing.pytest_plugin"]`` in your top-level conftest.py.

* ``openai_background.testing.respx``: ``mock_background_job(router, script)`` serves the same scripts
  from a respx router, for tests that mock at the HTTP layer (needs ``respx``: the ``testing`` extra).

What it may import: the package root (the public clients, for the fixtures) and ``.._compat``; the server
itself is standard library only. The package imports it only from ``.._command.demo``.
"""

from ._http import RecordedRequest
from ._jobs import FakeJob
from ._script import MISSING, TERMINAL_STATUSES, Answer, JobScript, PollAfter
from ._server import FakeResponsesServer
from ._stream_script import StreamScript
from ._webhooks import WebhookDelivery, WebhookScript, new_webhook_secret, sign_webhook

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
    "WebhookDelivery",
    "WebhookScript",
    "new_webhook_secret",
    "sign_webhook",
]
