"""``import openai_background`` against ``import openai`` alone: wall of a fresh interpreter per sample,
alternating, with byte-code compiled once beforehand (into a private cache, so the repository stays
clean and neither side pays for compiling)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from ._fake import ROOT, child_env
from ._report import Row, median, ms

STATEMENTS = ("import openai_background", "import openai")


def import_time(samples: int) -> Row:
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        env = child_env()
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
        for statement in STATEMENTS:
            _sample(statement, env)  # compile once
        times: dict[str, list[float]] = {s: [] for s in STATEMENTS}
        for n in range(samples):
            for statement in STATEMENTS if n % 2 else STATEMENTS[::-1]:
                times[statement].append(_sample(statement, env))
    ours, sdk = (median(times[s]) for s in STATEMENTS)
    ratio = median([a / b for a, b in zip(*(times[s] for s in STATEMENTS), strict=True)])
    return Row(
        "`import openai_background`",
        "`import openai` alone",
        ms(ours),
        ms(sdk),
        f"{ratio:.2f}x",
        "<= 1.15x",
        ratio <= 1.15,
        f"wall of `python -c`, a fresh interpreter per sample, byte-code compiled beforehand; median "
        f"of {samples} alternating pairs",
    )


def _sample(statement: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start


__all__ = ["import_time"]
