"""Peak client memory for large answers and compression bombs, against the hostile loopback server (``tests/hostile``).

Each sample is a fresh Python process (so its peak RSS, ``ru_maxrss``, is its own) that reads one response
once and reports its peak RSS and how long that took; the server is a thread of the benchmark process.

* **Large genuine answers** (a completed ``Response`` of 40 MiB and 120 MiB, JSON as ``tests/hostile/bodies.py``
  builds it): ``poll`` against the SDK's own ``retrieve()`` of the same answer. Target: ``poll`` returns it, at
  a peak of at most ``retrieve()``'s plus one body.
* **A 1 GiB gzip bomb** (~1 MB on the wire): ``poll`` refuses it (``ResponseMalformedError``, naming
  ``max_inflate_ratio``); the baseline, ``retrieve()``, inflates all of it. Target: under 400 MB.

Peaks include the interpreter and the imports (~60-80 MB), the same on both sides.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from ._fake import ROOT
from ._figures import Sizes
from ._report import Row

sys.path.insert(0, str(ROOT / "tests"))
from hostile.bodies import MIB, Patient, gzip_bomb_answer, raw_answer, real_answer
from hostile.server import HostileServer, response_answer, script

TARGET_MB = 400.0

PEAK_MB = """
def peak_mb():
    # VmHWM: the peak RSS of this program's own memory. ``ru_maxrss`` would do, but Linux carries into it, at
    # exec, the peak of the parent that spawned it (vfork), and the parent may hold large bodies itself.
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_CHILD = (
    PEAK_MB
    + """
import json, sys, time
import openai_background
base_url, who = sys.argv[1], sys.argv[2]
client = openai_background.OpenAI(api_key="sk-bench-memory", base_url=base_url, max_retries=0, timeout=300)
started = time.perf_counter()
try:
    if who == "ours":
        client.responses.poll("resp_1", max_poll_failures=1)
    else:
        client.responses.retrieve("resp_1")
    outcome = "read"
except Exception as error:
    outcome = type(error).__name__
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome, "peak_mb": peak_mb()}))
"""
)


def memory_rows(sizes: Sizes) -> list[Row]:
    """Ours and the baseline for each case; a smoke run shrinks them (16x) and skips the bomb's baseline."""
    full = sizes.rounds > 2
    scale = 1 if full else 16
    with HostileServer(script([response_answer("resp_1", "completed")])) as server:
        floor = float(str(_sample(server.base_url, "ours")["peak_mb"]))  # the same process polling a small answer
    rows = []
    for size in (40 * MIB // scale, 120 * MIB // scale):
        body = real_answer(size, "text")
        answer = Patient(raw_answer(body))
        ours, baseline = _pair(lambda answer=answer: answer)
        rows.append(_answer_row(f"a {size / MIB:g} MiB answer", len(body) / 1e6, ours, baseline, floor))
    bomb: Callable[[], Any] = lambda: gzip_bomb_answer(1024 * MIB // scale)  # noqa: E731
    with HostileServer(script([bomb()])) as server:
        ours = _sample(server.base_url, "ours")
    baseline = None
    if full:
        with HostileServer(script([bomb()])) as server:
            baseline = _sample(server.base_url, "baseline")
    rows.append(_bomb_row("a 1 GiB gzip bomb" if full else f"a 1 GiB gzip bomb / {scale}", ours, baseline, floor))
    return rows


def _pair(behaviour: Callable[[], Any]) -> tuple[dict[str, object], dict[str, object]]:
    with HostileServer(script([behaviour()])) as server:
        ours = _sample(server.base_url, "ours")
        baseline = _sample(server.base_url, "baseline")
    return ours, baseline


def _sample(base_url: str, who: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, base_url, who], capture_output=True, text=True, timeout=600, env=env, cwd=ROOT
    )
    if done.returncode != 0:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "outcome": f"exit {done.returncode}"}
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _figures(sample: dict[str, object]) -> tuple[float, float]:
    return float(str(sample["peak_mb"])), float(str(sample["seconds"]))


def _answer_row(name: str, body_mb: float, ours: dict[str, object], baseline: dict[str, object], floor: float) -> Row:
    peak, seconds = _figures(ours)
    base_peak, base_seconds = _figures(baseline)
    return Row(
        f"peak RSS, `poll` of {name}",
        "the SDK's `retrieve()` of the same answer",
        f"{peak:.0f} MB, {seconds:.2f} s",
        f"{base_peak:.0f} MB, {base_seconds:.2f} s",
        f"+{peak - base_peak:.0f} MB ({(peak - base_peak) / body_mb:.2f} bodies)",
        f"returned, <= retrieve + one body ({body_mb:.0f} MB)",
        ours["outcome"] == "read" and baseline["outcome"] == "read" and peak <= base_peak + body_mb,
        f"ours: {ours['outcome']}, retrieve: {baseline['outcome']}; a fresh process per sample, whose peak "
        f"includes the interpreter and imports: {floor:.0f} MB polling a small answer",
    )


def _bomb_row(name: str, ours: dict[str, object], baseline: dict[str, object] | None, floor: float) -> Row:
    peak, seconds = _figures(ours)
    if baseline is None:
        shown_baseline, ratio = "-", "-"
    else:
        base_peak, base_seconds = _figures(baseline)
        shown_baseline = f"{base_peak:.0f} MB, {base_seconds:.1f} s ({baseline['outcome']})"
        ratio = f"{base_peak / peak:.1f}x less memory"
    return Row(
        f"peak RSS, `poll` of {name}",
        "the SDK's `retrieve()`: inflates it all",
        f"{peak:.0f} MB, {seconds:.2f} s",
        shown_baseline,
        ratio,
        f"refused, < {TARGET_MB:.0f} MB",
        peak < TARGET_MB and ours["outcome"] == "ResponseMalformedError",
        f"ours ends in {ours['outcome']} (naming `max_inflate_ratio`; retried by the loop, 1 attempt here); "
        f"the interpreter and imports alone: {floor:.0f} MB",
    )


__all__ = ["memory_rows"]
