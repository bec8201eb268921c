"""``verify.py upstream-tests``: upstream's offline tests on the pristine sdist and on the fork wheel, compared.

Two fresh virtual environments differ only in the ``openai`` they hold; upstream's offline tests from the sdist
run in both (at the same time: one process each, two cores) and must have the same outcome for every test id.
The series' own tests join the fork's run and must all pass.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from . import upstream
from .testenv import EXTRAS, environment, outcomes, summary, test_requirements

SELECTION = ("tests/test_client.py", "tests/lib")
"""Upstream's offline tests: the client, and the handwritten ``lib`` helpers."""


NOT_OFFLINE = {
    "tests/lib/test_fine_tuning_positional_arguments.py": "calls the Prism mock server at TEST_API_BASE_URL",
    "tests/lib/chat/test_completions_streaming.py": "reads .inline-snapshot/external files the sdist leaves out",
    "tests/lib/test_microphone.py": "needs the voice_helpers extra (numpy, sounddevice: audio devices)",
}
"""Parts of the selection that cannot run from an sdist on a machine without network; same for both runs."""


SERIES_TESTS = "tests.lib.responses.test_background_"
"""The series' own tests: they exist in the fork's tree only, and must pass there."""


def upstream_tests(sdist: Path, wheel: Path, workdir: Path, patch: Path | None = None) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    trees = {kind: upstream.unpack(sdist, workdir / f"{kind}-tree") for kind in ("pristine", "fork")}
    if patch is not None:  # the series' tests join the fork's run (its src comes from the wheel)
        upstream.init_scratch_repo(trees["fork"])  # its own repository: inside ours, git apply would skip every path
        upstream.run(["git", "apply", "--include=tests/*", str(patch.resolve())], cwd=trees["fork"])
        if not list((trees["fork"] / "tests").rglob("test_background_*.py")):
            raise upstream.UpstreamError(f"{patch.name} brought no test_background_*.py into the fork's tree")
    tools = test_requirements((trees["pristine"] / "pyproject.toml").read_text(encoding="utf-8"))
    pythons = {
        "pristine": environment(workdir / "pristine-venv", f"openai[{EXTRAS}] @ {sdist.resolve().as_uri()}", tools),
        "fork": environment(workdir / "fork-venv", f"openai[{EXTRAS}] @ {wheel.resolve().as_uri()}", tools),
    }
    for kind, python in pythons.items():
        print(f"{kind}: " + upstream.run([str(python), "-c", "import openai; print(openai.__version__)"]).strip())
    ignores = [f"--ignore={path}" for path in NOT_OFFLINE]
    results = _pytest_side_by_side(pythons, trees, workdir, "all", [*SELECTION, *ignores])
    suspects = sorted(
        test_id
        for test_id in set(results["pristine"]) | set(results["fork"])
        if not test_id.startswith(SERIES_TESTS)  # the fork's alone, judged below: they must all pass
        and (
            results["pristine"].get(test_id) != results["fork"].get(test_id)
            or bool({results["pristine"].get(test_id), results["fork"].get(test_id)} & {"failed", "error"})
        )
    )
    if suspects:  # timing tests fail under load: a failure or difference counts only if it happens again
        print(f"rerunning {len(suspects)} test(s) that failed or differed, one run at a time")
        nodes = [node_id(test_id, lambda path: (trees["pristine"] / path).is_file()) for test_id in suspects]
        for kind in pythons:
            again = _pytest_side_by_side({kind: pythons[kind]}, trees, workdir, "rerun", nodes)[kind]
            results[kind].update({test_id: again.get(test_id, "absent") for test_id in suspects})
    for kind, result in results.items():
        for group in SELECTION:
            prefix = group.removesuffix(".py").replace("/", ".")
            part = {k: v for k, v in result.items() if k.startswith(prefix)}
            print(f"upstream {group}, {kind}: {summary(part)}")
    for path, why in NOT_OFFLINE.items():
        print(f"  not run: {path}: {why}")
    failing = sorted(test_id for test_id, outcome in results["pristine"].items() if outcome in ("failed", "error"))
    if failing:
        print("failing on the pristine sdist too (this machine, not the fork):", *failing, sep="\n  ")
    ours = {k: v for k, v in results["fork"].items() if k.startswith(SERIES_TESTS)}
    results["fork"] = {k: v for k, v in results["fork"].items() if not k.startswith(SERIES_TESTS)}
    print(f"the series' own tests on the fork: {summary(ours)}")
    if patch is not None and (not ours or any(v in ("failed", "error") for v in ours.values())):
        print("the series' own tests must all pass:", *sorted(k for k, v in ours.items() if v != "passed"), sep="\n  ")
        return 1
    changed = differences(results["pristine"], results["fork"])
    if changed:
        print(f"{len(changed)} test(s) differ between the pristine sdist and the fork:", *changed[:50], sep="\n  ")
        return 1
    print(f"upstream tests: the same outcome for each of {len(results['fork'])} test ids, pristine sdist and fork")
    return 0


def node_id(test_id: str, exists: Callable[[str], bool]) -> str:
    """A junit test id (``tests.test_client.TestOpenAI::test_x[a]``) as a pytest node id
    (``tests/test_client.py::TestOpenAI::test_x[a]``); ``exists`` says whether a path is a file."""
    classname, _, name = test_id.partition("::")
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        path = "/".join(parts[:cut]) + ".py"
        if exists(path):
            return "::".join([path, *parts[cut:], name])
    raise ValueError(f"no test file for {test_id}")


def differences(pristine: dict[str, str], fork: dict[str, str]) -> list[str]:
    """Every test id whose outcome differs (or that ran in only one of the two runs)."""
    return [
        f"{test_id}: pristine {pristine.get(test_id, 'absent')}, fork {fork.get(test_id, 'absent')}"
        for test_id in sorted(set(pristine) | set(fork))
        if pristine.get(test_id) != fork.get(test_id)
    ]


def _pytest_side_by_side(
    pythons: dict[str, Path], trees: dict[str, Path], workdir: Path, label: str, args: list[str]
) -> dict[str, dict[str, str]]:
    """pytest in each environment at the same time (one process each); the outcomes of each."""
    running = {}
    for kind, python in pythons.items():
        junit = workdir / f"{kind}-{label}.xml"
        command = [str(python), "-m", "pytest", *args, "-q", "-p", "no:cacheprovider", "-o", "addopts="]
        log = (workdir / f"{kind}-{label}.log").open("w")
        process = subprocess.Popen([*command, f"--junitxml={junit}"], cwd=trees[kind], stdout=log, stderr=log)
        running[kind] = (process, log, junit)
    for process, log, _ in running.values():
        process.wait()
        log.close()
    return {kind: outcomes(junit) for kind, (_, _, junit) in running.items()}
