"""The fork's checks, run by ``nox -s fork`` after ``scripts/build_fork.py``.

    python scripts/fork/verify.py series --sdist S --series DIR --workdir D --tools T
    python scripts/fork/verify.py apply-check --sdist S --series DIR

``series``: the sizes of each patch and of the whole series against ``sizes.PATCH_LIMITS`` /
``SERIES_LIMITS``; then each patch in order on one fresh unpack of the sdist, and after each: upstream's
pinned ruff (``check`` and ``format --check``) and ty on the files the series touched so far (no ty
finding beyond the tree's before the patch), and upstream's pytest on the series' test files plus
``RELEVANT_TESTS``, in a venv holding the tree (editable) and upstream's test tools.
``apply-check``: ``git apply --check`` of each patch, in order, on a fresh unpack.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fork import sizes, testenv, upstream

RELEVANT_TESTS = ("tests/lib/responses/test_responses.py",)
"""Upstream's own tests of the resource the series changes, run beside the series' tests at each step."""


def touched(patch: Path) -> list[str]:
    return re.findall(r"^\+\+\+ b/(\S+)$", patch.read_text(encoding="utf-8"), re.MULTILINE)


def ty_findings(ty: Path, tree: Path, python: Path, paths: list[str]) -> set[str]:
    """ty's diagnostics on ``paths`` as ``rule path`` lines (line numbers move, so they are left out)."""
    if not paths:
        return set()
    done = subprocess.run(
        [str(ty), "check", "--python", str(python), "--output-format", "concise", *paths],
        cwd=tree, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {f"{m.group(2)} {m.group(1)}" for m in re.finditer(r"^(\S+?):\d+:\d+: (\S+)", done.stdout, re.MULTILINE)}


def check_series(sdist: Path, patches: list[Path], workdir: Path, tools: Path) -> int:
    tree = upstream.unpack(sdist, workdir / "tree")
    upstream.init_scratch_repo(tree)  # its own repository: `git apply` inside another one would skip files
    generated = upstream.generated_files(tree)
    measured = [sizes.patch_size(p.read_text(encoding="utf-8"), generated) for p in patches]
    for patch, size in zip(patches, measured, strict=True):
        print(f"{patch.name}: {size.added} added lines, {size.generated} in generated files")
    broken = sizes.over_limits(measured)
    if broken:
        print("sizes:\n  " + "\n  ".join(broken), file=sys.stderr)
        return 1
    ruff = upstream.pinned_tool(tree, "ruff", tools)
    ty = upstream.pinned_tool(tree, "ty", tools)
    pyproject = (tree / "pyproject.toml").read_text(encoding="utf-8")
    python = testenv.environment(workdir / "venv", f"-e{tree}[aiohttp]", testenv.test_requirements(pyproject))
    so_far: list[str] = []
    for patch in patches:
        paths = [p for p in touched(patch) if p.endswith(".py")]
        so_far = list(dict.fromkeys([*so_far, *paths]))
        before = ty_findings(ty, tree, python, [p for p in so_far if (tree / p).is_file()])
        upstream.run(["git", "apply", str(patch.resolve())], cwd=tree)
        upstream.run([str(ruff), "check", "--no-cache", *so_far], cwd=tree)
        upstream.run([str(ruff), "format", "--no-cache", "--check", *so_far], cwd=tree)
        new = ty_findings(ty, tree, python, so_far) - before
        if new:
            print(f"{patch.name}: ty finds what pristine does not:\n  " + "\n  ".join(sorted(new)), file=sys.stderr)
            return 1
        tests = [p for p in so_far if p.startswith("tests/")] + [t for t in RELEVANT_TESTS if (tree / t).is_file()]
        upstream.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", *tests], cwd=tree)
        print(f"{patch.name}: applies; ruff and ty clean; {len(tests)} test files pass")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    steps = commands.add_parser("series")
    check = commands.add_parser("apply-check")
    for command in (steps, check):
        command.add_argument("--sdist", type=Path, required=True)
        command.add_argument("--series", type=Path, required=True)
    steps.add_argument("--workdir", type=Path, required=True)
    steps.add_argument("--tools", type=Path, required=True)
    args = parser.parse_args(argv)
    patches = sorted(args.series.resolve().glob("*.patch"))
    try:
        if args.command == "series":
            return check_series(args.sdist.resolve(), patches, args.workdir.resolve(), args.tools.resolve())
        print(upstream.check_series_applies(args.sdist, patches).rstrip())
        print(f"git apply --check: the series applies in order to a fresh unpack of {args.sdist.name}")
        return 0
    except upstream.UpstreamError as error:
        print(f"verify: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
