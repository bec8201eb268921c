"""Every ```python block of README.md and docs/*.md runs as written, so a snippet that breaks fails CI.

The convention, for everyone who writes documentation here:

* Each ```python block is a complete program. It is run on its own (``python block.py``) in a subprocess,
  in an empty temporary folder, with ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` removed from the
  environment and a timeout of ``TIMEOUT`` seconds, and must exit with status 0. Start the loopback fake
  server in the block itself (``with FakeResponsesServer() as server:`` and
  ``OpenAI(api_key="sk-fake", base_url=server.base_url)``): no key, no network.
* A block that needs a real API key is marked by this exact line directly before its opening fence::

      <!-- needs OPENAI_API_KEY -->

  Marked blocks are not run, only compiled (so a syntax error in them still fails).
* Blocks in other languages (```bash, ```text, bare ```) are not run.

Relative links between these pages (``[text](docs/cli.md#wait)``) must name a file that exists and, with an
``#anchor``, a heading of that page (GitHub's anchor for it), so moving a section never leaves a dead link.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # SDK-independent or subprocess-heavy: run by `nox -s tests`, not the matrix

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NEEDS_KEY = "<!-- needs OPENAI_API_KEY -->"
TIMEOUT = 60.0
_FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`]*)$")
_HEADING = re.compile(r"^#{1,6} +(?P<title>.+?) *#*$")
_LINK = re.compile(r"\]\((?P<target>[^()\s]+)\)")


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it starts (1-based line of its opening fence), its language and text."""

    path: Path
    line: int
    language: str
    source: str
    needs_key: bool

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}" if self.path.is_relative_to(ROOT) else str(self.path)


def code_blocks(path: Path, text: str) -> list[Block]:
    """The fenced blocks of a Markdown ``text``; an unclosed fence is an error, not a silently skipped block."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent = len(opening["indent"])
        start, body = index, []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index][indent:] if lines[index][:indent].strip() == "" else lines[index])
            index += 1
        if index == len(lines):
            raise ValueError(f"{path}:{start + 1}: a code block that is never closed")
        language = opening["info"].strip().split(" ")[0].lower()
        needs_key = start > 0 and lines[start - 1].strip() == NEEDS_KEY
        blocks.append(Block(path, start + 1, language, "\n".join(body) + "\n", needs_key))
        index += 1
    return blocks


def python_blocks() -> list[Block]:
    return [
        block
        for path in DOCUMENTS
        for block in code_blocks(path, path.read_text("utf-8"))
        if block.language == "python"
    ]


def prose_lines(text: str) -> list[str]:
    """The lines of ``text`` outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def github_anchor(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation but ``-`` and ``_`` dropped, spaces to ``-``."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of the page at ``path`` (a repeated heading gets ``-1``, ``-2``... as on GitHub)."""
    found: set[str] = set()
    for line in prose_lines(path.read_text("utf-8")):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        anchor = base = github_anchor(heading["title"])
        count = 0
        while anchor in found:
            count += 1
            anchor = f"{base}-{count}"
        found.add(anchor)
    return found


def broken_links(path: Path) -> list[str]:
    """The relative links of the page at ``path`` whose file, or whose ``#anchor`` in that file, does not exist."""
    broken = []
    for line in prose_lines(path.read_text("utf-8")):
        for link in _LINK.finditer(line):
            target = link["target"]
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...: not ours to check
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                broken.append(f"{target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{target} (no heading #{anchor} in {linked.name})")
    return broken


BLOCKS = python_blocks()
RUNNABLE = [block for block in BLOCKS if not block.needs_key]


def run_alone(source: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """``source`` as a program of its own in ``folder``, without an API key or base URL in its environment."""
    env = {name: value for name, value in os.environ.items() if name not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    script = folder / "block.py"
    script.write_text(source, "utf-8")
    return subprocess.run(
        [sys.executable, str(script)], cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.name for block in RUNNABLE])
def test_the_python_block_runs_as_written_without_a_key(block: Block, tmp_path: Path) -> None:
    run = run_alone(block.source, tmp_path)

    assert run.returncode == 0, (
        f"{block.name}: the block exited {run.returncode} (run alone, no OPENAI_API_KEY; if it needs a real key, "
        f"put {NEEDS_KEY} on the line directly before its ```python)\n"
        f"--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"
    )


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_every_python_block_compiles(block: Block) -> None:
    compile(block.source, block.name, "exec")  # marked blocks too: they are not run, but must be Python


def test_the_readme_has_runnable_blocks_and_keeps_its_first_two_commands() -> None:
    readme = ROOT / "README.md"
    assert any(block.path == readme for block in RUNNABLE)
    first = code_blocks(readme, readme.read_text("utf-8"))[0]
    assert first.language == "bash"
    assert "python -m openai_background demo" in first.source.splitlines()[0]
    assert "nox -s tests" in first.source.splitlines()[1]


def test_the_test_kits_install_line_brings_what_its_blocks_import() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the `once` tests run on the newest Python
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]
    names = {re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower() for requirement in extras["testing"]}

    assert {"pytest", "respx", "httpx"} <= names
    assert 'pip install "openai-background[testing]"' in (ROOT / "README.md").read_text("utf-8")
    assert 'pip install "openai-background[testing]"' in (ROOT / "docs" / "testkit.md").read_text("utf-8")


@pytest.mark.parametrize("path", DOCUMENTS, ids=[str(path.relative_to(ROOT)) for path in DOCUMENTS])
def test_every_relative_link_names_a_file_and_heading_that_exist(path: Path) -> None:
    assert broken_links(path) == []


def test_links_are_checked_against_githubs_anchors(tmp_path: Path) -> None:
    assert github_anchor("Progress as data: `on_poll`") == "progress-as-data-on_poll"
    assert github_anchor("Frameworks and `retrieve()` loops") == "frameworks-and-retrieve-loops"
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## Twice\n\n## Twice\n\n```bash\n# not a heading\n```\n\n"
        "[a](#title) [b](#twice-1) [c](#not-a-heading) [d](other.md)\n"
        "[e](https://example.com/x.md#y) [f](page.md#twice)\n",
        "utf-8",
    )

    assert broken_links(page) == ["#not-a-heading (no heading #not-a-heading in page.md)", "other.md (no such file)"]


def test_extraction_follows_the_convention(tmp_path: Path) -> None:
    text = (
        "# Doc\n\n```python\nprint(1)\n```\n\n"
        f"{NEEDS_KEY}\n```python\nprint(2)\n```\n\n"
        f"{NEEDS_KEY}\n\n```python\nprint(3)\n```\n\n"  # not directly before: runs
        "```bash\necho 4\n```\n\n"
        "- a list item:\n\n  ```python\n  print(5)\n  ```\n"
    )
    blocks = code_blocks(tmp_path / "doc.md", text)

    assert [(b.language, b.source, b.needs_key) for b in blocks] == [
        ("python", "print(1)\n", False),
        ("python", "print(2)\n", True),
        ("python", "print(3)\n", False),
        ("bash", "echo 4\n", False),
        ("python", "print(5)\n", False),
    ]
    assert [b.line for b in blocks] == [3, 8, 14, 18, 24]
    with pytest.raises(ValueError, match="never closed"):
        code_blocks(tmp_path / "doc.md", "```python\nprint(1)\n")


def test_a_block_runs_without_the_callers_key_or_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leak")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    source = "import os, pathlib as p\nprint(os.getenv('OPENAI_API_KEY'), os.getenv('OPENAI_BASE_URL'), p.Path.cwd())\n"

    run = run_alone(source, tmp_path)

    assert run.returncode == 0
    assert run.stdout.split() == ["None", "None", str(tmp_path)]
