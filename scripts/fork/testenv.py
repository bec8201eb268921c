"""Running upstream's tests: a virtual environment holding an ``openai`` and upstream's own test tools, and
the outcomes a pytest run reports. Shared by ``compare`` and ``series_checks``."""

from __future__ import annotations

import sys
import venv
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from . import upstream

DEV_TOOLS = ("pytest", "pytest-asyncio", "pytest-xdist", "inline-snapshot", "rich", "trio")
"""What the selection imports from upstream's ``dev`` dependency group (its own specifiers are used)."""


EXTRAS = "realtime,aiohttp,bedrock"
"""The SDK extras the selection exercises (websockets, the aiohttp client, botocore)."""


def test_requirements(pyproject: str) -> list[str]:
    """``DEV_TOOLS`` as upstream's ``[dependency-groups] dev`` pins them."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 reads TOML with the tomli backport
        import tomli as tomllib
    dev = tomllib.loads(pyproject)["dependency-groups"]["dev"]
    chosen = []
    for name in DEV_TOOLS:
        spec = next((d for d in dev if _name(d) == name), None)
        chosen.append(spec if spec is not None else name)
    return chosen


def _name(requirement: str) -> str:
    for stop in "<>=!~[; ":
        requirement = requirement.split(stop)[0]
    return requirement.strip().lower()


def outcomes(junit_xml: Path) -> dict[str, str]:
    """Test id -> ``passed``, ``skipped``, ``failed`` or ``error``, from a pytest ``--junitxml`` report."""
    found: dict[str, str] = {}
    for case in ET.parse(junit_xml).iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        kinds = {child.tag for child in case}
        outcome = (
            "error"
            if "error" in kinds
            else "failed"
            if "failure" in kinds
            else "skipped"
            if "skipped" in kinds
            else "passed"
        )
        found[test_id] = outcome
    return found


def summary(results: dict[str, str]) -> str:
    counts = Counter(results.values())
    return ", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "skipped", "error") if counts[k] or k == "passed")


def environment(folder: Path, openai_requirement: str, tools: list[str]) -> Path:
    """A venv holding ``openai_requirement`` and ``tools``; one made earlier in this session for the same
    requirements is reused (the per-step checks and the pristine run share one)."""
    python = folder / "bin" / "python"
    wanted = "\n".join([openai_requirement, *tools])
    stamp = folder / "requirements.done"
    if python.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    venv.create(folder, with_pip=True, clear=True)
    upstream.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", openai_requirement, *tools])
    stamp.write_text(wanted, encoding="utf-8")
    return python
