"""A PEP 503 simple index of the fork's wheels: ``pip install --index-url file://.../simple openai==...``."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable
from pathlib import Path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def project_page(files: Iterable[tuple[str, str]]) -> str:
    """The ``openai/index.html`` page: one link per ``(file name, sha256)``, relative to the page."""
    links = "\n".join(
        f'    <a href="{html.escape(name)}#sha256={digest}">{html.escape(name)}</a><br>' for name, digest in files
    )
    return f"<!DOCTYPE html>\n<html>\n  <body>\n{links}\n  </body>\n</html>\n"


ROOT_PAGE = '<!DOCTYPE html>\n<html>\n  <body>\n    <a href="openai/">openai</a>\n  </body>\n</html>\n'


def write_index(simple: Path, wheels: Iterable[Path]) -> Path:
    """``simple/index.html`` and ``simple/openai/`` holding ``wheels`` and their page; the page's path.
    Wheels already in the index are kept, so one index serves every fork version built into it."""
    folder = simple / "openai"
    folder.mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        (folder / wheel.name).write_bytes(wheel.read_bytes())
    files = sorted((path.name, sha256(path)) for path in folder.glob("*.whl"))
    (simple / "index.html").write_text(ROOT_PAGE, encoding="utf-8")
    page = folder / "index.html"
    page.write_text(project_page(files), encoding="utf-8")
    return page
