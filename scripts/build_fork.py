"""Build the forked ``openai`` SDK: the pristine sdist plus the hand-written series in ``scripts/fork/series/``.

    python scripts/build_fork.py [--openai-version 3.63.0] [--fork-revision 1] [--author "Name <email>"]

1. finds the newest ``openai`` on the package index (``--openai-version`` pins one), downloads its sdist with
   pip (``pip download --no-binary :all: --no-deps``) into ``.fork-build/`` (git-ignored), unpacks it and
   commits the pristine tree to a scratch git repository there;
2. applies the series with ``git am`` (each patch keeps its author; ``--author`` replaces it); a patch that
   does not apply stops the build, naming the version, the patch and the anchor (file, line, function);
3. writes ``series/`` (``git format-patch`` of the applied commits), ``upstream.patch`` (all of them) and
   ``PR.md`` with the sizes measured on this version;
4. sets the version to ``<upstream>+background.<n>`` (not part of the series), builds the wheel and adds it to
   the PEP 503 index ``simple/`` (``simple/openai/index.html``, links with ``#sha256=``).

Only when every step succeeded does anything reach ``dist/``; a failed build leaves it untouched.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fork import index, pr, sizes, upstream

ROOT = Path(__file__).resolve().parents[1]
SERIES = ROOT / "scripts" / "fork" / "series"


@dataclass(frozen=True)
class Built:
    version: str
    wheel: Path
    series: list[Path]
    patch: Path
    pr: Path
    index: Path
    sdist: Path


def fork_version(version: str, revision: int) -> str:
    """``3.63.0`` and 1 -> ``3.63.0+background.1`` (a PEP 440 local version: never on PyPI, sorts after it)."""
    if revision < 1:
        raise ValueError(f"--fork-revision must be at least 1, not {revision}")
    return f"{version}+background.{revision}"


def build(version: str | None, revision: int, *, build_dir: Path, dist: Path, author: str | None = None) -> Built:
    """Every step; raises ``upstream.UpstreamError`` (naming the step) or ``ValueError``."""
    version = version or upstream.newest_version()
    work = build_dir / version
    sdist = upstream.download_sdist(version, work / "sdist")
    tree = upstream.unpack(sdist, work / "tree")
    upstream.init_scratch_repo(tree)
    patches = sorted(SERIES.glob("*.patch"))
    upstream.apply_series(tree, patches, version=version, author=author)

    staged = work / "staged"
    shutil.rmtree(staged, ignore_errors=True)
    (staged / "series").mkdir(parents=True)
    made = upstream.run(
        ["git", "format-patch", "--zero-commit", "--no-signature", "--no-renames", "-o", str(staged / "series"),
         "pristine..HEAD"],
        cwd=tree,
    ).split()  # fmt: skip
    series = []
    for source, path in zip(patches, sorted(Path(p) for p in made), strict=True):
        series.append(path.rename(path.with_name(source.name)))
    patch = staged / "upstream.patch"
    patch.write_text("".join(p.read_text(encoding="utf-8") for p in series), encoding="utf-8")
    generated = upstream.generated_files(tree)
    measured = [(subject(p), sizes.patch_size(p.read_text(encoding="utf-8"), generated)) for p in series]
    (staged / "PR.md").write_text(pr.pr_markdown(version, fork_version(version, revision), measured), encoding="utf-8")

    upstream.set_version(tree, version, fork_version(version, revision))
    wheel = upstream.build_wheel(tree, work / "wheel")
    upstream.run(["git", "checkout", "-q", "--", "."], cwd=tree)

    dist.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(dist / "series", ignore_errors=True)
    shutil.copytree(staged / "series", dist / "series")
    for name in ("upstream.patch", "PR.md"):
        shutil.copy2(staged / name, dist / name)
    shutil.copy2(wheel, dist / wheel.name)
    page = index.write_index(dist / "simple", [wheel])
    return Built(
        version=version,
        wheel=dist / wheel.name,
        series=sorted((dist / "series").glob("*.patch")),
        patch=dist / "upstream.patch",
        pr=dist / "PR.md",
        index=page,
        sdist=sdist,
    )


def subject(patch: Path) -> str:
    """The commit subject of a ``git format-patch`` file, without ``[PATCH n/m]``."""
    text = patch.read_text(encoding="utf-8")
    head = text.split("\n\n", 1)[0].replace("\n ", " ")
    line = next(line for line in head.splitlines() if line.startswith("Subject: "))
    return line.removeprefix("Subject: ").split("] ", 1)[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--openai-version", default=None, help="upstream sdist version (default: newest)")
    parser.add_argument("--fork-revision", type=int, default=1, help="n in <upstream>+background.<n>")
    parser.add_argument("--author", default=None, help='"Name <email>" for the series\' commits')
    parser.add_argument("--build-dir", type=Path, default=ROOT / ".fork-build", help="scratch space (git-ignored)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the wheel, series and index go")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        built = build(args.openai_version, args.fork_revision, build_dir=args.build_dir, dist=args.dist,
                      author=args.author)  # fmt: skip
    except (upstream.UpstreamError, ValueError) as error:
        print(f"build_fork: {error}", file=sys.stderr)
        return 1
    for path in (*built.series, built.patch, built.pr, built.wheel, built.index):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"openai {built.version}: built in {time.monotonic() - started:.0f} s from {built.sdist}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
