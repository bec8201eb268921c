"""Build the forked ``openai`` SDK: a wheel, an upstream-ready patch and the pull request's text.

    python scripts/build_fork.py [--openai-version 3.57.0] [--fork-revision 1]

1. downloads the ``openai`` sdist with pip into ``.fork-build/`` (git-ignored), unpacks it and commits the
   pristine tree to a scratch git repository there;
2. for each step of ``fork.series.STEPS``: generates ``src/openai/lib/background/`` from
   ``src/openai_background/`` (made native: ``fork.native``), adds the exception classes to ``_exceptions.py``
   and thin delegating hooks to the generated ``_client.py``, ``__init__.py`` and
   ``resources/responses/responses.py`` (``fork.hooks``), adds the step's upstream-style tests and docs, tidies
   with upstream's pinned ruff and commits;
3. writes ``series/000N-<slug>.patch`` (``git format-patch``), ``upstream.patch`` (all of them) and ``PR.md``;
4. sets the version to ``<upstream>+background.<n>`` (not part of the patch) and builds the wheel; builds a
   second wheel with the package's test hooks (``.fork-build/<v>/test-wheel/``, for this project's behaviour
   tests only, never copied to ``dist/``);
5. checks that each patch applies in order, and the combined patch at once, to a fresh unpack of the sdist.

Only when every step succeeded are the wheel, the series, ``upstream.patch`` and ``PR.md`` copied into ``dist/``: a
missing anchor stops the build with a message naming the version and the anchor, and ``dist/`` is untouched.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fork import anchors, edits, native, patching, project, report, series, translate, upstream

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "src" / "openai_background"

DEFAULT_OPENAI_VERSION = "3.57.0"
"""The newest ``openai`` 3.x the project is tested against (``pyproject.toml``: ``openai>=3.57,<4``)."""


@dataclass(frozen=True)
class Built:
    wheel: Path
    patch: Path
    pr: Path
    sdist: Path
    series: list[Path]


def build(version: str, revision: int, *, build_dir: Path, dist: Path) -> Built:
    """Every step; raises ``anchors.AnchorMissing``, ``translate.TranslateError`` or ``upstream.UpstreamError``."""
    fork_version = edits.fork_version(version, revision)
    work = build_dir / version
    sdist = upstream.download_sdist(version, work / "sdist")
    tree = upstream.unpack(sdist, work / "tree")
    upstream.init_scratch_repo(tree)
    ruff = upstream.pinned_tool(tree, "ruff", build_dir / "tools")

    @functools.cache  # the pristine tree never changes: each file is read from git once
    def pristine(path: str) -> str | None:
        try:
            return upstream.run(["git", "show", f"pristine:{path}"], cwd=tree)
        except upstream.UpstreamError:
            return None

    def read(path: str) -> str:
        text = pristine(path)
        if text is None:
            raise FileNotFoundError(path)
        return text

    plans = [patching.plan_fork(read, PROJECT, version, step) for step in range(len(series.STEPS))]
    for files in plans:
        for path, text in files.items():
            if path.endswith(".py"):
                compile(text, path, "exec")  # a patch that does not parse never reaches the tree
            found = native.package_traces(text, pristine(path) or "")
            if found:  # the fork speaks of the SDK only (issue 17: no leftovers of the package)
                raise SystemExit(f"{path} still speaks of the package:\n  " + "\n  ".join(found[:20]))
    for step, files in zip(series.STEPS, plans, strict=True):
        upstream.write_files(tree, files)
        upstream.tidy(tree, ruff, [p for p in files if p.endswith(".py")])
        upstream.commit(tree, f"{step.subject}\n\n{step.body}\n")
    staged = work / "staged"
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    patches = upstream.format_patches(tree, staged / "series", [s.slug for s in series.STEPS])
    patch = staged / "upstream.patch"
    patch.write_text(upstream.diff(tree, base="pristine"), encoding="utf-8", newline="\n")

    generated = upstream.generated_files(tree)
    changes = report.file_changes(upstream.diff(tree, base="pristine", numstat=True), pristine, generated)
    per_step = [
        (
            step,
            report.file_changes(
                upstream.diff(tree, base=f"HEAD~{len(series.STEPS) - i - 1}", parent=True, numstat=True),
                pristine,
                generated,
            ),
        )
        for i, step in enumerate(series.STEPS)
    ]
    codes = (PROJECT / "_codes.py").read_text(encoding="utf-8")
    failure_classes = report.literal(codes, "FAILURE_CLASSES")
    retryable = report.literal(codes, "RETRYABLE_CODES")
    assert isinstance(failure_classes, dict) and isinstance(retryable, list)
    pr = staged / "PR.md"
    pr.write_text(
        report.pr_markdown(
            changes,
            per_step,
            upstream_version=version,
            fork_version=fork_version,
            failure_classes=failure_classes,
            retryable_codes=retryable,
            methods=sorted({m.name for _, m in series.plan(project.Project(PROJECT)).methods[-1]}),
            status_codes=report.declared_status_codes((PROJECT / "_exceptions.py").read_text(encoding="utf-8")),
            hooks=report.hook_summary(upstream.diff(tree, base="pristine"), generated),
        ),
        encoding="utf-8",
    )
    versioned = edits.set_version({p: read(p) for p in (edits.PYPROJECT, edits.VERSION_FILE)}, version, revision)
    upstream.write_files(tree, versioned)
    wheel = upstream.build_wheel(tree, work / "wheel")
    # The wheel this project's behaviour tests run against: the series plus the package's test hooks (the
    # fake clock they set on the resource). Never in dist/: the series and its wheel carry no test hook.
    hooked = patching.plan_fork(read, PROJECT, version, test_hooks=True)
    upstream.write_files(tree, hooked)
    upstream.tidy(tree, ruff, [p for p in hooked if p.endswith(".py")])
    upstream.build_wheel(tree, work / "test-wheel")
    upstream.run(["git", "checkout", "-q", "--", "."], cwd=tree)
    upstream.check_series_applies(sdist, patches)
    upstream.check_patch_applies(sdist, patch)

    dist.mkdir(parents=True, exist_ok=True)
    for stale in dist.glob(f"openai-{version}+background.*.whl"):
        stale.unlink()
    if (dist / "series").exists():
        shutil.rmtree(dist / "series")
    (dist / "series").mkdir()
    built = Built(
        wheel=dist / wheel.name,
        patch=dist / "upstream.patch",
        pr=dist / "PR.md",
        sdist=sdist,
        series=[dist / "series" / p.name for p in patches],
    )
    shutil.copy2(wheel, built.wheel)
    shutil.copy2(patch, built.patch)
    shutil.copy2(pr, built.pr)
    for source, target in zip(patches, built.series, strict=True):
        shutil.copy2(source, target)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--openai-version", default=DEFAULT_OPENAI_VERSION, help="upstream sdist version to fork")
    parser.add_argument("--fork-revision", type=int, default=1, help="n in <upstream>+background.<n>")
    parser.add_argument("--build-dir", type=Path, default=ROOT / ".fork-build", help="scratch space (git-ignored)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the wheel, patch and PR.md go")
    args = parser.parse_args(argv)
    try:
        built = build(args.openai_version, args.fork_revision, build_dir=args.build_dir, dist=args.dist)
    except (anchors.AnchorMissing, translate.TranslateError, upstream.UpstreamError, ValueError) as error:
        print(f"build_fork: {error}", file=sys.stderr)
        return 1
    for path in (*built.series, built.wheel, built.patch, built.pr):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"sdist {built.sdist}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
