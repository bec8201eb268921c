"""Peak client memory for huge answers, against the hostile loopback server (``tests/hostile``).

Each sample is a fresh Python process (so its peak RSS, ``ru_maxrss``, is its own) that polls one response
whose answer is a 1 GiB gzip bomb (~1 MB on the wire) or a 200 MB body, once (``max_poll_failures=1``),
and reports its peak RSS and how long the poll took to end. Ours refuses the answer past
``MAX_ANSWER_BYTES`` (32 MiB) with ``ResponseMalformedError``; the baseline is what the package did before
issue 12 (and what the SDK does): ``with_raw_response.retrieve`` reads and decodes the whole body. The peak
includes the interpreter and the imports (~60-80 MB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ._fake import ROOT
from ._figures import Sizes
from ._report import Row

sys.path.insert(0, str(ROOT / "tests"))
from hostile.bodies import MIB, Streamed, gzip_bomb_answer
from hostile.server import HostileServer, response_answer, script

TARGET_MB = 400.0

_CHILD = """
import json, resource, sys, time
import openai_background
base_url, who = sys.argv[1], sys.argv[2]
client = openai_background.OpenAI(api_key="sk-bench-memory", base_url=base_url, max_retries=0, timeout=300)
started = time.perf_counter()
try:
    if who == "ours":
        client.responses.poll("resp_1", max_poll_failures=1)
    else:
        client.responses.with_raw_response.retrieve("resp_1").parse()
    outcome = "read"
except Exception as error:
    outcome = type(error).__name__
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def memory_rows(sizes: Sizes) -> list[Row]:
    """Ours and the baseline for each huge answer; a smoke run shrinks them (16x) and skips the baseline."""
    full = sizes.rounds > 2
    scale = 1 if full else 16
    cases = [
        ("a 1 GiB gzip bomb", lambda: gzip_bomb_answer(1024 * MIB // scale)),
        ("a 200 MB body", lambda: Streamed(200 * MIB // scale)),
    ]
    with HostileServer(script([response_answer("resp_1", "completed")])) as server:
        floor = _sample(server.base_url, "ours")  # the same process polling a small answer
    rows = []
    for name, behaviour in cases:
        with HostileServer(script([behaviour()])) as server:
            ours = _sample(server.base_url, "ours")
        baseline = None
        if full:
            with HostileServer(script([behaviour()])) as server:
                baseline = _sample(server.base_url, "baseline")
        rows.append(_row(name if full else f"{name} / {scale}", ours, baseline, float(str(floor["peak_mb"]))))
    return rows


def _sample(base_url: str, who: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, base_url, who], capture_output=True, text=True, timeout=600, env=env, cwd=ROOT
    )
    if done.returncode != 0:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "outcome": f"exit {done.returncode}"}
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _row(name: str, ours: dict[str, object], baseline: dict[str, object] | None, floor: float) -> Row:
    peak, seconds = float(str(ours["peak_mb"])), float(str(ours["seconds"]))
    if baseline is None:
        shown_baseline, ratio = "-", "-"
    else:
        base_peak, base_seconds = float(str(baseline["peak_mb"])), float(str(baseline["seconds"]))
        shown_baseline = f"{base_peak:.0f} MB, {base_seconds:.1f} s ({baseline['outcome']})"
        ratio = f"{base_peak / peak:.1f}x less memory"
    return Row(
        f"peak RSS, `poll` of {name}",
        "before: `with_raw_response.retrieve` reads it all",
        f"{peak:.0f} MB, {seconds:.2f} s",
        shown_baseline,
        ratio,
        f"< {TARGET_MB:.0f} MB",
        peak < TARGET_MB and ours["outcome"] == "ResponseMalformedError",
        f"ours ends in {ours['outcome']} (retried by the loop; 1 attempt here); a fresh process per sample, "
        f"whose peak includes the interpreter and imports: {floor:.0f} MB polling a small answer",
    )


__all__ = ["memory_rows"]
