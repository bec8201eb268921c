"""The pure parts of ``scripts/build_fork.py``: anchors, import rewriting, version, reports. No network.

The build itself (download, wheel, upstream's tests) runs in ``nox -s fork``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from fork import patching, report, translate, verify  # noqa: E402 - scripts/ is not a package

PROJECT = ROOT / "src" / "openai_background"

CLIENT = """\
from __future__ import annotations

import httpx2

from ._exceptions import APIStatusError

if TYPE_CHECKING:
    from .resources.files import Files


class OpenAI:
    def _make_status_error(self, err_msg: str, *, body: object, response: httpx2.Response) -> APIStatusError:
        return APIStatusError(err_msg, response=response, body=body)

    def copy(self) -> None:
        pass


class AsyncOpenAI:
    @override
    def _make_status_error(self, err_msg: str, *, body: object, response: httpx2.Response) -> APIStatusError:
        return APIStatusError(err_msg, response=response, body=body)
"""

RESPONSES = """\
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator
from typing_extensions import Literal

from ..._types import Body, Omit, Query, Headers, NotGiven, omit
from ..._resource import SyncAPIResource, AsyncAPIResource
from ...types.responses.response import Response

if TYPE_CHECKING:
    from ..._client import OpenAI

__all__ = ["Responses", "AsyncResponses"]


class Responses(SyncAPIResource):
    def retrieve(self, response_id: str) -> Response:
        raise NotImplementedError


class AsyncResponses(AsyncAPIResource):
    async def retrieve(self, response_id: str) -> Response:
        raise NotImplementedError
"""

UPSTREAM = {
    patching.CLIENT: CLIENT,
    patching.RESPONSES: RESPONSES,
    patching.EXCEPTIONS: '__all__ = [\n    "APIError",\n]\n\n\nclass APIError(Exception):\n    pass\n',
    patching.PACKAGE_INIT: 'from ._exceptions import (\n    APIError,\n)\n\n__all__ = [\n    "APIError",\n]\n',
    patching.LIB_INIT: "from ._tools import pydantic_function_tool as pydantic_function_tool\n",
}


def reader(files: dict[str, str]):  # type: ignore[no-untyped-def]
    def read(path: str) -> str:
        if path not in files:
            raise FileNotFoundError(path)
        return files[path]

    return read


def test_every_patched_file_parses_and_carries_the_additions() -> None:
    files = patching.plan_fork(reader(UPSTREAM), PROJECT, "9.9.9")
    for path, text in files.items():
        compile(text, path, "exec")
    assert files[patching.CLIENT].count("def _make_background_failure_error(") == 2
    assert "from .lib.background._dispatch import make_background_failure_error" in files[patching.CLIENT]
    responses = files[patching.RESPONSES]
    assert responses.count("def poll(") == 2 and responses.count("def create_and_poll(") == 2
    assert "def retrieve(self, response_id: str) -> Response:" in responses  # untouched
    assert "from ...lib.background._waiting import" in responses
    assert "_OMIT" not in responses and "= omit," in responses
    assert "from .lib.background._exceptions import (" in files[patching.EXCEPTIONS]
    assert "    ResponseServerError,\n)" in files[patching.PACKAGE_INIT]
    assert files[patching.LIB_INIT].endswith("from .background import raise_for_status as raise_for_status\n")


def test_the_client_hook_lands_right_after_make_status_error() -> None:
    text = patching.plan_fork(reader(UPSTREAM), PROJECT, "9.9.9")[patching.CLIENT]
    sync = text[text.index("class OpenAI:") : text.index("class AsyncOpenAI:")]
    assert sync.index("def _make_status_error(") < sync.index("def _make_background_failure_error(")
    assert sync.index("def _make_background_failure_error(") < sync.index("def copy(")


def test_lib_modules_are_generated_from_the_project_with_a_header() -> None:
    files = patching.plan_fork(reader(UPSTREAM), PROJECT, "9.9.9")
    loop = files[f"{patching.LIB_DIR}/_loop.py"]
    assert loop.startswith("# File generated from openai-background's src/openai_background/_loop.py")
    assert "from openai." not in loop and "from ..._types import" in loop
    assert 'logging.getLogger("openai_background")' in loop  # the name the behaviour tests read records by
    init = files[f"{patching.LIB_DIR}/__init__.py"]
    assert '"raise_for_status"' in init and '"OpenAI"' not in init and '"Responses"' not in init


@pytest.mark.parametrize(
    ("path", "broken", "anchor"),
    [
        (patching.CLIENT, CLIENT.replace("class OpenAI:", "class Other:"), "class OpenAI("),
        (patching.CLIENT, CLIENT.replace("def _make_status_error", "def _status", 1), "def _make_status_error("),
        (
            patching.RESPONSES,
            RESPONSES.replace("class Responses(", "class Answers("),
            "class Responses(SyncAPIResource)",
        ),
        (patching.EXCEPTIONS, "class APIError(Exception):\n    pass\n", "__all__ = ["),
        (patching.PACKAGE_INIT, "from ._exceptions import APIError\n__all__ = []\n", "from ._exceptions import ("),
    ],
)
def test_a_missing_anchor_stops_the_build_naming_version_and_anchor(path: str, broken: str, anchor: str) -> None:
    with pytest.raises(patching.AnchorMissing) as caught:
        patching.plan_fork(reader({**UPSTREAM, path: broken}), PROJECT, "9.9.9")
    message = str(caught.value)
    assert "openai 9.9.9" in message
    assert anchor in message
    assert path in message


def test_a_missing_file_is_a_missing_anchor() -> None:
    files = dict(UPSTREAM)
    del files[patching.RESPONSES]
    with pytest.raises(
        patching.AnchorMissing, match=r"openai 9\.9\.9: there is no src/openai/resources/responses/responses\.py"
    ):
        patching.plan_fork(reader(files), PROJECT, "9.9.9")


def test_an_sdk_that_already_has_poll_is_refused() -> None:
    has_poll = RESPONSES.replace(
        "    def retrieve(", "    def poll(self) -> None:\n        pass\n\n    def retrieve(", 1
    )
    with pytest.raises(patching.AnchorMissing, match="without a poll method of its own"):
        patching.plan_fork(reader({**UPSTREAM, patching.RESPONSES: has_poll}), PROJECT, "9.9.9")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("from openai._exceptions import APIError", "from ..._exceptions import APIError"),
        ("from openai.types.responses import Response", "from ...types.responses import Response"),
        ("    from openai._types import Body, Headers", "    from ..._types import Body, Headers"),
        ("from openai import APIError", "from ... import APIError"),
        ("from openai.lib.background._loop import run_sync", "from ._loop import run_sync"),
        ("from openai_background._loop import run_sync", "from openai_background._loop import run_sync"),
        ("from ._loop import run_sync", "from ._loop import run_sync"),
    ],
)
def test_imports_of_the_sdk_become_relative(line: str, expected: str) -> None:
    assert translate.relative_imports(line + "\n", translate.LIB_PACKAGE) == expected + "\n"


def test_a_bare_import_of_openai_cannot_move_into_the_sdk() -> None:
    with pytest.raises(translate.TranslateError, match=r"_client, line 3: `import openai`"):
        translate.relative_imports('"""doc"""\n\nimport openai\n', translate.LIB_PACKAGE, name="_client")


def test_relative_module_climbs_to_the_common_package() -> None:
    assert translate.relative_module("openai.lib.background._loop", "openai.resources.responses") == (
        "...lib.background._loop"
    )
    assert translate.relative_module("openai._types", "openai") == "._types"


def test_a_module_importing_one_the_fork_does_not_carry_is_refused() -> None:
    source = "from ._client import OpenAI\n"
    with pytest.raises(translate.TranslateError, match=r"imports \._client"):
        translate.lib_module(source, name="_x", source_path="src/openai_background/_x.py", carried=["_loop"])


def test_the_version_is_upstream_plus_background_revision() -> None:
    files = {
        patching.PYPROJECT: 'name = "openai"\nversion = "3.57.0"\n',
        patching.VERSION_FILE: '__version__ = "3.57.0"  # x\n',
    }
    changed = patching.set_version(files, "3.57.0", 2)
    assert 'version = "3.57.0+background.2"' in changed[patching.PYPROJECT]
    assert changed[patching.VERSION_FILE] == '__version__ = "3.57.0+background.2"  # x\n'
    with pytest.raises(patching.AnchorMissing, match=r"openai 3\.58\.0"):
        patching.set_version(files, "3.58.0", 1)
    with pytest.raises(ValueError, match="fork-revision"):
        patching.fork_version("3.57.0", 0)


def test_changed_lines_are_counted_per_budget() -> None:
    pristine = {
        "src/openai/_client.py": "# File generated from our OpenAPI spec by Castiron.\n",
        "src/openai/_x.py": "",
    }
    numstat = "18\t0\tsrc/openai/_client.py\n3\t1\tsrc/openai/_x.py\n100\t0\tsrc/openai/lib/background/_loop.py\n"
    changes = report.file_changes(numstat, pristine.get)
    assert [c.kind for c in changes] == ["generated", "core", "lib"]
    assert report.totals(changes) == {"generated": (18, 0), "lib": (100, 0), "core": (3, 1)}


def test_upstream_outcomes_are_compared_test_by_test(tmp_path: Path) -> None:
    junit = textwrap.dedent(
        """\
        <testsuites><testsuite>
          <testcase classname="tests.test_client" name="test_a"/>
          <testcase classname="tests.test_client" name="test_b"><skipped/></testcase>
          <testcase classname="tests.test_client" name="test_c"><failure/></testcase>
        </testsuite></testsuites>
        """
    )
    (tmp_path / "r.xml").write_text(junit)
    found = verify.outcomes(tmp_path / "r.xml")
    assert found == {
        "tests.test_client::test_a": "passed",
        "tests.test_client::test_b": "skipped",
        "tests.test_client::test_c": "failed",
    }
    assert verify.summary(found) == "1 passed, 1 failed, 1 skipped"
    assert verify.differences(found, {**found, "tests.test_client::test_b": "passed"}) == [
        "tests.test_client::test_b: pristine skipped, fork passed"
    ]


@pytest.mark.parametrize(
    ("test_id", "node"),
    [
        ("tests.test_client.TestOpenAI::test_copy", "tests/test_client.py::TestOpenAI::test_copy"),
        ("tests.lib.live.test_grouping::test_x[sync]", "tests/lib/live/test_grouping.py::test_x[sync]"),
    ],
)
def test_a_junit_id_becomes_a_node_id_to_rerun(test_id: str, node: str) -> None:
    files = {"tests/test_client.py", "tests/lib/live/test_grouping.py"}
    assert verify.node_id(test_id, files.__contains__) == node


def test_upstream_test_tools_come_from_its_dev_group() -> None:
    if sys.version_info < (3, 11):
        pytest.importorskip("tomli")
    pyproject = '[dependency-groups]\ndev = ["pytest>=9.0.3", "pytest-asyncio>=1.4.0", "rich>=13.7.1", "ruff"]\n'
    assert verify.test_requirements(pyproject) == [
        "pytest>=9.0.3",
        "pytest-asyncio>=1.4.0",
        "inline-snapshot",
        "rich>=13.7.1",
        "trio",
    ]
