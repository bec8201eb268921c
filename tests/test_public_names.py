"""The public import paths, pinned: what users import stays where it is, whatever moves inside the package.

Adding a public name means adding it here (and to the CHANGELOG); removing or moving one fails this test."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PUBLIC = {
    "openai_background": [
        "AsyncAzureOpenAI", "AsyncBackgroundStream", "AsyncOpenAI", "AsyncResponses", "AzureOpenAI",
        "BackgroundResponseError", "BackgroundStream", "JobNotFinishedError", "Journal", "JournalError",
        "JournalWriteError", "OpenAI", "PollEvent", "PollOutcome", "ResponseBadRequestError",
        "ResponseCancelledError", "ResponseFailedError", "ResponseIncompleteError", "ResponseMalformedError",
        "ResponseNotFoundError", "ResponsePermissionDeniedError", "ResponsePollTimeoutError",
        "ResponseRateLimitError", "ResponseServerError", "Responses", "install", "installed",
        "make_background_failure_error", "raise_for_status", "uninstall",
    ],
    "openai_background.journal": ["Job", "JobNotFinishedError", "Journal", "JournalError", "JournalWriteError"],
    "openai_background.testing": [
        "Answer", "FakeJob", "FakeResponsesServer", "JobScript", "MISSING", "PollAfter", "RecordedRequest",
        "StreamScript", "TERMINAL_STATUSES", "WebhookDelivery", "WebhookScript", "new_webhook_secret", "sign_webhook",
    ],
    "openai_background.webhooks": ["WebhookReceiver"],
    "openai_background.testing.respx": [
        "DEFAULT_BASE_URL", "UnmockedTransportError", "mock_background_job", "mocked_job", "outcome_script",
    ],
    "openai_background.testing.pytest_plugin": [
        "FAKE_API_KEY", "async_background_client", "background_client", "fake_responses_server",
    ],
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_each_public_name_is_importable_where_it_always_was(module: str) -> None:
    imported = importlib.import_module(module)
    assert sorted(imported.__all__) == sorted(PUBLIC[module])
    for name in PUBLIC[module]:
        assert getattr(imported, name) is not None, f"{module}.{name}"


@pytest.mark.once
def test_the_root_names_import_in_a_fresh_interpreter() -> None:
    """``from openai_background import X`` for every name, lazily loaded ones included, in a new process."""
    names = ", ".join(PUBLIC["openai_background"])
    code = f"from openai_background import {names}; import openai_background as o; assert o.__version__"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
