"""Migrating a hand-written polling loop: one line changes, and failures start raising.

    python examples/migrate_hand_written_loop.py

Before: the loop returns a failed run as an ordinary ``Response`` (the poll answered HTTP 200), so the
caller's ``except openai.InternalServerError`` retry path never runs. After: ``raise_for_status`` takes the
raw poll answer and raises the class the failure would raise as an HTTP error, with its request id. When
you own no loop at all, ``client.responses.poll(response_id)`` is the whole thing.
"""

from __future__ import annotations

import time

import openai
from _fake_api import FAST_POLLS_MS, MODEL, real_or_fake_api
from openai.types.responses import Response

from openai_background import raise_for_status
from openai_background.testing import JobScript

PENDING = ("queued", "in_progress")
FAKE_OUTCOMES = tuple(JobScript.failed("server_error", polls=2, poll_after_ms=FAST_POLLS_MS) for _ in range(2))


def wait_before(client: openai.OpenAI, response_id: str) -> Response:
    while True:
        raw = client.responses.with_raw_response.retrieve(response_id)
        response = raw.parse()  # a failed run is returned like any other
        if response.status not in PENDING:
            return response
        time.sleep(int(raw.headers.get("openai-poll-after-ms", "1000")) / 1000)


def wait_after(client: openai.OpenAI, response_id: str) -> Response:
    while True:
        raw = client.responses.with_raw_response.retrieve(response_id)
        response = raise_for_status(raw)  # the one changed line: failed/incomplete/cancelled raise
        if response.status not in PENDING:
            return response
        time.sleep(int(raw.headers.get("openai-poll-after-ms", "1000")) / 1000)


def main() -> int:
    with real_or_fake_api(*FAKE_OUTCOMES):
        client = openai.OpenAI()  # raise_for_status works with the plain SDK client too
        for name, wait in [("before", wait_before), ("after", wait_after)]:
            job = client.responses.create(model=MODEL, input="Explain backoff in one line.", background=True)
            try:
                response = wait(client, job.id)
                print(f"{name}: returned status={response.status!r}", end="")
                print(f" error={response.error.code!r}: nothing raised" if response.error else "")
            except openai.InternalServerError as err:
                print(f"{name}: raised {type(err).__name__}, an openai.InternalServerError")
                print(f"  code={err.code} retryable={err.retryable} request id {err.request_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
