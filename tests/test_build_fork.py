"""The pure parts of ``scripts/build_fork.py`` (no network) and the series kept in ``scripts/fork/series/``.

The build itself, the index installed with pip and upstream's tests run in ``nox -s fork``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_fork  # noqa: E402 - scripts/ is not a package
from fork import index, pr, releases, sizes, upstream  # noqa: E402

pytestmark = pytest.mark.once  # the build script's own functions: SDK-independent, run by `nox -s tests`

SERIES = sorted((ROOT / "scripts" / "fork" / "series").glob("*.patch"))
GENERATED = {"src/openai/_client.py", "src/openai/resources/responses/responses.py"}
"""The generated files the series touches (upstream's ``scripts/castiron/generated-files.json`` lists them)."""


def test_the_series_is_two_conventional_commits_by_a_person() -> None:
    subjects = [build_fork.subject(patch) for patch in SERIES]
    assert [s.split(":")[0] for s in subjects] == ["fix(responses)", "feat(responses)"]
    for patch in SERIES:
        author = re.search(r"^From: (.+(?:\n .+)?)$", patch.read_text(encoding="utf-8"), re.MULTILINE)
        assert author is not None
        assert "build_fork" not in author.group(1) and "localhost" not in author.group(1)


def test_the_series_stays_within_its_sizes() -> None:
    measured = [sizes.patch_size(patch.read_text(encoding="utf-8"), GENERATED) for patch in SERIES]
    assert sizes.over_limits(measured) == []
    assert measured[0].added <= 400 and measured[0].generated <= 45


def test_sizes_count_added_lines_and_those_in_generated_files() -> None:
    patch = (
        "diff --git a/src/openai/_client.py b/src/openai/_client.py\n--- a/src/openai/_client.py\n"
        "+++ b/src/openai/_client.py\n@@ -1,2 +1,3 @@ class OpenAI:\n a\n+b\n-c\n"
        "diff --git a/new.py b/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+x\n+y\n"
    )
    assert sizes.patch_size(patch, GENERATED) == sizes.Size(3, 1)
    assert sizes.over_limits([sizes.Size(401, 0)]) == ["patch 1 adds 401 lines (0 generated), limit (400, 45)"]
    assert sizes.over_limits([sizes.Size(10, 46)])
    assert sizes.over_limits([sizes.Size(400, 45), sizes.Size(601, 0)])


def test_the_fork_version_is_a_local_version() -> None:
    assert build_fork.fork_version("3.63.0", 1) == "3.63.0+background.1"
    with pytest.raises(ValueError, match="at least 1"):
        build_fork.fork_version("3.63.0", 0)


def test_the_index_page_links_each_wheel_with_its_sha256(tmp_path: Path) -> None:
    wheel = tmp_path / "openai-3.63.0+background.1-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    page = index.write_index(tmp_path / "simple", [wheel])
    digest = index.sha256(wheel)
    assert f'href="{wheel.name}#sha256={digest}"' in page.read_text(encoding="utf-8")
    assert (page.parent / wheel.name).read_bytes() == b"not really a wheel"
    assert 'href="openai/"' in (tmp_path / "simple" / "index.html").read_text(encoding="utf-8")


def test_the_anchor_names_file_line_and_function(tmp_path: Path) -> None:
    patch = tmp_path / "0001-x.patch"
    patch.write_text(
        "+++ b/src/openai/_client.py\n@@ -665,6 +666,17 @@ class OpenAI(SyncAPIClient):\n", encoding="utf-8"
    )
    said = upstream.anchor("error: patch failed: src/openai/_client.py:665\n", patch)
    assert said.startswith("src/openai/_client.py:665 (in `class OpenAI(SyncAPIClient):`)")


def test_a_moved_anchor_stops_the_series_and_names_it(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "src" / "openai").mkdir(parents=True)
    (tree / "src" / "openai" / "_client.py").write_text("nothing the series knows\n", encoding="utf-8")
    upstream.init_scratch_repo(tree)
    with pytest.raises(upstream.UpstreamError) as caught:
        upstream.apply_series(tree, SERIES, version="9.9.9")
    assert "openai 9.9.9: 0001-fix-responses-raise-typed-errors.patch does not apply" in str(caught.value)
    assert subprocess.run(["git", "status", "--porcelain"], cwd=tree, capture_output=True, text=True).stdout == ""


def test_pr_md_states_the_sizes_and_the_follow_ups() -> None:
    text = pr.pr_markdown("3.63.0", "3.63.0+background.1", [("fix(responses): x", sizes.Size(377, 23))])
    assert "| 1. `fix(responses): x` | 377 | 23 |" in text
    for follow_up in ("Streams", "poll_many", "Deadlines", "Caps", "Redaction", "#3723", "The alternative"):
        assert follow_up in text


def test_the_release_workflow_builds_each_release_from_the_floor_that_has_no_release_yet() -> None:
    available = ["3.63.0", "3.61.0rc1", "3.60.0", "3.59.0", "2.54.0"]
    tags = ["openai-3.60.0+background.1", "v1.0.0"]
    assert releases.unreleased(available, tags) == ["3.63.0"]
    assert releases.unreleased(available, []) == ["3.60.0", "3.63.0"]
