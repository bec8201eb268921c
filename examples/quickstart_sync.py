"""Quick start: wait for a background response, and handle its failure with the `except` you already have.

    python examples/quickstart_sync.py

With OPENAI_API_KEY set it calls the real API (two short requests); without, a loopback fake answers.
"""

from __future__ import annotations

import openai
from _fake_api import FAST_POLLS_MS, MODEL, real_or_fake_api

from openai_background import OpenAI
from openai_background.testing import JobScript

HAIKU = "Jobs wait in line / the poll comes back with an answer / or a typed error"
FAKE_OUTCOMES = (  # what the loopback fake answers to the two creates below, when there is no API key
    JobScript.completed(output_text=HAIKU, polls=2, poll_after_ms=FAST_POLLS_MS),
    JobScript.failed("server_error", message="The server had an error.", polls=1, poll_after_ms=FAST_POLLS_MS),
)


def main() -> int:
    with real_or_fake_api(*FAKE_OUTCOMES):
        client = OpenAI()  # a drop-in openai.OpenAI: reads OPENAI_API_KEY and OPENAI_BASE_URL as usual

        # create(background=True), then poll until the response leaves queued/in_progress.
        response = client.responses.create_and_poll(model=MODEL, input="Write a haiku about queues.")
        print(f"completed: {response.output_text}")

        # A background run that fails answers its poll with HTTP 200 and status="failed"; the plain SDK
        # returns that silently. Here it raises the class the same failure raises as an HTTP error.
        try:
            response = client.responses.create_and_poll(model=MODEL, input="Name three kinds of queue.")
            print(f"completed: {response.output_text}")
        except openai.InternalServerError as err:  # ResponseServerError is one
            print(f"{type(err).__name__}: code={err.code} retryable={err.retryable}")
            print(f"  response id {err.response_id}, request id {err.request_id}")
            poll_status = err.http_response.status_code  # the answer really received; err.response has status_code
            print(f"  status_code={err.status_code} (as the HTTP error), poll's HTTP status {poll_status}")
        except openai.APIStatusError as err:  # every other background failure
            print(f"{type(err).__name__}: {err}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
