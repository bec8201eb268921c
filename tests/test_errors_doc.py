"""docs/errors.md says what the code does: the class table (family and ``status_code`` of each row) and the keys
``openai-background wait --json`` prints (every key it prints is documented, every documented key is printed)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openai
import pytest
from test_cli import RUNNING_FOREVER, cli, cli_env

import openai_background
from openai_background._errors.codes import FAILURE_CLASSES
from openai_background.testing import FakeResponsesServer, JobScript

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


def section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def table_rows(text: str) -> list[list[str]]:
    """The cells of each body row of the markdown tables in ``text`` (header rows left out)."""
    lines = text.splitlines()
    rows = []
    for index, line in enumerate(lines):
        header = index + 1 < len(lines) and lines[index + 1].startswith("|---")
        if line.startswith("|") and not line.startswith("|---") and not header:
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_class_table_matches_the_classes() -> None:
    rows = table_rows(section("What raises what"))
    checked = 0
    for row in rows:
        raised = re.match(r"`(\w+)`", row[2])
        caught = re.match(r"`openai\.(\w+)`", row[3])
        if raised is None or caught is None or not row[4].isdigit():
            continue
        cls = getattr(openai_background, raised[1])
        assert issubclass(cls, getattr(openai, caught[1])), row
        status = getattr(cls, "_declared_status_code", None) or 200
        assert status == int(row[4]), row
        checked += 1
    assert checked == 9
    assert {cls.__name__ for cls in FAILURE_CLASSES.values()} <= {row[2].strip("`") for row in rows}


def documented_keys(what: str) -> set[str]:
    text = section("`openai-background wait --json`")
    part = text.split("The keys of `error`")[0 if what == "top" else 1]
    return {row[0].strip("`") for row in table_rows(part)}


@pytest.mark.once
def test_wait_json_prints_exactly_the_documented_keys() -> None:
    top: set[str] = set()
    error_keys: set[str] = set()
    with FakeResponsesServer() as server:
        runs = [
            ("wait", server.add_job(JobScript.failed("rate_limit_exceeded", polls=1, poll_after_ms=5))),
            ("wait", server.add_job(JobScript.incomplete("max_output_tokens"))),
            ("wait", server.add_job(RUNNING_FOREVER), "--timeout", "0.05"),
            ("wait", "resp_nobody_knows"),
        ]
        for args in runs:
            run = cli(*args, "--json", "--base-url", server.base_url)
            body: dict[str, Any] = json.loads(run.stdout)
            top |= set(body)
            error_keys |= set(body["error"])
        usage = cli("wait", "resp_1", "--json", env=cli_env(OPENAI_API_KEY=None))
        error_keys |= set(json.loads(usage.stdout)["error"])
    assert top == documented_keys("top")
    assert error_keys == documented_keys("error")
