"""``verify.py import-cost``: what ``import openai`` costs with the fork installed, against pristine."""

from __future__ import annotations

from pathlib import Path

from . import upstream

IMPORT_PROBE = (
    "import sys, time; t = time.perf_counter(); import openai; t = time.perf_counter() - t; "
    "print(t, len(sys.modules), sorted(m for m in sys.modules if m.startswith('openai.lib.background')))"
)


def import_cost(workdir: Path, runs: int = 15) -> int:
    """``import openai`` in the pristine and fork venvs of ``upstream-tests``, alternating, each in a fresh
    process: the median time and the modules loaded, side by side. The fork must load exactly as many
    modules as pristine (nothing of ``lib.background``); the times are printed, not judged (a shared machine)."""
    pythons = {kind: workdir / f"{kind}-venv" / "bin" / "python" for kind in ("pristine", "fork")}
    times: dict[str, list[float]] = {kind: [] for kind in pythons}
    modules: dict[str, tuple[int, str]] = {}
    for _ in range(runs):
        for kind, python in pythons.items():
            seconds, count, loaded = upstream.run([str(python), "-c", IMPORT_PROBE]).split(" ", 2)
            times[kind].append(float(seconds))
            modules[kind] = (int(count), loaded.strip())
    for kind in pythons:
        ordered = sorted(times[kind])
        median = ordered[len(ordered) // 2] * 1000
        print(
            f"import openai, {kind}: median {median:.1f} ms (min {ordered[0] * 1000:.1f}, max "
            f"{ordered[-1] * 1000:.1f}) over {runs} fresh processes; {modules[kind][0]} modules loaded"
        )
    if modules["fork"][0] != modules["pristine"][0] or modules["fork"][1] != "[]":
        print(f"the fork loads more at import: {modules['fork']} vs {modules['pristine']}")
        return 1
    print("import openai: the fork loads the same modules as pristine (lib.background loads on first use)")
    return 0
