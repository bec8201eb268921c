"""The benchmark script still runs: ``python -m benchmarks --smoke`` completes and reports every figure.

Only that. Timing targets are for ``nox -s bench`` on a quiet machine, never for a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # SDK-independent or subprocess-heavy: run by `nox -s tests`, not the matrix

ROOT = Path(__file__).resolve().parent.parent

FIGURES = [
    "build the typed error for a failed `Response`",
    "client CPU per poll, `responses.poll`",
    "requests per job, `responses.poll`",
    "detection latency, `poll` (sync)",
    "detection latency, `poll` (async)",
    "concurrent async jobs, `poll_many`",
    "concurrent async jobs, `gather` of `poll`",
    "requests per job, 20 concurrent jobs",
    "jobs, `poll_many` with `max_polls_per_second=",
    'requests per job, `poll(wait="stream")`',
    'detection latency, `poll(wait="stream")`',
    "`import openai_background`",
    "deadline overshoot, `poll` (sync)",
    "deadline overshoot, `poll` (async)",
    'deadline overshoot, `poll(wait="stream")` (sync)',
    'deadline overshoot, `poll(wait="stream")` (async)',
    "cancel bound, `cancel_on_timeout` (sync)",
    "cancel bound, `cancel_on_timeout` (async)",
    "peak RSS, `poll` of a 2.5 MiB answer",
    "peak RSS, `poll` of a 7.5 MiB answer",
    "peak RSS, `poll` of a 1 GiB gzip bomb / 16",
    'requests per job, 1 min job, `wait="webhook"`',
    'requests per job, 30 min job, `wait="webhook"`',
    "wake latency, waiter in another process, SQLite",
    "100 jobs waiting on webhooks in one process: RSS",
    "100 jobs waiting on webhooks in one process: CPU while idle",
]


@pytest.mark.skipif(
    os.environ.get("OPENAI_BACKGROUND_TARGET") == "fork", reason="the benchmark measures this package, not the fork"
)
def test_the_smoke_benchmark_reports_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--output", str(output)],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = output.read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| ") and "**" in line]
    for figure in FIGURES:
        assert any(figure in row for row in rows), f"no row for {figure!r} in:\n{table}"
    assert all(row.rstrip().endswith(("**met** |", "**NOT met** |", "**pending** |")) for row in rows), table
    assert "Fake server's own per-request latency" in table
