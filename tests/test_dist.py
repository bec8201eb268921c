"""The package as users get it: the built wheel, and a ``git+file://`` URL, each in a fresh venv.

Slow (a build and two venvs with the SDK installed from the package index), so marked ``dist``: the
default ``pytest`` run leaves them out; ``nox -s dist`` runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.dist

REPO = Path(__file__).resolve().parent.parent
BIN = "Scripts" if sys.platform == "win32" else "bin"


def fresh_venv(where: Path) -> Path:
    """A new venv with a current pip and nothing else; returns its python. (The pip bundled with an older
    Python rejects ``name @ git+file:///path`` as an invalid requirement: users upgrade pip first too.)"""
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    python = where / BIN / "python"
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip", cwd=where)
    return python


def run(*command: str | Path, cwd: Path) -> str:
    """Run outside this checkout (no ``src`` on the path, no PYTHONPATH): what it prints, or a failure."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``python -m build`` makes of this checkout (as ``nox -s build`` does)."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--wheel", "--outdir", out, REPO, cwd=out)
    (built,) = out.glob("openai_background-*.whl")
    return built


def test_the_wheel_installs_into_a_fresh_venv_and_runs_the_demo(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    where = run(python, "-c", "import openai_background; print(openai_background.__file__)", cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(tmp_path / "venv")  # the installed copy, not this checkout

    table = run(python, "-m", "openai_background", "demo", cwd=tmp_path)
    rows = {line.split()[0]: line for line in table.splitlines()[2:]}
    assert "openai.InternalServerError" in rows["server_error"]
    assert "openai.RateLimitError" in rows["rate_limit_exceeded"]
    assert rows["completed"].split()[1] == "completed"
    script = tmp_path / "venv" / BIN / "openai-background"
    assert run(script, "demo", cwd=tmp_path).splitlines()[0] == table.splitlines()[0]


def test_the_wheel_ships_the_type_marker_and_the_testing_helpers(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    check = (
        "import importlib.resources as r, openai_background.testing as t; "
        "print(r.files('openai_background').joinpath('py.typed').is_file(), t.FakeResponsesServer.__name__)"
    )
    assert run(python, "-c", check, cwd=tmp_path).split() == ["True", "FakeResponsesServer"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_git_url_of_the_repository_installs_and_imports(tmp_path: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout (an sdist?): there is no git URL to install from")
    python = fresh_venv(tmp_path / "venv")
    url = f"openai-background @ git+{REPO.as_uri()}"  # what a requirements line pinning a fork looks like
    run(python, "-m", "pip", "install", "--quiet", url, cwd=tmp_path)
    check = (
        "import importlib.metadata as m, openai, openai_background as ob; "
        "print(m.version('openai-background'), issubclass(ob.OpenAI, openai.OpenAI), ob.__file__)"
    )
    version, subclass, where = run(python, "-c", check, cwd=tmp_path).split()
    assert version == project_version()
    assert subclass == "True"
    assert Path(where).is_relative_to(tmp_path / "venv")


def project_version() -> str:
    text = (REPO / "pyproject.toml").read_text()
    return text.split('\nversion = "', 1)[1].split('"', 1)[0]
