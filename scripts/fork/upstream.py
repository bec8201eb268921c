"""The upstream side: the ``openai`` sdist from the package index, its scratch git repository, the wheel.

Only pip touches the network (``pip download`` of the sdist, the build backend for the wheel).
The scratch repository exists so the patch is an exact ``git diff`` against the pristine tree.
"""

from __future__ import annotations

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
    run(["git", "init", "-q", "-b", "pristine"], cwd=tree)
    run(["git", "config", "core.autocrlf", "false"], cwd=tree)
    run(["git", *GIT_IDENTITY, "add", "-A", "-f"], cwd=tree)
    run(["git", *GIT_IDENTITY, "commit", "-q", "-m", "pristine sdist", "--no-verify"], cwd=tree)


def write_files(tree: Path, files: Mapping[str, str]) -> None:
    for path, text in files.items():
        target = tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def diff(tree: Path, *, numstat: bool = False) -> str:
    """``git diff`` of the working tree (new files included) against the pristine commit."""
    run(["git", "add", "-A", "-f", "src"], cwd=tree)
    return run(["git", "diff", "--cached", *DIFF_OPTIONS, *(["--numstat"] if numstat else [])], cwd=tree)


def commit(tree: Path, message: str) -> None:
    run(["git", *GIT_IDENTITY, "commit", "-q", "-a", "-m", message, "--no-verify"], cwd=tree)


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
