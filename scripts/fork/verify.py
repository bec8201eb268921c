"""The fork's upstream checks, run by ``nox -s fork`` after ``scripts/build_fork.py``.

    python scripts/fork/verify.py upstream-tests --sdist S --wheel W --workdir D
    python scripts/fork/verify.py apply-check --sdist S --patch P

``upstream-tests`` makes two fresh virtual environments that differ only in the ``openai`` they hold (the
pristine sdist, the fork wheel), runs upstream's offline tests from that sdist in both (at the same time:
one process each, two cores) and requires the same outcome for every test id. ``apply-check`` runs
``git apply --check`` of the patch on a fresh unpack of the sdist.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import venv
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fork import upstream

SELECTION = ("tests/test_client.py", "tests/lib")
"""Upstream's offline tests: the client, and the handwritten ``lib`` helpers."""

NOT_OFFLINE = {
    "tests/lib/test_fine_tuning_positional_arguments.py": "calls the Prism mock server at TEST_API_BASE_URL",
    "tests/lib/chat/test_completions_streaming.py": "reads .inline-snapshot/external files the sdist leaves out",
    "tests/lib/test_microphone.py": "needs the voice_helpers extra (numpy, sounddevice: audio devices)",
}
"""Parts of the selection that cannot run from an sdist on a machine without network; same for both runs."""

DEV_TOOLS = ("pytest", "pytest-asyncio", "inline-snapshot", "rich", "trio")
"""What the selection imports from upstream's ``dev`` dependency group (its own specifiers are used)."""

EXTRAS = "realtime,aiohttp,bedrock"
"""The SDK extras the selection exercises (websockets, the aiohttp client, botocore)."""


def test_requirements(pyproject: str) -> list[str]:
    """``DEV_TOOLS`` as upstream's ``[dependency-groups] dev`` pins them."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 reads TOML with the tomli backport
        import tomli as tomllib
    dev = tomllib.loads(pyproject)["dependency-groups"]["dev"]
    chosen = []
    for name in DEV_TOOLS:
        spec = next((d for d in dev if _name(d) == name), None)
        chosen.append(spec if spec is not None else name)
    return chosen


def _name(requirement: str) -> str:
    for stop in "<>=!~[; ":
        requirement = requirement.split(stop)[0]
    return requirement.strip().lower()


def outcomes(junit_xml: Path) -> dict[str, str]:
    """Test id -> ``passed``, ``skipped``, ``failed`` or ``error``, from a pytest ``--junitxml`` report."""
    found: dict[str, str] = {}
    for case in ET.parse(junit_xml).iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        kinds = {child.tag for child in case}
        outcome = (
            "error"
            if "error" in kinds
            else "failed"
            if "failure" in kinds
            else "skipped"
            if "skipped" in kinds
            else "passed"
        )
        found[test_id] = outcome
    return found


def summary(results: dict[str, str]) -> str:
    counts = Counter(results.values())
    return ", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "skipped", "error") if counts[k] or k == "passed")


def differences(pristine: dict[str, str], fork: dict[str, str]) -> list[str]:
    """Every test id whose outcome differs (or that ran in only one of the two runs)."""
    return [
        f"{test_id}: pristine {pristine.get(test_id, 'absent')}, fork {fork.get(test_id, 'absent')}"
        for test_id in sorted(set(pristine) | set(fork))
        if pristine.get(test_id) != fork.get(test_id)
    ]


def _environment(folder: Path, openai_requirement: str, tools: list[str]) -> Path:
    """A venv holding ``openai_requirement`` and ``tools``; one made earlier in this session for the same
    requirements is reused (the per-step checks and the pristine run share one)."""
    python = folder / "bin" / "python"
    wanted = "\n".join([openai_requirement, *tools])
    stamp = folder / "requirements.done"
    if python.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    venv.create(folder, with_pip=True, clear=True)
    upstream.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", openai_requirement, *tools])
    stamp.write_text(wanted, encoding="utf-8")
    return python


TYPED_PATHS = ("src", "tests/lib", "tests/test_client.py")
"""What upstream's ty checks at each step: the SDK and the tests near the change (the whole tree takes twice
as long for files no patch touches)."""

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
        "pristine": _environment(workdir / "pristine-venv", f"openai[{EXTRAS}] @ {sdist.resolve().as_uri()}", tools),
        "fork": _environment(workdir / "fork-venv", f"openai[{EXTRAS}] @ {wheel.resolve().as_uri()}", tools),
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


def _findings(command: list[str], cwd: Path) -> list[str]:
    """A linter's findings as lines without positions (so a shifted line is not a new finding)."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    found = []
    for line in (done.stdout + done.stderr).splitlines():
        line = line.strip()
        if line.startswith(("error[", "warning[")) or (
            ": " in line and line[:1].isalpha() and "/" in line.split(":")[0]
        ):
            found.append(" ".join(part for part in line.split(":") if not part.strip().isdigit()))
    return sorted(found)


def series_checks(sdist: Path, patches: list[Path], workdir: Path, tools: Path) -> int:
    """Apply the patches in order to a fresh unpack; after each, upstream's pinned ruff and ty must report
    nothing beyond the pristine tree's findings, and ``tests/test_client.py`` plus the step's own tests pass.
    One environment (the sdist's dependencies, upstream's test tools) serves every step: the tree's ``src``
    comes first on ``PYTHONPATH``."""
    workdir.mkdir(parents=True, exist_ok=True)
    tree = upstream.unpack(sdist, workdir / "series-tree")
    upstream.init_scratch_repo(tree)
    ruff = upstream.pinned_tool(tree, "ruff", tools)
    ty = upstream.pinned_tool(tree, "ty", tools)
    python = _environment(
        workdir / "pristine-venv",
        f"openai[{EXTRAS}] @ {sdist.resolve().as_uri()}",
        test_requirements((tree / "pyproject.toml").read_text(encoding="utf-8")),
    )
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "VIRTUAL_ENV": str(python.parent.parent)}
    lint = [str(ruff), "check", "--no-cache", "--output-format", "concise", "."]
    types = [str(ty), "check", "--python", str(python), "--output-format", "concise", *TYPED_PATHS]
    baseline = {"ruff": _findings(lint, tree), "ty": _findings(types, tree)}
    print(f"pristine: ruff {len(baseline['ruff'])} finding(s), ty {len(baseline['ty'])} finding(s)")
    failed = 0
    for patch in patches:
        upstream.run(["git", "apply", str(patch.resolve())], cwd=tree)
        started = time.monotonic()
        new = {}
        for name, command in (("ruff", lint), ("ty", types)):
            found = Counter(_findings(command, tree))
            found.subtract(Counter(baseline[name]))
            new[name] = sorted(k for k, v in found.items() if v > 0)
        added = upstream.run(["git", "apply", "--numstat", str(patch.resolve())], cwd=tree)
        own = [line.split("\t")[2] for line in added.splitlines() if line.split("\t")[2].startswith("tests/")]
        own = [p for p in own if p.endswith(".py")]
        junit = workdir / f"{patch.stem}.xml"
        command = [
            str(python),
            "-m",
            "pytest",
            "tests/test_client.py",
            *own,
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            f"--junitxml={junit}",
        ]
        with (workdir / f"{patch.stem}.log").open("w") as log:
            subprocess.run(command, cwd=tree, env=env, stdout=log, stderr=log, check=False)
        result = outcomes(junit) if junit.is_file() else {}
        own_ids = {k: v for k, v in result.items() if not k.startswith("tests.test_client")}
        bad = sorted(k for k, v in result.items() if v in ("failed", "error"))
        seconds = time.monotonic() - started
        print(
            f"{patch.name}: ruff +{len(new['ruff'])}, ty +{len(new['ty'])}; tests/test_client.py and "
            f"{len(own)} own file(s): {summary(result)} (own: {summary(own_ids)}); {seconds:.0f} s"
        )
        for name, findings in new.items():
            for finding in findings[:20]:
                print(f"  new {name} finding: {finding}")
        for test_id in bad[:20]:
            print(f"  failed: {test_id}")
        if new["ruff"] or new["ty"] or bad or not own_ids:
            failed += 1
        upstream.commit(tree, patch.stem)
    print(f"series checks: {len(patches) - failed} of {len(patches)} step(s) clean")
    return 1 if failed else 0


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


def apply_check(sdist: Path, patch: Path) -> int:
    print(upstream.check_patch_applies(sdist, patch).rstrip())
    print(f"git apply --check: {patch} applies cleanly to a fresh unpack of {sdist.name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tests = commands.add_parser("upstream-tests")
    tests.add_argument("--sdist", type=Path, required=True)
    tests.add_argument("--wheel", type=Path, required=True)
    tests.add_argument("--workdir", type=Path, required=True)
    tests.add_argument("--patch", type=Path, default=None, help="the combined patch: its tests join the fork run")
    steps = commands.add_parser("series-checks")
    steps.add_argument("--sdist", type=Path, required=True)
    steps.add_argument("--series", type=Path, required=True)
    steps.add_argument("--workdir", type=Path, required=True)
    steps.add_argument("--tools", type=Path, required=True)
    cost = commands.add_parser("import-cost")
    cost.add_argument("--workdir", type=Path, required=True)
    check = commands.add_parser("apply-check")
    check.add_argument("--sdist", type=Path, required=True)
    check.add_argument("--patch", type=Path, required=True)
    args = parser.parse_args(argv)
    for name in ("sdist", "wheel", "workdir", "patch", "series", "tools"):  # the venvs' tests run in other folders
        if getattr(args, name, None) is not None:
            setattr(args, name, getattr(args, name).resolve())
    try:
        if args.command == "upstream-tests":
            return upstream_tests(args.sdist, args.wheel, args.workdir, args.patch)
        if args.command == "import-cost":
            return import_cost(args.workdir)
        if args.command == "series-checks":
            return series_checks(args.sdist, sorted(args.series.glob("*.patch")), args.workdir, args.tools)
        return apply_check(args.sdist, args.patch)
    except upstream.UpstreamError as error:
        print(f"verify: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
