"""docs/cli.md lists every key ``openai-background wait --json`` prints, and prints no key it does not list.

The endings are driven in-process (``_cli.wait`` with its own output streams) against the loopback fake server;
the keys seen across them are compared with the first column of the two key tables under "wait --json".
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from openai_background._command.main import build_parser, wait
from openai_background.testing import Answer, FakeResponsesServer, JobScript

pytestmark = pytest.mark.once  # SDK-independent: run by `nox -s tests`, not the matrix

CLI_DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
ENV = {"OPENAI_API_KEY": "sk-test-json-keys-0123456789"}
FAST = {"polls": 1, "poll_after_ms": 20}
RUNNING_FOREVER = JobScript.of(Answer.state("in_progress", poll_after_ms=20))


def documented_keys() -> tuple[set[str], set[str]]:
    """The keys named in the first column of the document's two tables (top level, then ``error``)."""
    section = CLI_DOC.read_text("utf-8").split("### `wait --json`", 1)[1].split("\n### ", 1)[0]
    tables = re.findall(r"((?:^\|.*\|\n)+)", section, flags=re.MULTILINE)
    assert len(tables) == 2, "docs/cli.md: expected the top-level and the `error` key tables under `wait --json`"
    top, error = ({match for match in re.findall(r"^\| `(\w+)` \|", table, re.MULTILINE)} for table in tables)
    return top, error


def run_wait(*argv: str) -> tuple[int, dict[str, object]]:
    out, err = io.StringIO(), io.StringIO()
    status = wait(build_parser().parse_args(["wait", *argv, "--json"]), out, err, ENV)
    return int(status), json.loads(out.getvalue())


@pytest.fixture(scope="module")
def server() -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def endings(server: FakeResponsesServer) -> dict[str, tuple[int, dict[str, object]]]:
    """One ``--json`` document per way a wait can end without completing."""
    url = ["--base-url", server.base_url]
    with FakeResponsesServer() as gone:
        unreachable = gone.base_url
    scripts = {
        "failed": JobScript.failed("rate_limit_exceeded", message="Slow down.", **FAST),
        "incomplete": JobScript.incomplete("max_output_tokens", **FAST),
        "cancelled": JobScript.cancelled(**FAST),
    }
    documents = {name: run_wait(server.add_job(script), *url) for name, script in scripts.items()}
    documents["timeout"] = run_wait(server.add_job(RUNNING_FOREVER), *url, "--timeout", "0.05")
    documents["timeout, cancelled"] = run_wait(
        server.add_job(RUNNING_FOREVER), *url, "--timeout", "0.05", "--cancel-on-timeout"
    )
    documents["unknown id"] = run_wait("resp_unknown", *url)
    documents["unreachable"] = run_wait("resp_1", "--base-url", unreachable, "--max-retries", "0",
                                        "--max-poll-failures", "1")  # fmt: skip
    documents["usage"] = run_wait("resp_1", *url, "--cancel-on-timeout")
    return documents


def test_every_printed_key_is_documented_and_every_documented_key_is_printed(
    endings: dict[str, tuple[int, dict[str, object]]],
) -> None:
    top_documented, error_documented = documented_keys()
    top_seen = {key for _, document in endings.values() for key in document}
    error_seen = {key for _, document in endings.values() for key in document["error"]}  # type: ignore[attr-defined]

    assert top_seen == top_documented
    assert error_seen == error_documented


def test_each_document_carries_its_exit_status_and_the_response_only_when_the_job_ended(
    endings: dict[str, tuple[int, dict[str, object]]],
) -> None:
    expected = {"failed": 3, "incomplete": 4, "cancelled": 5, "timeout": 6, "timeout, cancelled": 6}
    expected |= {"unknown id": 2, "unreachable": 7, "usage": 2}
    assert {name: status for name, (status, _) in endings.items()} == expected
    for name, (status, document) in endings.items():
        assert document["exit_status"] == status
        assert ("response" in document) == (name in ("failed", "incomplete", "cancelled")), name
    assert endings["failed"][1]["response"]["status"] == "failed"  # type: ignore[index]
    assert set(endings["usage"][1]["error"]) == {"class", "message"}  # type: ignore[arg-type]
