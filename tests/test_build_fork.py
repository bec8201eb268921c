"""The pure parts of ``scripts/build_fork.py``: anchors, import rewriting, version, reports. No network.

The build itself (download, wheel, upstream's tests) runs in ``nox -s fork``.
"""

from __future__ import annotations

import ast
import functools
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from fork import anchors, compare, edits, hooks, native, patching, project, report, series, testenv, translate  # noqa: E402 - scripts/ is not a package

pytestmark = pytest.mark.once  # the fork build script's own functions: SDK-independent, run by `nox -s tests`

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
    edits.CLIENT: CLIENT,
    edits.RESPONSES: RESPONSES,
    edits.EXCEPTIONS: (
        "from __future__ import annotations\n\nimport httpx2\n\n"
        '__all__ = [\n    "APIError",\n]\n\n\nclass APIError(Exception):\n    pass\n'
    ),
    edits.PACKAGE_INIT: 'from ._exceptions import (\n    APIError,\n)\n\n__all__ = [\n    "APIError",\n]\n',
    patching.TYPES: "import httpx2\n",
    edits.HELPERS: "# Helpers\n",
}


def reader(files: dict[str, str]):  # type: ignore[no-untyped-def]
    def read(path: str) -> str:
        if path not in files:
            raise FileNotFoundError(path)
        return files[path]

    return read


@functools.cache
def planned(step: int | None = None, *, test_hooks: bool = False) -> dict[str, str]:
    """The fork's files for the fixture SDK, computed once per arguments (the translation reads every module)."""
    return patching.plan_fork(reader(UPSTREAM), PROJECT, "9.9.9", step, test_hooks=test_hooks)


def test_every_patched_file_parses_and_carries_the_additions() -> None:
    files = planned()
    for path, text in files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
    assert files[edits.CLIENT].count("def _make_background_failure_error(") == 2
    assert "from .lib.background import make_background_failure_error" in files[edits.CLIENT]
    responses = files[edits.RESPONSES]
    assert responses.count("def poll(") == 6 and responses.count("def create_and_poll(") == 6  # 2 stubs + 1, twice
    assert "def retrieve(self, response_id: str) -> Response:" in responses  # untouched
    assert "from ...lib.background._response_methods import poll" in responses
    assert "return await async_poll(self, response_id," in responses
    assert "_OMIT" not in responses and "= omit," in responses
    assert "DEFAULT_" not in responses and "max_poll_failures: int = 10," in responses  # literals, no import
    assert "class ResponseServerError(ResponseFailedError, InternalServerError):" in files[edits.EXCEPTIONS]
    assert "    ResponseServerError,\n)" in files[edits.PACKAGE_INIT]
    assert files[edits.HELPERS].startswith("# Helpers\n\n## Polling background responses")


def test_generated_files_hold_signatures_that_delegate_and_nothing_else() -> None:
    files = planned()
    for text in (files[edits.RESPONSES], files[edits.CLIENT]):
        added = text.replace(RESPONSES, "").replace(CLIENT, "")
        # every import of the implementation is inside a method body (first use) or for type checkers only
        assert "\nfrom .lib.background" not in added and "\nfrom ...lib.background" not in added
        assert "WaitOptions" not in added and "wait_sync" not in added
    methods = files[f"{patching.LIB_DIR}/{hooks.METHODS_MODULE}.py"]
    assert "def poll(\n    responses: Responses," in methods and "async def async_poll(" in methods
    assert "WaitOptions.check(" in methods


def test_the_client_hook_lands_right_after_make_status_error() -> None:
    text = planned()[edits.CLIENT]
    sync = text[text.index("class OpenAI:") : text.index("class AsyncOpenAI:")]
    assert sync.index("def _make_status_error(") < sync.index("def _make_background_failure_error(")
    assert sync.index("def _make_background_failure_error(") < sync.index("def copy(")


def test_lib_modules_are_native_to_the_sdk() -> None:
    files = planned()
    lib = {path: text for path, text in files.items() if path.startswith(patching.LIB_DIR)}
    assert f"{patching.LIB_DIR}/streams/_program.py" in lib  # subpackages stay subpackages
    assert f"{patching.LIB_DIR}/_compat.py" not in lib and f"{patching.LIB_DIR}/_exceptions.py" not in lib
    for path, text in lib.items():
        assert "generated from" not in text.lower(), path
        assert "openai_background" not in text and "openai-background" not in text, path
        assert "_compat" not in text and "_monotonic" not in text and "_SDK" not in text, path
        assert "this package" not in text or path.endswith("__init__.py"), path
        assert "from openai." not in text, path
    loop = lib[f"{patching.LIB_DIR}/_loop.py"]
    assert 'logging.getLogger("openai.lib.background")' in loop and "from ...types.responses import" in loop
    assert "from .streams" not in loop  # the core never imports the streams at module level
    assert "from .._loop import" in lib[f"{patching.LIB_DIR}/streams/_steps.py"]
    assert "httpx2.Response" in lib[f"{patching.LIB_DIR}/_dispatch.py"]
    init = lib[f"{patching.LIB_DIR}/__init__.py"]
    assert '"raise_for_status"' in init and '"OpenAI"' not in init and '"Responses"' not in init
    assert "from ._dispatch import" not in init.split("if TYPE_CHECKING:")[0]  # loaded on first use


def test_the_test_hook_is_kept_only_when_asked() -> None:
    hooked = planned(test_hooks=True)
    assert "_monotonic" in hooked[f"{patching.LIB_DIR}/_waiting.py"]


def test_steps_carry_their_features_in_order() -> None:
    layout = series.plan(project.Project(PROJECT))
    methods = [{m.name for _, m in step} for step in layout.methods]
    assert methods[0] == methods[1] == set()
    assert methods[2] == {"poll", "create_and_poll"}
    assert {"stream_background", "create_and_stream"} <= methods[3] and "poll_many" not in methods[3]
    assert "poll_many" in methods[4]
    # step 1 maps a result to its error and nothing more: no answer reading, no redaction, no raise_for_status
    assert {"_raising", "_answers", "_redact", "_waiting"}.isdisjoint(layout.modules[0])
    assert {"_raising", "_answers", "_redact"} <= layout.modules[1] and "_waiting" not in layout.modules[1]
    assert "_many" not in layout.modules[3]
    assert not any(m.startswith("streams") for m in layout.modules[2])
    assert all(a <= b for a, b in zip(layout.modules, layout.modules[1:], strict=False))


def test_a_step_prunes_the_features_it_does_not_carry_yet() -> None:
    files = {k: planned(k) for k in (0, 1, 2, 3)}
    assert edits.RESPONSES not in files[0] and edits.RESPONSES not in files[1]
    init = files[0][f"{patching.LIB_DIR}/__init__.py"]
    assert "make_background_failure_error" in init and "raise_for_status" not in init
    assert "raise_for_status" in files[1][f"{patching.LIB_DIR}/__init__.py"]
    assert "wait:" not in files[2][edits.RESPONSES] and "def stream_background(" not in files[2][edits.RESPONSES]
    assert 'wait: Literal["poll", "stream"' in files[3][edits.RESPONSES]  # "webhook": the package's (a ValueError)
    assert "def poll_many(" not in files[3][edits.RESPONSES]


def test_package_traces_are_found_in_new_lines_only() -> None:
    text = 'a = 1\n# openai 1.x has no helper\nlog = "openai_background"\n"""the journal records it"""\nb = 2\n'
    assert native.package_traces(text) == [
        "2: # openai 1.x has no helper",
        '3: log = "openai_background"',
        '4: """the journal records it"""',
    ]
    assert native.package_traces(text, before=text) == []  # an upstream line is not ours to judge
    assert native.package_traces('URL = "https://api.openai.com/v1"\n') == ['1: URL = "https://api.openai.com/v1"']


def test_the_planned_series_speaks_of_the_sdk_only() -> None:
    for step in range(len(series.STEPS)):
        for path, text in planned(step).items():
            before = UPSTREAM.get(path, "")
            assert native.package_traces(text, before) == [], path


def test_an_sdk_helper_is_imported_where_the_sdk_keeps_it() -> None:
    structured = planned()[f"{patching.LIB_DIR}/_structured.py"]
    assert "from .._response_resources import _make_tools as make_tools" in structured
    assert "import_module" not in structured and "ImportError" not in structured


def _sdk_methods(text: str, class_name: str) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
    """A patched class's methods by name: its ``@overload`` stubs, then its implementation."""
    cls = next(n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.name == class_name)
    found: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for item in cls.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.setdefault(item.name, []).append(item)
    return found


def _parameters(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [a.arg for a in [*func.args.args, *func.args.kwonlyargs]] + (
        [func.args.kwarg.arg] if func.args.kwarg else []
    )


def _text_format(func: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str | None]:
    """``text_format``'s annotation and default, as written."""
    args = func.args
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == "text_format":
            assert arg.annotation is not None
            return ast.unparse(arg.annotation), None if default is None else ast.unparse(default)
    raise AssertionError(f"{func.name} has no text_format")


@pytest.mark.parametrize("class_name", ["Responses", "AsyncResponses"])
def test_text_format_overloads_are_carried_with_every_parameter_spelled_out(class_name: str) -> None:
    text = planned()[edits.RESPONSES]
    methods = _sdk_methods(text, class_name)
    ours = project.Project(PROJECT)
    found = ours.class_methods(project.RESOURCE_CLASSES[class_name], class_name)
    overloaded = [m for m in found if hooks.overload_stubs(ours, m)]
    assert {m.name for m in overloaded} == {
        "poll",
        "create_and_poll",
        "poll_many",
        "stream_background",
        "create_and_stream",
    }
    for method in overloaded:
        *stubs, implementation = methods[method.name]
        assert len(stubs) == len(hooks.overload_stubs(ours, method)) == 2, method.name
        assert all(ast.unparse(stub.decorator_list[0]) == "overload" for stub in stubs)
        assert not implementation.decorator_list
        for stub in stubs:  # every parameter, as the implementation has it: no **options: Unpack[...]
            assert _parameters(stub) == _parameters(implementation), method.name
            assert isinstance(stub, type(implementation)), method.name  # async stays async
        parsed, plain = stubs
        assert _text_format(parsed) == ("type[TextFormatT]", None)
        assert _text_format(plain) == ("Omit | None", "None")
        assert _text_format(implementation) == ("type[Any] | Omit | None", "None")
        assert parsed.returns is not None and plain.returns is not None
        assert "ParsedResponse[TextFormatT]" in ast.unparse(parsed.returns)
        assert "Parsed" not in ast.unparse(plain.returns) and "TextFormatT" not in ast.unparse(plain.returns)
    poll_parsed = methods["poll"][0].returns
    assert poll_parsed is not None and ast.unparse(poll_parsed) == "ParsedResponse[TextFormatT]"
    assert "Unpack[PollOptions]" not in text and "ManyOptions" not in text and "[T]" not in text  # no project names


def test_the_overload_names_are_imported_where_they_are_needed() -> None:
    text = planned()[edits.RESPONSES]
    runtime, guarded = text.split("if TYPE_CHECKING:", 1)
    guarded = guarded.split("__all__")[0]
    assert "import overload" in runtime  # the decorator runs when the class body does
    assert "from ...lib._parsing._responses import TextFormatT" in guarded  # upstream's own type variable
    assert "from ...types.responses import ParsedResponse" in guarded


def test_overload_stubs_are_pruned_with_their_method() -> None:
    slugs = [step.slug for step in series.STEPS]
    poll_step, streams_step = slugs.index("poll"), slugs.index("streams")
    for step in (poll_step, streams_step):
        methods = _sdk_methods(planned(step)[edits.RESPONSES], "Responses")
        for name in ("poll", "create_and_poll"):
            *stubs, implementation = methods[name]
            assert len(stubs) == 2
            assert all(_parameters(stub) == _parameters(implementation) for stub in stubs)
            assert ("wait" in _parameters(implementation)) == (step == streams_step), (step, name)


def test_an_overload_naming_a_parameter_the_method_lacks_is_refused(tmp_path: Path) -> None:
    (tmp_path / "_r.py").write_text(
        "from typing import overload, TypeVar\n\nT = TypeVar('T')\n\n\nclass Responses:\n"
        "    @overload\n    def poll(self, rid: str, *, fmt: type[T]) -> T: ...\n"
        "    @overload\n    def poll(self, rid: str) -> None: ...\n"
        "    def poll(self, rid: str, *, text_format: object = None) -> object:\n        return rid\n"
    )
    source = project.MethodSource("_r", "Responses", "poll")
    with pytest.raises(translate.TranslateError, match=r"Responses\.poll: an overload names \['fmt'\]"):
        hooks.build(project.Project(tmp_path), source, carried={"_r"}, is_async=False)


def test_marked_blocks_are_dropped() -> None:
    source = "a = 1\n# fork: drop\nb = 2\n# fork: end\nc = 3  # fork: drop\nd = 4\n"
    assert native.strip_marked(source) == "a = 1\nd = 4\n"
    with pytest.raises(translate.TranslateError, match="no `# fork: end`"):
        native.strip_marked("# fork: drop\nx = 1\n")


def test_renames_touch_names_only() -> None:
    source = 'x: HttpResponse = f("HttpResponse")  # HttpResponse\ny = obj.HttpResponse\n'
    assert native.rename(source, {"HttpResponse": "httpx2.Response"}) == (
        'x: httpx2.Response = f("HttpResponse")  # HttpResponse\ny = obj.HttpResponse\n'
    )


def test_leftovers_are_spoken_as_the_sdk() -> None:
    text = (
        'logger = logging.getLogger("openai_background")\n"""Codes this package knows (``.._compat``, ``.._x``)."""\n'
    )
    native_text = native.speak_as_sdk(text)
    assert 'getLogger("openai.lib.background")' in native_text
    assert "Codes the SDK knows (``.._x``)" in native_text
    assert "this package" in native.speak_as_sdk('"""this package"""', subpackage=True)


def test_an_ignored_attribute_assignment_becomes_a_typed_one() -> None:
    source = (
        "from __future__ import annotations\n\n"
        "def f(e: BaseException) -> None:\n    e.rid = 1  # type: ignore[attr-defined]\n"
    )
    out = native.typed_setattr(source)
    assert "    cast(Any, e).rid = 1\n" in out and "from typing import Any, cast\n" in out


def test_test_hook_readers_are_inlined_away() -> None:
    source = (
        "def _clock(resource, default):\n    return getattr(resource, '_monotonic', None) or default\n\n\n"
        "def wait(r):\n    return _clock(r, time.monotonic)\n"
    )
    assert native.without_test_hooks(source, {"_clock"}) == "\n\ndef wait(r):\n    return time.monotonic\n"


def test_project_constants_are_read_across_modules() -> None:
    found = project.Project(PROJECT)
    assert found.constant("_dispatch", "DEFAULT_RAISE_ON") == found.constant("_dispatch", "FAILURE_STATUSES")
    assert found.constant("_loop", "DEFAULT_MAX_POLL_FAILURES") == 10


def test_the_generated_file_hooks_are_listed_from_the_diff() -> None:
    diff = (
        "+++ b/src/openai/_client.py\n+    def _make_background_failure_error(\n"
        "+++ b/src/openai/lib/background/_loop.py\n+def poll_program(\n"
        '+++ b/src/openai/__init__.py\n+    "ResponseServerError",\n'
    )
    generated = {"src/openai/_client.py", "src/openai/__init__.py"}
    assert report.hook_summary(diff, generated) == {
        "src/openai/_client.py": ["_make_background_failure_error"],
        "src/openai/__init__.py": ["ResponseServerError"],
    }


@pytest.mark.parametrize(
    ("path", "broken", "anchor"),
    [
        (edits.CLIENT, CLIENT.replace("class OpenAI:", "class Other:"), "class OpenAI("),
        (edits.CLIENT, CLIENT.replace("def _make_status_error", "def _status", 1), "def _make_status_error("),
        (
            edits.RESPONSES,
            RESPONSES.replace("class Responses(", "class Answers("),
            "class Responses(SyncAPIResource)",
        ),
        (edits.EXCEPTIONS, "class APIError(Exception):\n    pass\n", "__all__ = [ ... ] list"),
        (edits.PACKAGE_INIT, "from ._exceptions import APIError\n__all__ = []\n", "from ._exceptions import ("),
    ],
)
def test_a_missing_anchor_stops_the_build_naming_version_and_anchor(path: str, broken: str, anchor: str) -> None:
    with pytest.raises(anchors.AnchorMissing) as caught:
        patching.plan_fork(reader({**UPSTREAM, path: broken}), PROJECT, "9.9.9")
    message = str(caught.value)
    assert "openai 9.9.9" in message
    assert anchor in message
    assert path in message


def test_a_missing_file_is_a_missing_anchor() -> None:
    files = dict(UPSTREAM)
    del files[edits.RESPONSES]
    with pytest.raises(
        anchors.AnchorMissing, match=r"openai 9\.9\.9: there is no src/openai/resources/responses/responses\.py"
    ):
        patching.plan_fork(reader(files), PROJECT, "9.9.9")


def test_an_sdk_that_already_has_poll_is_refused() -> None:
    has_poll = RESPONSES.replace(
        "    def retrieve(", "    def poll(self) -> None:\n        pass\n\n    def retrieve(", 1
    )
    with pytest.raises(anchors.AnchorMissing, match="without a poll method of its own"):
        patching.plan_fork(reader({**UPSTREAM, edits.RESPONSES: has_poll}), PROJECT, "9.9.9")


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


def test_a_module_importing_one_the_fork_does_not_carry_is_refused(tmp_path: Path) -> None:
    (tmp_path / "_x.py").write_text("from ._client import OpenAI\n")
    (tmp_path / "_compat.py").write_text("")
    with pytest.raises(translate.TranslateError, match=r"imports \._client"):
        native.lib_module(project.Project(tmp_path), "_x", carried=["_x"], http="httpx2")


def test_a_series_is_named_by_its_steps(tmp_path: Path) -> None:
    assert [s.slug for s in series.STEPS] == ["errors", "raise_for_status", "poll", "streams", "poll_many"]
    assert set(series.step_tests("poll")) == {"tests/lib/responses/test_background_poll.py"}
    assert set(series.step_tests("raise_for_status")) == {"tests/lib/responses/test_background_raise_for_status.py"}


def test_the_version_is_upstream_plus_background_revision() -> None:
    files = {
        edits.PYPROJECT: 'name = "openai"\nversion = "3.57.0"\n',
        edits.VERSION_FILE: '__version__ = "3.57.0"  # x\n',
    }
    changed = edits.set_version(files, "3.57.0", 2)
    assert 'version = "3.57.0+background.2"' in changed[edits.PYPROJECT]
    assert changed[edits.VERSION_FILE] == '__version__ = "3.57.0+background.2"  # x\n'
    with pytest.raises(anchors.AnchorMissing, match=r"openai 3\.58\.0"):
        edits.set_version(files, "3.58.0", 1)
    with pytest.raises(ValueError, match="fork-revision"):
        edits.fork_version("3.57.0", 0)


def test_changed_lines_are_counted_per_budget() -> None:
    pristine = {
        "src/openai/_client.py": "# File generated from our OpenAPI spec by Castiron.\n",
        "src/openai/_x.py": "",
    }
    numstat = "18\t0\tsrc/openai/_client.py\n3\t1\tsrc/openai/_x.py\n100\t0\tsrc/openai/lib/background/_loop.py\n"
    changes = report.file_changes(numstat, pristine.get)
    assert [c.kind for c in changes] == ["generated", "core", "lib"]
    assert report.totals(changes) == {
        "generated": (18, 0),
        "lib": (100, 0),
        "core": (3, 1),
        "tests": (0, 0),
        "docs": (0, 0),
    }


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
    found = testenv.outcomes(tmp_path / "r.xml")
    assert found == {
        "tests.test_client::test_a": "passed",
        "tests.test_client::test_b": "skipped",
        "tests.test_client::test_c": "failed",
    }
    assert testenv.summary(found) == "1 passed, 1 failed, 1 skipped"
    assert compare.differences(found, {**found, "tests.test_client::test_b": "passed"}) == [
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
    assert compare.node_id(test_id, files.__contains__) == node


def test_upstream_test_tools_come_from_its_dev_group() -> None:
    if sys.version_info < (3, 11):
        pytest.importorskip("tomli")
    pyproject = '[dependency-groups]\ndev = ["pytest>=9.0.3", "pytest-asyncio>=1.4.0", "rich>=13.7.1", "ruff"]\n'
    assert testenv.test_requirements(pyproject) == [
        "pytest>=9.0.3",
        "pytest-asyncio>=1.4.0",
        "inline-snapshot",
        "rich>=13.7.1",
        "trio",
    ]
