"""pip installs the fork from the index ``scripts/build_fork.py`` writes (``dist/simple``), by version and by a
hash-pinned requirements file. Marked ``fork``: run by ``nox -s fork`` after the build, never by ``nox -s tests``."""

from __future__ import annotations

import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIMPLE = ROOT / "dist" / "simple"

pytestmark = pytest.mark.fork


def built_versions() -> list[tuple[str, str]]:
    """``(version, sha256)`` of each wheel the index page links."""
    page = SIMPLE / "openai" / "index.html"
    if not page.is_file():
        pytest.fail(f"{page} is missing: run `python scripts/build_fork.py` first")
    return re.findall(r'href="openai-([^-]+)-py3-none-any\.whl#sha256=([0-9a-f]{64})"', page.read_text("utf-8"))


def installed(tmp_path: Path, *pip_args: str) -> str:
    """``pip install --no-deps`` from the index into a fresh venv; the ``openai`` version it then holds."""
    venv.create(tmp_path / "venv")  # no pip of its own: this pip installs into it (``--python``), in seconds
    python = str(tmp_path / "venv" / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-cache-dir"]
    pip.append("--disable-pip-version-check")
    subprocess.run([*pip, "--index-url", SIMPLE.as_uri(), *pip_args], check=True, timeout=300)
    done = subprocess.run(
        [python, "-c", "import importlib.metadata as m; print(m.version('openai'))"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


def test_pip_installs_the_fork_by_version(tmp_path: Path) -> None:
    version, _ = built_versions()[-1]
    assert "+background." in version
    assert installed(tmp_path, f"openai=={version}") == version


def test_a_hash_pinned_requirement_installs_and_a_wrong_hash_is_refused(tmp_path: Path) -> None:
    version, digest = built_versions()[-1]
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"openai=={version} --hash=sha256:{digest}\n", encoding="utf-8")
    assert installed(tmp_path / "good", "--require-hashes", "-r", str(requirements)) == version
    requirements.write_text(f"openai=={version} --hash=sha256:{'0' * 64}\n", encoding="utf-8")
    with pytest.raises(subprocess.CalledProcessError):
        installed(tmp_path / "bad", "--require-hashes", "-r", str(requirements))
