"""A waiter in another process (``test_webhooks_heavy.py``), run as a script.

``JOURNAL BASE_URL RESPONSE_ID FALLBACK``: ``poll(rid, wait="webhook")``; prints "listening" once its first
poll is done, then one JSON line: the status and the wall-clock time it returned.
"""

from __future__ import annotations

import json
import sys
import time

from openai_background import Journal, OpenAI, PollEvent


def main(target: str, base_url: str, rid: str, fallback: str) -> None:
    def on_poll(event: PollEvent) -> None:
        if event.polls == 1:
            print("listening", flush=True)

    client = OpenAI(api_key="sk-test", base_url=base_url, journal=Journal(target))
    response = client.responses.poll(rid, wait="webhook", fallback_poll_seconds=float(fallback), on_poll=on_poll)
    print(json.dumps({"status": response.status, "returned_at": time.time()}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
