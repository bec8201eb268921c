"""Retry a background job with tenacity, only when a new create() can help: on ``err.retryable``.

    pip install tenacity
    python examples/retry_with_tenacity.py

``retryable`` is True exactly for server_error, rate_limit_exceeded and vector_store_timeout. Each retry
must *create* a new response: polling the failed one again returns the same failure forever, which is
why the retried function is ``create_and_poll`` and not ``poll``.
"""

from __future__ import annotations

from _fake_api import FAST_POLLS_MS, MODEL, real_or_fake_api
from openai.types.responses import Response
from tenacity import RetryCallState, retry, retry_if_exception, stop_after_attempt, wait_none, wait_random_exponential

from openai_background import BackgroundResponseError, OpenAI
from openai_background.testing import JobScript

FAKE_OUTCOMES = (  # the first job fails twice, retryably, then succeeds; the second is refused outright
    JobScript.failed("server_error", polls=1, poll_after_ms=FAST_POLLS_MS),
    JobScript.failed("rate_limit_exceeded", polls=1, poll_after_ms=FAST_POLLS_MS),
    JobScript.completed(output_text="Third time lucky.", polls=1, poll_after_ms=FAST_POLLS_MS),
    JobScript.failed("invalid_prompt", message="The prompt was refused.", polls=1, poll_after_ms=FAST_POLLS_MS),
)


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, BackgroundResponseError) and error.retryable


def report_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    print(f"  attempt {state.attempt_number} failed: {type(error).__name__} ({getattr(error, 'code', None)}); retrying")


@retry(
    retry=retry_if_exception(is_retryable),
    stop=stop_after_attempt(4),
    wait=wait_random_exponential(multiplier=1, max=60),
    before_sleep=report_retry,
    reraise=True,  # after the last attempt, raise the job's own typed error, not tenacity's RetryError
)
def ask(client: OpenAI, prompt: str) -> Response:
    return client.responses.create_and_poll(model=MODEL, input=prompt)


def main() -> int:
    with real_or_fake_api(*FAKE_OUTCOMES) as fake:
        # The fake's failures are instant; don't make the demo sleep between attempts.
        ask_now = ask.retry_with(wait=wait_none()) if fake else ask
        client = OpenAI()
        for prompt in ["Say something lucky.", "Something the API will refuse."]:
            print(f"{prompt}")
            try:
                print(f"  completed: {ask_now(client, prompt).output_text}")
            except BackgroundResponseError as err:
                print(f"  gave up: {type(err).__name__} ({getattr(err, 'code', None)}), retryable={err.retryable}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
