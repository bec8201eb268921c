"""The upstream side: the ``openai`` sdist from the package index, its scratch git repository, the wheel.

Only pip touches the network (``pip download`` of the sdist, the build backend for the wheel).
The scratch repository holds the pristine tree as one commit; the series is applied on it with ``git am``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

GIT_IDENTITY = (
    "-c",
    "user.name=pristine sdist",
    "-c",
    "user.email=pristine@sdist.invalid",
    "-c",
    "commit.gpgsign=false",
)
"""The committer of the scratch repository's commits (never in a patch: ``git am`` keeps each patch's author)."""


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


def newest_version() -> str:
    """The newest ``openai`` release on the package index, as pip sees it (``pip index versions``)."""
    out = run([sys.executable, "-m", "pip", "index", "versions", "openai", "--disable-pip-version-check"])
    match = re.search(r"^openai \(([^)]+)\)", out, re.MULTILINE)
    if match is None:
        raise UpstreamError(f"pip index versions openai said nothing readable:\n{out}")
    return match.group(1)


def apply_series(tree: Path, patches: Sequence[Path], *, version: str, author: str | None = None) -> None:
    """``git am`` each patch onto the pristine tree, keeping its message and author (``author``, as
    ``Name <email>``, replaces it). A patch that does not apply stops with the file, line and function
    (the anchor) upstream moved."""
    for patch in patches:
        extra = ["--author", author] if author else []
        done = subprocess.run(
            ["git", *GIT_IDENTITY, "am", "-q", "--keep-cr", "--committer-date-is-author-date", str(patch.resolve())],
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            subprocess.run(["git", "am", "--abort"], cwd=tree, capture_output=True, check=False)
            raise UpstreamError(
                f"openai {version}: {patch.name} does not apply: {anchor(done.stdout + done.stderr, patch)}"
            )
        if extra:
            run(["git", *GIT_IDENTITY, "commit", "-q", "--amend", "--no-edit", "--no-verify", *extra], cwd=tree)


def anchor(output: str, patch: Path) -> str:
    """Where ``git am`` stopped: ``file:line`` and the function named by the failing hunk's header."""
    failed = re.search(r"patch failed: (\S+):(\d+)", output)
    if failed is None:
        return output.strip()
    path, line = failed.group(1), int(failed.group(2))
    text = patch.read_text(encoding="utf-8")
    section = text.split(f"+++ b/{path}\n", 1)[-1]
    for start, context in re.findall(r"^@@ -(\d+)(?:,\d+)? \+\S+ @@ ?(.*)$", section, re.MULTILINE):
        if int(start) == line:
            return f"{path}:{line} (in `{context.strip()}`): upstream moved or changed the code this hunk anchors to"
    return f"{path}:{line}: upstream moved or changed the code this hunk anchors to"


def set_version(tree: Path, version: str, fork_version: str) -> None:
    """``pyproject.toml`` and ``_version.py`` say ``fork_version`` (not part of the series)."""
    for path, before, after in (
        ("pyproject.toml", f'\nversion = "{version}"\n', f'\nversion = "{fork_version}"\n'),
        ("src/openai/_version.py", f'__version__ = "{version}"', f'__version__ = "{fork_version}"'),
    ):
        file = tree / path
        text = file.read_text(encoding="utf-8")
        if before not in text:
            raise UpstreamError(f"openai {version}: {path} does not say {before.strip()!r}")
        file.write_text(text.replace(before, after, 1), encoding="utf-8", newline="\n")


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


def check_series_applies(sdist: Path, patches: Sequence[Path]) -> str:
    """Each patch applies (``git apply --check``, then ``git apply``) in order on a fresh unpack of ``sdist``;
    the ``--stat`` of each."""
    stats = []
    with tempfile.TemporaryDirectory(prefix="fork-apply-") as scratch:
        tree = unpack(sdist, Path(scratch))
        init_scratch_repo(tree)  # its own repository: `git apply` inside another one would skip files
        for patch in patches:
            run(["git", "apply", "--check", str(patch.resolve())], cwd=tree)
            stats.append(run(["git", "apply", "--stat", str(patch.resolve())], cwd=tree))
            run(["git", "apply", str(patch.resolve())], cwd=tree)
    return "".join(stats)


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
