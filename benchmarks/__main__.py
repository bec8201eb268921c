"""``python -m benchmarks [--smoke] [--output PATH | --no-write]``: run every figure, print the table and
write it into ``docs/benchmarks.md`` (``--smoke`` writes nothing unless given ``--output``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ._budget import budget_rows
from ._deadlines import deadline_rows
from ._fake import ROOT, FakeServerProcess
from ._figures import Sizes, cpu_per_poll, error_build, fake_latency
from ._imports import import_time
from ._journal import journal_rows
from ._latency import detection_latency
from ._many_jobs import many_jobs
from ._memory import memory_rows
from ._report import Row, environment, markdown, text_table, write_markdown
from ._streams import stream_rows
from ._webhooks import webhook_rows

FULL = Sizes(
    rounds=11,
    fake_requests=1000,
    error_rounds=41,
    error_calls=1000,
    cpu_rounds=15,
    cpu_jobs=8,
    cpu_polls=4,
    latency_hint_ms=50,
    latency_polls=2,
    stream_jobs=4,
    stream_interval_ms=5,
    many_jobs=1000,
    many_polls=1,
    many_hint_ms=200,
    many_rounds=3,
    import_samples=15,
)
SMOKE = Sizes(
    rounds=2,
    fake_requests=20,
    error_rounds=2,
    error_calls=50,
    cpu_rounds=2,
    cpu_jobs=2,
    cpu_polls=1,
    latency_hint_ms=5,
    latency_polls=1,
    stream_jobs=1,
    stream_interval_ms=1,
    many_jobs=20,
    many_polls=1,
    many_hint_ms=5,
    many_rounds=1,
    import_samples=1,
    resume_jobs=200,
    budget_jobs=300,
    budget_rate=100,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script works, in seconds")
    parser.add_argument("--output", type=Path, help="Markdown file to write (default: docs/benchmarks.md)")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    started = time.perf_counter()
    env = environment()
    with FakeServerProcess() as server:
        fake = fake_latency(server, sizes)
        print(f"fake server (its own process): {fake}", flush=True)
        rows = [*_timed(error_build, sizes)]
        for figure in (cpu_per_poll, detection_latency, many_jobs, stream_rows, journal_rows, webhook_rows):
            rows += _timed(figure, server, sizes)
    rows += _timed(budget_rows, sizes)
    rows += _timed(deadline_rows, sizes)
    rows += _timed(memory_rows, sizes)
    rows += _timed(import_time, sizes.import_samples)
    elapsed = time.perf_counter() - started
    print(text_table(rows))
    print(f"\n{len(rows)} figures in {elapsed:.0f} s" + (" (smoke: sizes too small to mean anything)" * args.smoke))
    settings = f"{'SMOKE (sizes too small to mean anything), ' * args.smoke}{sizes}; whole run {elapsed:.0f} s"
    output = args.output or (None if args.smoke else ROOT / "docs" / "benchmarks.md")
    if output is not None and not args.no_write:
        write_markdown(output, markdown(rows, env, settings, fake))
        print(f"wrote {output}")
    return 0


def _timed(figure: Callable[..., Row | Sequence[Row]], *args: object) -> Sequence[Row]:
    started = time.perf_counter()
    rows = figure(*args)
    print(f"  {figure.__name__}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return rows if isinstance(rows, Sequence) else [rows]


if __name__ == "__main__":
    sys.exit(main())
