"""The upstream side: the ``openai`` sdist from the package index, its scratch git repository, the wheel.

Only pip touches the network (``pip download`` of the sdist, the build backend for the wheel).
The scratch repository exists so the patch is an exact ``git diff`` against the pristine tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

GIT_IDENTITY = ("-c", "user.name=build_fork", "-c", "user.email=build_fork@localhost", "-c", "commit.gpgsign=false")
DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/", "--no-renames")


class UpstreamError(Exception):
    """A step outside Python failed (pip, git, the wheel build); the message says which and why."""


def run(args: Sequence[str], *, cwd: Path | None = None) -> str:
    """Run a command; its stdout, or ``UpstreamError`` with its output."""
    done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UpstreamError(f"`{' '.join(args)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}".rstrip())
    return done.stdout


def download_sdist(version: str, into: Path) -> Path:
    """The ``openai==version`` sdist, with pip only; reused if an earlier build left it in ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    found = sdist_in(into, version)
    if found is not None:
        return found
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--disable-pip-version-check"]
    run([*pip, f"openai=={version}", "-d", str(into)])
    found = sdist_in(into, version)
    if found is None:
        raise UpstreamError(f"pip did not leave an openai {version} sdist in {into}")
    return found


def sdist_in(folder: Path, version: str) -> Path | None:
    for name in (f"openai-{version}.tar.gz", f"openai-{version}.zip"):
        if (folder / name).is_file():
            return folder / name
    return None


def unpack(sdist: Path, into: Path) -> Path:
    """A fresh unpack of ``sdist``; returns its top folder (``openai-X.Y.Z``)."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - Pythons before the data filter (3.10.12, 3.11.4)
            for member in archive.getmembers():
                if member.name.startswith("/") or ".." in Path(member.name).parts:
                    raise UpstreamError(f"{sdist.name} holds an unsafe path: {member.name}")
            archive.extractall(into)
    tops = [p for p in into.iterdir() if p.is_dir()]
    if len(tops) != 1:
        raise UpstreamError(f"{sdist.name} does not unpack to one folder: {[p.name for p in tops]}")
    return tops[0]


def init_scratch_repo(tree: Path) -> None:
    """A git repository holding the pristine tree as its one commit."""
    run(["git", "init", "-q", "-b", "fork"], cwd=tree)
    run(["git", "config", "core.autocrlf", "false"], cwd=tree)
    run(["git", *GIT_IDENTITY, "add", "-A", "-f"], cwd=tree)
    run(["git", *GIT_IDENTITY, "commit", "-q", "-m", "pristine sdist", "--no-verify"], cwd=tree)
    run(["git", "tag", "pristine"], cwd=tree)


def write_files(tree: Path, files: Mapping[str, str]) -> None:
    for path, text in files.items():
        target = tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def diff(tree: Path, *, base: str = "HEAD", parent: bool = False, numstat: bool = False) -> str:
    """``git diff`` against ``base`` (``parent``: of the commit ``base`` against its parent); with
    ``base="HEAD"``, the working tree (new files included) against the last commit."""
    extra = ["--numstat"] if numstat else []
    if parent:
        return run(["git", "diff", *DIFF_OPTIONS, *extra, f"{base}~1", base], cwd=tree)
    if base == "HEAD":
        run(["git", "add", "-A", "-f", "src"], cwd=tree)
        return run(["git", "diff", "--cached", *DIFF_OPTIONS, *extra], cwd=tree)
    return run(["git", "diff", *DIFF_OPTIONS, *extra, base, "HEAD"], cwd=tree)


FIXED_DATE = "2026-01-01T00:00:00+00:00"
"""Commit dates in the scratch repository: the same source gives byte-identical patches."""


def commit(tree: Path, message: str) -> None:
    run(["git", "add", "-A", "-f", "."], cwd=tree)
    env = {"GIT_AUTHOR_DATE": FIXED_DATE, "GIT_COMMITTER_DATE": FIXED_DATE}
    done = subprocess.run(
        ["git", *GIT_IDENTITY, "commit", "-q", "-F", "-", "--no-verify"],
        cwd=tree,
        input=message,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    if done.returncode != 0:
        raise UpstreamError(f"git commit failed:\n{done.stdout}{done.stderr}")


def format_patches(tree: Path, into: Path, slugs: Sequence[str]) -> list[Path]:
    """The commits after ``pristine`` as ``000N-<slug>.patch`` (``git am`` format, no hash, no signature)."""
    into.mkdir(parents=True, exist_ok=True)
    run(
        [
            "git",
            "format-patch",
            "-q",
            "--zero-commit",
            "--no-signature",
            *DIFF_OPTIONS,
            "-o",
            str(into),
            "pristine..HEAD",
        ],
        cwd=tree,
    )
    made = sorted(into.glob("*.patch"))
    if len(made) != len(slugs):
        raise UpstreamError(f"expected {len(slugs)} patches, git made {[p.name for p in made]}")
    named = []
    for index, (path, slug) in enumerate(zip(made, slugs, strict=True), start=1):
        target = into / f"{index:04d}-{slug.replace('_', '-')}.patch"
        path.rename(target)
        named.append(target)
    return named


def generated_files(tree: Path) -> set[str]:
    """The paths upstream's generator owns (``scripts/castiron/generated-files.json``); empty if absent."""
    inventory = tree / "scripts" / "castiron" / "generated-files.json"
    if not inventory.is_file():
        return set()
    files = json.loads(inventory.read_text(encoding="utf-8")).get("files", {})
    return set(files)


def pinned_version(tree: Path, name: str) -> str | None:
    """The version of ``name`` upstream's ``uv.lock`` pins (None: not locked)."""
    lock = tree / "uv.lock"
    if not lock.is_file():
        return None
    match = re.search(
        rf'^name = "{re.escape(name)}"\nversion = "([^"]+)"', lock.read_text(encoding="utf-8"), re.MULTILINE
    )
    return match.group(1) if match else None


def pinned_tool(tree: Path, name: str, cache: Path) -> Path:
    """Upstream's pinned ``name`` (ruff, ty) installed once into ``cache/<name>-<version>``; its executable."""
    version = pinned_version(tree, name)
    if version is None:
        raise UpstreamError(f"upstream's uv.lock pins no {name}")
    folder = cache / f"{name}-{version}"
    exe = folder / "bin" / name
    if not exe.is_file():
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--target",
                str(folder),
                f"{name}=={version}",
            ]
        )
    if not exe.is_file():
        raise UpstreamError(f"pip installed {name}=={version} without {exe}")
    return exe


def tidy(tree: Path, ruff: Path, paths: Sequence[str]) -> None:
    """Upstream's ruff with upstream's config on the changed files: ``check --fix`` (import order, unused
    imports), then ``format`` on the files that are new (upstream's generated files keep their layout)."""
    if not paths:
        return
    new = [
        p
        for p in paths
        if subprocess.run(["git", "cat-file", "-e", f"pristine:{p}"], cwd=tree, capture_output=True).returncode != 0
    ]
    subprocess.run(
        [str(ruff), "check", "--no-cache", "--fix", "--quiet", "--exit-zero", *paths],
        cwd=tree,
        capture_output=True,
        check=False,
    )
    if new:
        run([str(ruff), "format", "--no-cache", "--quiet", *new], cwd=tree)
    changed = [p for p in paths if p not in new]
    if changed:  # only our insertions are unformatted: format, then keep the pristine lines as they were
        run([str(ruff), "format", "--no-cache", "--quiet", *changed], cwd=tree)


def check_series_applies(sdist: Path, patches: Sequence[Path]) -> None:
    """Each patch applies (``git apply``) in order on a fresh unpack of ``sdist``."""
    with tempfile.TemporaryDirectory(prefix="fork-series-") as scratch:
        tree = unpack(sdist, Path(scratch))
        for patch in patches:
            run(["git", "apply", "-v", str(patch.resolve())], cwd=tree)


def check_patch_applies(sdist: Path, patch: Path) -> str:
    """``git apply --check`` of ``patch`` on a fresh unpack of ``sdist``; its ``--stat`` summary."""
    with tempfile.TemporaryDirectory(prefix="fork-apply-") as scratch:
        tree = unpack(sdist, Path(scratch))
        run(["git", "apply", "--check", "-v", str(patch.resolve())], cwd=tree)
        return run(["git", "apply", "--stat", str(patch.resolve())], cwd=tree)


def build_wheel(tree: Path, into: Path) -> Path:
    """The wheel of ``tree``, built by pip with the sdist's own build backend from the package index."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", str(into), str(tree)])
    wheels = list(into.glob("openai-*.whl"))
    if len(wheels) != 1:
        raise UpstreamError(f"expected one openai wheel in {into}, found {[w.name for w in wheels]}")
    return wheels[0]
