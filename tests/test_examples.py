"""Every file in examples/ runs as a user runs it (a subprocess, no API key: the loopback fake answers)
and prints what its docstring promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # SDK-independent or subprocess-heavy: run by `nox -s tests`, not the matrix

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("OPENAI_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_every_example_is_tested() -> None:
    scripts = {path.name for path in EXAMPLES.glob("*.py") if not path.name.startswith("_")}
    assert scripts == {*EXPECTED, "test_with_test_kit.py"}


EXPECTED = {
    "quickstart_sync.py": [
        "completed: Jobs wait in line",
        "ResponseServerError: code=server_error retryable=True",
        "status_code=500 (as the HTTP error), poll's HTTP status 200",
    ],
    "many_jobs_async.py": ["summary: 3 completed, 2 failed, 1 incomplete", "worth a new create(): 1"],
    "retry_with_tenacity.py": [
        "attempt 1 failed: ResponseServerError (server_error); retrying",
        "attempt 2 failed: ResponseRateLimitError (rate_limit_exceeded); retrying",
        "completed: Third time lucky.",
        "gave up: ResponseBadRequestError (invalid_prompt), retryable=False",
    ],
    "migrate_hand_written_loop.py": [
        "before: returned status='failed' error='server_error': nothing raised",
        "after: raised ResponseServerError, an openai.InternalServerError",
    ],
}


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_the_example_runs_against_the_fake_server(script: str) -> None:
    result = run(str(EXAMPLES / script))

    assert result.returncode == 0, result.stderr
    assert "[no OPENAI_API_KEY: using the loopback fake server]" in result.stderr
    for line in EXPECTED[script]:
        assert line in result.stdout


def test_the_example_test_suite_passes() -> None:
    # As `pytest examples/test_with_test_kit.py`; without hypothesis's plugin, whose import is slow.
    plugins_left_out = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest"]
    result = run("-m", "pytest", "-q", *plugins_left_out, str(EXAMPLES / "test_with_test_kit.py"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout
