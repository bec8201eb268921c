"""Build the forked ``openai`` SDK: a wheel, an upstream-ready patch and the pull request's text.

    python scripts/build_fork.py [--openai-version 3.57.0] [--fork-revision 1]

1. downloads the ``openai`` sdist with pip into ``.fork-build/`` (git-ignored), unpacks it and commits the
   pristine tree to a scratch git repository there;
2. generates ``src/openai/lib/background/`` from ``src/openai_background/`` and patches ``_client.py``,
   ``resources/responses/responses.py``, ``_exceptions.py``, ``__init__.py`` and ``lib/__init__.py``;
3. writes ``upstream.patch`` (``git diff`` against the pristine tree) and ``PR.md``;
4. sets the version to ``<upstream>+background.<n>`` (not part of the patch) and builds the wheel;
5. checks that the patch applies to a fresh unpack of the sdist.

Only when every step succeeded are the wheel, ``upstream.patch`` and ``PR.md`` copied into ``dist/``: a
missing anchor stops the build with a message naming the version and the anchor, and ``dist/`` is untouched.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fork import patching, project, report, translate, upstream

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


def build(version: str, revision: int, *, build_dir: Path, dist: Path) -> Built:
    """Every step; raises ``patching.AnchorMissing``, ``translate.TranslateError`` or ``upstream.UpstreamError``."""
    fork_version = patching.fork_version(version, revision)
    work = build_dir / version
    sdist = upstream.download_sdist(version, work / "sdist")
    tree = upstream.unpack(sdist, work / "tree")
    upstream.init_scratch_repo(tree)

    def read(path: str) -> str:
        return (tree / path).read_text(encoding="utf-8")

    files = patching.plan_fork(read, PROJECT, version)
    for path, text in files.items():
        compile(text, path, "exec")  # a patch that does not parse never reaches the tree
    versioned = patching.set_version(
        {p: read(p) for p in (patching.PYPROJECT, patching.VERSION_FILE)}, version, revision
    )

    upstream.write_files(tree, files)
    staged = work / "staged"
    staged.mkdir(parents=True, exist_ok=True)
    patch = staged / "upstream.patch"
    patch.write_text(upstream.diff(tree), encoding="utf-8", newline="\n")

    def pristine(path: str) -> str | None:
        try:
            return upstream.run(["git", "show", f"HEAD:{path}"], cwd=tree)
        except upstream.UpstreamError:
            return None

    changes = report.file_changes(upstream.diff(tree, numstat=True), pristine)
    codes = (PROJECT / "_codes.py").read_text(encoding="utf-8")
    failure_classes = report.literal(codes, "FAILURE_CLASSES")
    retryable = report.literal(codes, "RETRYABLE_CODES")
    assert isinstance(failure_classes, dict) and isinstance(retryable, list)
    pr = staged / "PR.md"
    pr.write_text(
        report.pr_markdown(
            changes,
            upstream_version=version,
            fork_version=fork_version,
            failure_classes=failure_classes,
            retryable_codes=retryable,
            exceptions=sorted(n for n, m in project.Project(PROJECT).public_names().items() if m == "_exceptions"),
            methods=[m.name for m in project.Project(PROJECT).class_methods("_resources", "Responses")],
            status_codes=report.declared_status_codes((PROJECT / "_exceptions.py").read_text(encoding="utf-8")),
        ),
        encoding="utf-8",
    )
    upstream.commit(tree, "background mode")

    upstream.write_files(tree, versioned)
    wheel = upstream.build_wheel(tree, work / "wheel")
    upstream.check_patch_applies(sdist, patch)

    dist.mkdir(parents=True, exist_ok=True)
    for stale in dist.glob(f"openai-{version}+background.*.whl"):
        stale.unlink()
    built = Built(wheel=dist / wheel.name, patch=dist / "upstream.patch", pr=dist / "PR.md", sdist=sdist)
    shutil.copy2(wheel, built.wheel)
    shutil.copy2(patch, built.patch)
    shutil.copy2(pr, built.pr)
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
    except (patching.AnchorMissing, translate.TranslateError, upstream.UpstreamError, ValueError) as error:
        print(f"build_fork: {error}", file=sys.stderr)
        return 1
    for path in (built.wheel, built.patch, built.pr):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"sdist {built.sdist}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
