"""The fake server's answers carry what the real API sends, so frameworks' success paths run against it."""

from __future__ import annotations

import openai
from conftest import CANARY_KEY
from openai.types.responses import Response

from openai_background.testing import FakeResponsesServer, JobScript


def test_a_completed_response_has_usage_output_text_and_echoes_the_request(server: FakeResponsesServer) -> None:
    server.queue_create(JobScript.completed(output_text="three small words").terminal_on_create())
    client = openai.OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0)
    response = client.responses.create(
        model="gpt-4.1-mini", input="count these words please", background=True, instructions="be brief"
    )
    assert isinstance(response, Response)
    assert response.output_text == "three small words"
    assert response.model == "gpt-4.1-mini" and response.instructions == "be brief"
    assert response.background is True and response.store is True
    assert isinstance(response.created_at, (int, float)) and response.created_at > 1_600_000_000
    usage = response.usage
    assert usage is not None
    assert usage.output_tokens == 3 and usage.input_tokens > 0
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens == 0
    assert usage.output_tokens_details.reasoning_tokens == 0


def test_usage_grows_with_the_input(server: FakeResponsesServer) -> None:
    client = openai.OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0)
    sizes = []
    for text in ("hi", "hi " * 200):
        server.queue_create(JobScript.completed().terminal_on_create())
        usage = client.responses.create(model="m", input=text).usage
        assert usage is not None
        sizes.append(usage.input_tokens)
    assert sizes[1] > sizes[0]


def test_pending_and_failed_responses_have_no_usage_and_echo_store(server: FakeResponsesServer) -> None:
    client = openai.OpenAI(api_key=CANARY_KEY, base_url=server.base_url, max_retries=0)
    server.queue_create(JobScript.completed(polls=1))
    queued = client.responses.create(model="m", input="x", store=False, background=False)
    assert queued.usage is None and queued.store is False and queued.background is False
    rid = server.add_job(JobScript.failed("server_error"))
    assert client.responses.retrieve(rid).usage is None
