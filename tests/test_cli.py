"""``openai-background wait``, driven as a user drives it: a subprocess against the loopback fake server.

Every exit status (0 1 2 3 4 5 6 7 130), plain and ``--json`` output, the live line on a terminal (a
pseudo-terminal) and the plain lines elsewhere, and the API key never printed.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from openai_background.testing import Answer, FakeResponsesServer, JobScript

pytestmark = pytest.mark.once  # SDK-independent or subprocess-heavy: run by `nox -s tests`, not the matrix

CANARY_KEY = "sk-canary-cli-0123456789abcdefghijklmnopqrstuvwxyz"
SRC = Path(__file__).resolve().parents[1] / "src"
FAST = {"polls": 2, "poll_after_ms": 20}
RUNNING_FOREVER = JobScript.of(Answer.state("in_progress", poll_after_ms=20))


def cli_env(**overrides: str | None) -> dict[str, str]:
    """The test process's environment without any OPENAI_* variable, with the canary key and our src."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("OPENAI_")}
    env["OPENAI_API_KEY"] = CANARY_KEY
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


Run = subprocess.CompletedProcess[str]


def cli(*args: str, env: dict[str, str] | None = None) -> Run:
    """Run the command; whatever it did, the API key is not in anything it printed."""
    command = [sys.executable, "-m", "openai_background", *args]
    run = subprocess.run(command, env=env or cli_env(), capture_output=True, text=True, timeout=20)
    assert_no_key(run.stdout + run.stderr)
    return run


def assert_no_key(printed: str) -> None:
    assert CANARY_KEY not in printed
    assert CANARY_KEY[10:30] not in printed


@pytest.fixture
def server() -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer() as fake:
        yield fake


def wait_for(server: FakeResponsesServer, script: JobScript, *args: str) -> tuple[str, Run]:
    """Add a job with ``script`` and run ``wait`` on it."""
    rid = server.add_job(script)
    return rid, cli("wait", rid, "--base-url", server.base_url, *args)


def test_completed_exits_0_with_the_output_text_on_stdout(server: FakeResponsesServer) -> None:
    rid, run = wait_for(server, JobScript.completed(output_text="hello world", polls=4, poll_after_ms=20))

    assert run.returncode == 0, run.stderr
    assert run.stdout == "hello world\n"
    assert server.job(rid).polls == 5
    # Without a terminal, progress is one plain line per status change, on stderr.
    lines = run.stderr.splitlines()
    assert len(lines) == 2, run.stderr
    assert lines[0].startswith("in_progress  elapsed ") and lines[0].endswith(f"  polls 1  next poll in 50ms  {rid}")
    assert lines[1].startswith("completed  elapsed ") and lines[1].endswith(f"  polls 5  {rid}")
    assert "\r" not in run.stderr and "\x1b" not in run.stderr


FAILURES = [
    pytest.param(JobScript.failed("invalid_prompt", message="No.", **FAST), 1, "ResponseBadRequestError", id="bad"),
    pytest.param(JobScript.incomplete("max_output_tokens", **FAST), 4, "ResponseIncompleteError", id="incomplete"),
    pytest.param(JobScript.cancelled(**FAST), 5, "ResponseCancelledError", id="cancelled"),
    pytest.param(JobScript.of(Answer.state("paused")), 1, "BackgroundResponseError", id="unknown-status"),
]


@pytest.mark.parametrize(("script", "status", "cls"), FAILURES)
def test_each_ending_has_its_exit_status_and_report(
    server: FakeResponsesServer, script: JobScript, status: int, cls: str
) -> None:
    rid, run = wait_for(server, script)

    assert run.returncode == status, run.stderr
    assert run.stdout == ""
    report = run.stderr.splitlines()
    start = next(i for i, line in enumerate(report) if line.endswith(f": {cls}"))
    fields = dict(line.strip().split(": ", 1) for line in report[start + 1 :])
    assert fields["response id"].strip() == rid
    assert fields["request id"].strip().startswith("req_fake_")
    assert fields["retryable"].strip() == ("true" if status == 3 else "false")


def test_a_failure_report_names_class_code_message_retryable_and_request_id(server: FakeResponsesServer) -> None:
    rid, run = wait_for(server, JobScript.failed("server_error", message="The server had an error.", **FAST))

    assert run.returncode == 3
    report = run.stderr[run.stderr.index("failed: ResponseServerError") :]
    assert "  code:        server_error\n" in report
    assert "  message:     The server had an error.\n" in report
    assert "  retryable:   true\n" in report
    assert f"  response id: {rid}\n" in report
    assert "  request id:  req_fake_" in report


@pytest.mark.parametrize("cancel", [False, True])
def test_a_timeout_exits_6_and_cancels_only_when_asked(server: FakeResponsesServer, cancel: bool) -> None:
    flags = ["--timeout", "0.1", *(["--cancel-on-timeout"] if cancel else [])]
    rid, run = wait_for(server, RUNNING_FOREVER, *flags)

    assert run.returncode == 6, run.stderr
    assert "timed out: ResponsePollTimeoutError" in run.stderr
    assert "last status:      in_progress" in run.stderr
    assert server.job(rid).cancel_requests == (1 if cancel else 0)
    assert (f"resume:           openai-background wait {rid}" in run.stderr) is not cancel


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="no-command"),
        pytest.param(["wait"], id="no-response-id"),
        pytest.param(["wait", "resp_1", "--timeout", "-1"], id="negative-timeout"),
        pytest.param(["wait", "resp_1", "--poll-interval-ms", "1.5"], id="interval-not-whole"),
        pytest.param(["wait", "resp_1", "--cancel-on-timeout"], id="cancel-on-timeout-without-timeout"),
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    run = cli(*argv, env=cli_env(OPENAI_BASE_URL="http://127.0.0.1:9/v1"))

    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "usage" in run.stderr


def test_a_missing_api_key_is_a_usage_error(server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed())
    run = cli("wait", rid, "--base-url", server.base_url, env=cli_env(OPENAI_API_KEY=None))

    assert run.returncode == 2
    # the heading is the problem itself, not the pseudo-class "UsageError" the JSON output carries
    assert (
        run.stderr.splitlines()[0]
        == "usage error: OPENAI_API_KEY is not set; the wait command reads the API key from it"
    )
    assert "UsageError" not in run.stderr
    assert server.requests == []


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    import openai_background

    run = cli("--version")

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"openai-background {version('openai-background')}"
    assert openai_background.__version__ == version("openai-background")


def test_progress_comes_from_on_poll_events_not_from_log_records(
    server: FakeResponsesServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """With every log record dropped, the progress lines are still there: they come from ``on_poll``."""
    import io
    import logging

    from openai_background._command.main import build_parser, wait

    script = JobScript.completed(polls=2, poll_after_ms=20).with_faults(Answer.http_error(503))
    rid = server.add_job(script)
    args = build_parser().parse_args(["wait", rid, "--base-url", server.base_url, "--max-retries", "0"])
    out, err = io.StringIO(), io.StringIO()
    logging.disable(logging.CRITICAL)
    try:
        status = wait(args, out, err, {"OPENAI_API_KEY": CANARY_KEY})
    finally:
        logging.disable(logging.NOTSET)

    assert status == 0, err.getvalue()
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("no status yet  elapsed ") and "1 failed in a row (InternalServerError)" in lines[0]
    assert lines[1].startswith("in_progress  elapsed ") and "  polls 2  next poll in 50ms  " in lines[1]
    assert lines[2].startswith("completed  elapsed ") and lines[2].endswith(f"  polls 4  {rid}")


def test_an_unknown_response_id_is_refused_with_exit_2(server: FakeResponsesServer) -> None:
    run = cli("wait", "resp_nope", "--base-url", server.base_url)

    assert run.returncode == 2
    assert "refused by the API: NotFoundError" in run.stderr
    assert "http status: 404" in run.stderr


def test_a_server_that_cannot_be_reached_exits_7() -> None:
    with FakeResponsesServer() as gone:
        base_url = gone.base_url  # nothing listens on its port once it has stopped
    run = cli("wait", "resp_1", "--base-url", base_url, "--max-retries", "0", "--max-poll-failures", "1")

    assert run.returncode == 7, run.stderr
    assert "could not reach the API: APIConnectionError" in run.stderr
    assert "resume:      openai-background wait resp_1" in run.stderr


def test_exhausted_poll_failures_exit_7_with_the_resume_hint(server: FakeResponsesServer) -> None:
    outage = Answer.http_error(503, headers={"retry-after-ms": "5"})
    flags = ["--max-retries", "0", "--max-poll-failures", "3"]
    rid, run = wait_for(server, JobScript.completed().with_faults(outage, outage, outage), *flags)

    assert run.returncode == 7, run.stderr
    assert server.job(rid).polls == 3
    assert "could not reach the API: InternalServerError" in run.stderr
    assert "3 failed in a row (InternalServerError)" in run.stderr
    assert f"resume:      openai-background wait {rid}" in run.stderr


def test_poll_interval_ms_paces_the_polls_instead_of_the_server_hint(server: FakeResponsesServer) -> None:
    script = JobScript.completed(polls=2, poll_after_ms=60_000)
    _, run = wait_for(server, script, "--poll-interval-ms", "10")

    assert run.returncode == 0
    polls = [r for r in server.requests if r.method == "GET"]
    assert [r.headers.get("x-stainless-custom-poll-interval") for r in polls] == ["10"] * 3


def test_json_prints_the_final_response(server: FakeResponsesServer) -> None:
    rid, run = wait_for(server, JobScript.completed(output_text="hi", **FAST), "--json")

    assert run.returncode == 0
    body = json.loads(run.stdout)
    assert (body["id"], body["status"]) == (rid, "completed")
    assert body["output"][0]["content"][0]["text"] == "hi"


def test_json_prints_an_error_object_for_a_failure(server: FakeResponsesServer) -> None:
    rid, run = wait_for(server, JobScript.failed("rate_limit_exceeded", message="Slow down.", **FAST), "--json")

    assert run.returncode == 3
    body = json.loads(run.stdout)
    error = body["error"]
    assert error["class"] == "ResponseRateLimitError"
    assert (error["code"], error["message"], error["retryable"]) == ("rate_limit_exceeded", "Slow down.", True)
    assert error["request_id"].startswith("req_fake_") and error["response_id"] == rid
    assert body["exit_status"] == 3
    assert body["response"]["status"] == "failed"


@pytest.mark.parametrize(
    ("args", "status", "cls"),
    [
        (["--timeout", "0.05"], 6, "ResponsePollTimeoutError"),
        (["--cancel-on-timeout"], 2, "UsageError"),
    ],
)
def test_json_error_objects_for_other_endings(
    server: FakeResponsesServer, args: list[str], status: int, cls: str
) -> None:
    _, run = wait_for(server, RUNNING_FOREVER, "--json", *args)

    assert run.returncode == status
    body = json.loads(run.stdout)
    assert body["error"]["class"] == cls and body["exit_status"] == status


def run_in_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``argv`` with a pseudo-terminal as stdin, stdout and stderr; its exit status and all it wrote."""
    import fcntl
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))  # 160 columns: nothing is cut
    child = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    written = bytearray()
    try:
        while select.select([master], [], [], 20)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child has closed the terminal
                break
            if not chunk:
                break
            written += chunk
        return child.wait(timeout=20), written.decode()
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_on_a_terminal_the_status_line_is_redrawn_in_place(server: FakeResponsesServer) -> None:
    rid = server.add_job(JobScript.completed(output_text="hello world", polls=3, poll_after_ms=100))
    argv = [sys.executable, "-m", "openai_background", "wait", rid, "--base-url", server.base_url]

    status, written = run_in_terminal(argv, cli_env())

    assert status == 0, written
    assert_no_key(written)
    redraws = written.split("\r\x1b[2K")
    assert len(redraws) >= 5, written  # one per poll, plus ticks between polls
    spinner = re.compile(r"[|/\\-] in_progress  elapsed \S+  polls \d  next poll in \S+  resp_")
    assert any(spinner.match(frame) for frame in redraws), written
    assert any("  polls 3  next poll in " in frame and frame.endswith(rid) for frame in redraws), written
    last_line, output = written.split("\r\x1b[2K")[-1].split("\r\n")[:2]
    assert last_line.startswith("completed  elapsed ") and last_line.endswith(f"  polls 4  {rid}")
    assert output == "hello world"


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
@pytest.mark.parametrize("cancel", [False, True])
def test_ctrl_c_exits_130_and_cancels_only_when_asked(server: FakeResponsesServer, cancel: bool) -> None:
    rid = server.add_job(JobScript.of(Answer.state("in_progress", poll_after_ms=60_000)))
    argv = [sys.executable, "-m", "openai_background", "wait", rid, "--base-url", server.base_url]
    argv += ["--cancel-on-interrupt"] if cancel else []
    child = subprocess.Popen(argv, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while server.job(rid).polls < 1 or "in_progress" not in server.job(rid).status:
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.01)
        time.sleep(0.3)  # the answer counted at the server has reached the child: now in its 60 s sleep
        interrupted = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()

    assert child.returncode == 130, err
    assert_no_key(out + err)
    assert time.monotonic() - interrupted < 5
    assert "interrupted: KeyboardInterrupt" in err
    assert server.job(rid).cancel_requests == (1 if cancel else 0)
    assert (f"openai-background wait {rid}" in err) is not cancel


KEY_ECHO = Answer.http_error(
    401, body={"error": {"message": f"Incorrect API key provided: {CANARY_KEY}.", "code": "invalid_api_key"}}
)


@pytest.mark.parametrize("args", [[], ["--json"]])
def test_the_api_key_is_not_printed_even_when_the_server_echoes_it(
    server: FakeResponsesServer, args: list[str]
) -> None:
    # Every test here runs the command through cli(), which checks that no output holds the key.
    _, run = wait_for(server, JobScript.of(KEY_ECHO), *args)

    assert run.returncode == 2
    assert "Incorrect API key provided: [redacted]." in run.stdout + run.stderr


@pytest.mark.parametrize("argv", [["--help"], ["wait", "--help"]])
def test_help_documents_every_exit_status(argv: list[str]) -> None:
    run = cli(*argv)

    assert run.returncode == 0
    table = run.stdout[run.stdout.index("exit status:") :]
    for status, meaning in [
        (0, "completed"),
        (1, "failed, not retryable"),
        (2, "usage error"),
        (3, "failed, retryable"),
        (4, "incomplete"),
        (5, "cancelled"),
        (6, "timed out"),
        (7, "could not reach the API"),
        (130, "interrupted"),
    ]:
        assert f"\n  {status:<4} {meaning}" in table
    assert "OPENAI_API_KEY" in run.stdout and CANARY_KEY not in run.stdout


def test_demo_is_a_command_of_the_same_cli() -> None:
    run = cli("demo", "--help")

    assert run.returncode == 0
    assert "usage: openai-background demo" in run.stdout
