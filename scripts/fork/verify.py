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
import subprocess
import sys
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
    venv.create(folder, with_pip=True, clear=True)
    python = folder / "bin" / "python"
    upstream.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", openai_requirement, *tools])
    return python


def upstream_tests(sdist: Path, wheel: Path, workdir: Path) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    trees = {kind: upstream.unpack(sdist, workdir / f"{kind}-tree") for kind in ("pristine", "fork")}
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
        if results["pristine"].get(test_id) != results["fork"].get(test_id)
        or {results["pristine"].get(test_id), results["fork"].get(test_id)} & {"failed", "error"}
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
    check = commands.add_parser("apply-check")
    check.add_argument("--sdist", type=Path, required=True)
    check.add_argument("--patch", type=Path, required=True)
    args = parser.parse_args(argv)
    for name in ("sdist", "wheel", "workdir", "patch"):  # the venvs' tests run in other folders
        if getattr(args, name, None) is not None:
            setattr(args, name, getattr(args, name).resolve())
    try:
        if args.command == "upstream-tests":
            return upstream_tests(args.sdist, args.wheel, args.workdir)
        return apply_check(args.sdist, args.patch)
    except upstream.UpstreamError as error:
        print(f"verify: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
