"""``verify.py series-checks``: each patch of the series applied in order to a fresh unpack of the sdist, and
checked there with upstream's own pinned ruff and ty and its tests."""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from pathlib import Path

from . import upstream
from .testenv import EXTRAS, environment, outcomes, summary, test_requirements

TYPED_PATHS = ("src", "tests/lib", "tests/test_client.py")
"""What upstream's ty checks at each step: the SDK and the tests near the change (the whole tree takes twice
as long for files no patch touches)."""


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
    python = environment(
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
