"""Which upstream releases the release workflow still has to build: ``python scripts/fork/releases.py [VERSION]``.

Prints ``versions=<JSON list>`` for ``$GITHUB_OUTPUT``: every ``openai`` release on the index from ``FLOOR`` on
that has no GitHub Release ``openai-<version>+background.<n>`` yet (``gh release list``), or the one version
given as an argument.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fork import upstream

FLOOR = (3, 60, 0)
"""The oldest upstream release the fork is built for (the previous supported one)."""


def parse(version: str) -> tuple[int, ...] | None:
    """``3.63.0`` -> ``(3, 63, 0)``; None for a pre-release or anything else (never forked)."""
    return tuple(int(part) for part in version.split(".")) if re.fullmatch(r"\d+\.\d+\.\d+", version) else None


def unreleased(available: Iterable[str], tags: Iterable[str]) -> list[str]:
    """The ``available`` versions from ``FLOOR`` on that no tag ``openai-<version>+background.<n>`` covers."""
    done = {m.group(1) for tag in tags if (m := re.fullmatch(r"openai-(\d+\.\d+\.\d+)\+background\.\d+", tag))}
    wanted = [v for v in available if (key := parse(v)) is not None and key >= FLOOR and v not in done]
    return sorted(wanted, key=lambda v: parse(v) or ())


def main(argv: list[str]) -> int:
    if argv and argv[0]:
        versions = [argv[0]]
    else:
        out = upstream.run([sys.executable, "-m", "pip", "index", "versions", "openai", "--disable-pip-version-check"])
        listed = re.search(r"Available versions: (.+)", out)
        available = listed.group(1).split(", ") if listed else []
        tags = subprocess.run(
            ["gh", "release", "list", "--limit", "1000", "--json", "tagName", "--jq", ".[].tagName"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        versions = unreleased(available, tags)
    print(f"versions={json.dumps(versions)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
