"""``openai-background wait`` against a hostile server: exit statuses mean what they say, server text cannot
drive the terminal, and the API key is never printed, whatever the server echoes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile.server import Answer, HostileServer, json_answer, response_answer, response_body, script

pytestmark = pytest.mark.once  # SDK-independent or subprocess-heavy: run by `nox -s tests`, not the matrix

CANARY_KEY = "sk-canary-cli-exit-0123456789abcdefghijklmnopqrstuvwxyz"
SRC = Path(__file__).resolve().parents[1] / "src"
ESC = "\x1b[2J\x1b]0;pwned\x07"
"""Clear the screen, set the window title: what a hostile server would like a terminal to do."""

Run = subprocess.CompletedProcess[str]


def run_cli(argv: list[str], prelude: str = "") -> Run:
    """``python -m openai_background *argv`` (after ``prelude``); whatever it prints holds no key, no raw ESC."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("OPENAI_")}
    env.update(OPENAI_API_KEY=CANARY_KEY, PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    code = f"import sys\n{prelude}\nfrom openai_background._command.main import main\nsys.exit(main({argv!r}))"
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30, errors="surrogateescape"
    )
    printed = run.stdout + run.stderr
    assert CANARY_KEY not in printed and CANARY_KEY[10:30] not in printed
    assert "\x1b" not in printed and "\x9b" not in printed
    assert "Traceback" not in printed
    return run


def wait(server: HostileServer, *args: str, prelude: str = "") -> Run:
    return run_cli(["wait", "resp_1", "--base-url", server.base_url, "--max-poll-failures", "1", *args], prelude)


def completed_with(output: Any) -> Answer:
    return json_answer(response_body("resp_1", "completed", output=output))


def message(text: str) -> list[dict[str, Any]]:
    content = [{"type": "output_text", "text": text, "annotations": []}]
    return [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed", "content": content}]


ODD_OUTPUTS = {
    "a-string": "not a list",
    "a-number": 5,
    "null": None,
    "an-object": {"x": 1},
    "items-of-the-wrong-shape": [1, "two", None],
    "lone-surrogate": message("half a pair: \ud800 end"),
    "escape-sequences": message(f"before {ESC} after"),
}


CASES = [(output, False) for output in sorted(ODD_OUTPUTS)] + [
    (output, True) for output in ("a-string", "lone-surrogate", "escape-sequences")
]


@pytest.mark.parametrize(("output", "as_json"), CASES, ids=[f"{o}-{'json' if j else 'plain'}" for o, j in CASES])
def test_a_completed_job_exits_0_whatever_its_output_holds(output: str, as_json: bool) -> None:
    with HostileServer(script([completed_with(ODD_OUTPUTS[output])])) as server:
        run = wait(server, *(["--json"] if as_json else []))
    assert run.returncode == 0, run.stderr
    if as_json:
        assert json.loads(run.stdout)["status"] == "completed"


def test_the_output_text_keeps_its_lines_and_shows_control_characters_as_escapes() -> None:
    with HostileServer(script([completed_with(message(f"line one\n\tline two {ESC} \ud800"))])) as server:
        run = wait(server)
    assert run.returncode == 0
    assert run.stdout == "line one\n\tline two \\x1b[2J\\x1b]0;pwned\\x07 \\ud800\n"


def test_server_text_in_a_failure_report_is_escaped_and_the_key_redacted() -> None:
    error = {"code": "invalid_prompt", "message": f"{ESC} your key {CANARY_KEY} \u202eevil"}
    with HostileServer(script([response_answer("resp_1", "failed", error=error)])) as server:
        run = wait(server)
    assert run.returncode == 1
    assert "\\x1b[2J" in run.stderr and "[redacted]" in run.stderr and "\\u202e" in run.stderr


@pytest.mark.parametrize("status", [f"weird{ESC}", f"echo-{CANARY_KEY}"])
def test_a_status_shown_in_progress_and_report_is_escaped_and_redacted(status: str) -> None:
    with HostileServer(script([response_answer("resp_1", status)])) as server:
        run = wait(server)
    assert run.returncode == 1  # a status this package does not know
    assert ("\\x1b" in run.stderr) if "weird" in status else ("[redacted]" in run.stderr)


def test_an_internal_error_has_its_own_exit_status_not_failed() -> None:
    prelude = (
        "import openai_background._command.main as cli\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('a bug in openai-background')\n"
        "cli._poll_showing_progress = broken"
    )
    with HostileServer(script([response_answer("resp_1", "completed")])) as server:
        run = wait(server, prelude=prelude)
    assert run.returncode == 70
    assert "internal error" in run.stderr and "RuntimeError" in run.stderr and "resp_1" in run.stderr


def test_help_documents_the_internal_error_status() -> None:
    run = run_cli(["wait", "--help"])
    assert "70" in run.stdout and "internal error" in run.stdout
